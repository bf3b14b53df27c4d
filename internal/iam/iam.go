package iam

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"sync"

	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/policy"
)

// Limits of the IAM API, as AWS documents them
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
const (
	MaxAccessKeysPerUser = 2
	MaxManagedPerEntity  = 10
	MinRoleSession       = 3600
	MaxRoleSession       = 43200
	// Session durations of STS, in seconds.
	MinSessionDuration         = 900
	MaxGetSessionTokenDuration = 129600 // 36 hours
	DefaultGetSessionToken     = 43200  // 12 hours
	RootMaxGetSessionToken     = 3600   // the root user gets at most 1 hour
	DefaultAssumeRoleDuration  = 3600
	RoleChainingMaxDuration    = 3600
)

const upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// RandomString returns n characters drawn uniformly from alphabet with
// crypto/rand: the source of every generated ID and secret.
func RandomString(alphabet string, n int) string { return randomFrom(alphabet, n) }

func randomFrom(alphabet string, n int) string {
	b := make([]byte, n)
	max := big.NewInt(int64(len(alphabet)))
	for i := range b {
		v, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic(err)
		}
		b[i] = alphabet[v.Int64()]
	}
	return string(b)
}

// Unique IDs in the AWS style (meta.NewUniqueID): a 4-letter prefix saying
// what it is and 17 base32 characters.
func NewUserID() string   { return meta.NewUniqueID(meta.KindUser.IDPrefix()) }
func NewGroupID() string  { return meta.NewUniqueID(meta.KindGroup.IDPrefix()) }
func NewRoleID() string   { return meta.NewUniqueID(meta.KindRole.IDPrefix()) }
func NewPolicyID() string { return meta.NewUniqueID("ANPA") }

// NewAccessKeyID returns a long-term access key ID (20 characters).
func NewAccessKeyID() string { return "OPAK" + randomFrom(upperAlnum, 16) }

// NewTemporaryAccessKeyID returns an STS access key ID: "ASIA" as AWS uses
// for temporary credentials, so tools recognise them.
func NewTemporaryAccessKeyID() string { return "ASIA" + randomFrom(upperAlnum, 16) }

// IsTemporaryAccessKeyID reports whether id is an STS access key ID.
func IsTemporaryAccessKeyID(id string) bool { return strings.HasPrefix(id, "ASIA") }

// NewSecret returns a 40-character secret access key.
func NewSecret() string {
	return randomFrom("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40)
}

// NewAccountID returns a random 12-digit account ID.
func NewAccountID() string { return randomFrom("123456789", 1) + randomFrom("0123456789", 11) }

// ARNs of IAM and STS identities.
func RootARN(account string) string { return "arn:aws:iam::" + account + ":root" }
func EntityARN(account string, kind meta.EntityKind, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:aws:iam::" + account + ":" + string(kind) + path + name
}
func PolicyARN(account, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:aws:iam::" + account + ":policy" + path + name
}
func AssumedRoleARN(account, role, session string) string {
	return "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + session
}

// ParsePolicyARN splits arn:aws:iam::ACCOUNT:policy/PATH/NAME; account is
// "aws" for AWS managed policies.
func ParsePolicyARN(a string) (account, path, name string, ok bool) {
	parts := strings.SplitN(a, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || parts[3] != "" {
		return "", "", "", false
	}
	rest, found := strings.CutPrefix(parts[5], "policy/")
	if !found || rest == "" {
		return "", "", "", false
	}
	i := strings.LastIndexByte(rest, '/')
	return parts[4], "/" + rest[:i+1], rest[i+1:], rest[i+1:] != ""
}

// ValidName reports whether s is a valid IAM user, group, role or policy
// name: 1 to max characters of [A-Za-z0-9+=,.@_-].
func ValidName(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("+=,.@_-", c) >= 0) {
			return false
		}
	}
	return true
}

// ValidPath reports whether p is a valid IAM path: "/" or /…/ of printable
// ASCII, at most 512 characters.
func ValidPath(p string) bool {
	if p == "" || len(p) > 512 || p[0] != '/' || p[len(p)-1] != '/' {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < 0x21 || p[i] > 0x7e {
			return false
		}
	}
	return true
}

// AWSManagedPolicies are the AWS managed policies Outpost provides, by ARN.
// Their documents are AWS's, reduced to the services Outpost implements.
var AWSManagedPolicies = map[string]string{
	"arn:aws:iam::aws:policy/AdministratorAccess":            `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
	"arn:aws:iam::aws:policy/AmazonS3FullAccess":             `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","s3-object-lambda:*"],"Resource":"*"}]}`,
	"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess":         `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*","s3:Describe*","s3-object-lambda:Get*","s3-object-lambda:List*"],"Resource":"*"}]}`,
	"arn:aws:iam::aws:policy/AmazonS3OutpostsFullAccess":     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3-outposts:*","Resource":"*"}]}`,
	"arn:aws:iam::aws:policy/AmazonS3OutpostsReadOnlyAccess": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3-outposts:Get*","s3-outposts:List*"],"Resource":"*"}]}`,
	"arn:aws:iam::aws:policy/IAMFullAccess":                  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}`,
	"arn:aws:iam::aws:policy/IAMReadOnlyAccess":              `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}]}`,
}

// AWSManagedPolicyNames lists the names of AWSManagedPolicies, sorted.
func AWSManagedPolicyNames() []string {
	var out []string
	for a := range AWSManagedPolicies {
		_, _, n, _ := ParsePolicyARN(a)
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// PolicyCache parses policy documents once: a document's text fully
// determines its parse, so the cache never serves stale policies — a
// changed policy is a different key. It holds at most a few thousand
// documents and starts over when full.
type PolicyCache struct {
	mu sync.Mutex
	m  map[string]*policy.Policy
}

const policyCacheSize = 4096

func (c *PolicyCache) get(kind byte, doc string, parse func([]byte, int) (*policy.Policy, error)) (*policy.Policy, error) {
	key := string(kind) + doc
	c.mu.Lock()
	p, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return p, nil
	}
	p, err := parse([]byte(doc), 0)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= policyCacheSize {
		c.m = make(map[string]*policy.Policy)
	}
	c.m[key] = p
	c.mu.Unlock()
	return p, nil
}

// Identity parses an identity (or session) policy.
func (c *PolicyCache) Identity(doc string) (*policy.Policy, error) {
	return c.get('i', doc, policy.ParseIdentityPolicy)
}

// Resource parses a resource policy (bucket, access point).
func (c *PolicyCache) Resource(doc string) (*policy.Policy, error) {
	return c.get('r', doc, policy.ParseResourcePolicy)
}

// Trust parses a role trust policy.
func (c *PolicyCache) Trust(doc string) (*policy.Policy, error) {
	return c.get('t', doc, policy.ParseTrustPolicy)
}

// ErrNoSuchPrincipal means the user or role behind credentials no longer exists.
var ErrNoSuchPrincipal = errors.New("iam: principal no longer exists")

// ManagedPolicyDocument returns the document of a managed policy by ARN:
// an AWS managed policy Outpost knows, or a customer managed one from st.
// meta.ErrNotFound when there is none.
func ManagedPolicyDocument(ctx context.Context, st meta.IAMStore, arn string) (string, error) {
	if doc, ok := AWSManagedPolicies[arn]; ok {
		return doc, nil
	}
	if st == nil {
		return "", meta.ErrNotFound
	}
	p, err := st.GetManagedPolicy(ctx, arn)
	return p.Document, err
}

// LoadIdentityPolicies returns the parsed identity policies of a user or
// role: inline, attached managed (customer and AWS), and, for users, those
// of every group. A stored document that no longer parses is skipped (it
// cannot allow anything; the API never stores one). id is the unique ID
// the credentials carry: ErrNoSuchPrincipal if the entity is gone or is a
// later one of the same name (another ID), and for an empty id.
func LoadIdentityPolicies(ctx context.Context, st meta.IAMStore, cache *PolicyCache, account string, kind meta.EntityKind, name, id string) ([]*policy.Policy, error) {
	if id == "" {
		return nil, fmt.Errorf("%w: %s %s: credentials carry no unique ID", ErrNoSuchPrincipal, kind, name)
	}
	docs, foreign, err := st.IdentityPolicies(ctx, account, kind, name, id)
	if errors.Is(err, meta.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s %s", ErrNoSuchPrincipal, kind, name)
	}
	if err != nil {
		return nil, err
	}
	out := make([]*policy.Policy, 0, len(docs)+len(foreign))
	for _, d := range docs {
		if p, err := cache.Identity(d); err == nil {
			out = append(out, p)
		}
	}
	for _, a := range foreign {
		if d, ok := AWSManagedPolicies[a]; ok {
			if p, err := cache.Identity(d); err == nil {
				out = append(out, p)
			}
		}
	}
	return out, nil
}
