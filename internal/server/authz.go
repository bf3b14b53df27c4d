package server

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/outpost-s3/outpost/internal/authz"
	"github.com/outpost-s3/outpost/internal/iam"
	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/policy"
	"github.com/outpost-s3/outpost/internal/s3err"
	"github.com/outpost-s3/outpost/sigv4"
)

// identity is the server's IAM state: where identities live, the master
// key and the verifier of IAM/STS requests.
type identity struct {
	store   meta.IAMStore // the IAM part of the server's meta.Store
	keyring *iam.Keyring
}

func (s *Server) initIdentity() {
	id := &identity{store: s.cfg.Meta, keyring: s.cfg.Keyring}
	if id.keyring == nil {
		id.keyring = iam.NewRandomKeyring()
	}
	s.ident = id
	s.authorizer = authz.New(authz.Config{Region: s.cfg.Region, Meta: s.cfg.Meta, IAM: id.store, Logger: s.log})
}

// authzState is what authorize decided, for the handlers that refine it
// (object ACLs on GET, per-key DeleteObjects, copy sources).
type authzState struct {
	// allowed: the policies allow the operation (as opposed to an ACL).
	allowed bool
}

// globalContext fills the aws:* condition keys of a request
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
// aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, aws:userid
// and aws:username follow from the principal (policy.Request.lookup).
func (rc *reqCtx) globalContext() map[string][]string {
	now := rc.s.now().UTC()
	c := make(map[string][]string, 24)
	c["aws:currenttime"] = []string{now.Format(time.RFC3339)}
	c["aws:epochtime"] = []string{strconv.FormatInt(now.Unix(), 10)}
	if ip := rc.clientIP(); ip.IsValid() {
		c["aws:sourceip"] = []string{ip.String()}
	}
	c["aws:securetransport"] = []string{strconv.FormatBool(rc.secure())}
	c["aws:viaawsservice"] = []string{"false"}
	c["aws:multifactorauthpresent"] = []string{"false"}
	c["aws:requestedregion"] = []string{rc.s.cfg.Region}
	if vpc := rc.sourceVpcID(); vpc != "" {
		c["aws:sourcevpc"] = []string{vpc}
	}
	if vpce := rc.sourceVpceID(); vpce != "" {
		c["aws:sourcevpce"] = []string{vpce}
	}
	if p := rc.principal; !p.Anonymous() && p.Session != nil {
		c["aws:tokenissuetime"] = []string{p.Session.IssuedAt().Format(time.RFC3339)}
		if p.Session.SourceIdentity != "" {
			c["aws:sourceidentity"] = []string{p.Session.SourceIdentity}
		}
	}
	return c
}

// s3Context adds the service's own keys (s3:… or s3-outposts:…) that the
// request carries: how it was signed, its list parameters and headers. The
// keys that follow from the resource are authz's.
func (rc *reqCtx) s3Context(c map[string][]string, svc string) {
	set := func(k, v string) { c[svc+":"+k] = []string{v} }
	if v := rc.verified; v != nil && v.AuthType != sigv4.AuthAnonymous {
		set("authtype", string(v.AuthType))
		switch v.Algorithm {
		case sigv4.AlgorithmV2:
			set("signatureversion", "AWS")
		default:
			set("signatureversion", v.Algorithm)
		}
		if v.AuthType == sigv4.AuthQuery {
			age := int64(0)
			if v.Algorithm != sigv4.AlgorithmV2 && !v.SignedAt.IsZero() {
				age = max(rc.s.now().Sub(v.SignedAt).Milliseconds(), 0)
			}
			set("signatureage", strconv.FormatInt(age, 10))
		}
		if v.PayloadHash != "" {
			set("x-amz-content-sha256", v.PayloadHash)
		}
	}
	q, h := rc.query, rc.r.Header
	for _, k := range []string{"prefix", "delimiter", "max-keys"} {
		if vs, ok := q[k]; ok && len(vs) > 0 {
			set(k, vs[0])
		}
	}
	if vs, ok := q["versionId"]; ok && len(vs) > 0 {
		set("versionid", vs[0])
	}
	for _, k := range []string{"x-amz-copy-source", "x-amz-metadata-directive", "x-amz-acl", "x-amz-server-side-encryption", "x-amz-server-side-encryption-customer-algorithm", "x-amz-storage-class"} {
		if v := h.Get(k); v != "" {
			set(k, v)
		}
	}
	if t := h.Get("x-amz-tagging"); t != "" {
		if tags, err := url.ParseQuery(t); err == nil {
			var keys []string
			for k, vs := range tags {
				keys = append(keys, k)
				if len(vs) > 0 {
					c[svc+":requestobjecttag/"+strings.ToLower(k)] = []string{vs[0]}
				}
			}
			c[svc+":requestobjecttagkeys"] = keys
		}
	}
}

// objectLevel reports whether an operation acts on an object (its policy
// resource is the object ARN).
func (rc *reqCtx) objectLevel() bool { return rc.key != "" }

// decide asks authz whether the request may perform action on bucket b, or
// with a key on that object, through the access point ap (nil: b directly).
func (rc *reqCtx) decide(b *meta.Bucket, ap *meta.AccessPoint, action, key string) (policy.Decision, error) {
	return rc.decideWith(b, ap, action, key, nil)
}

// decideWith is decide with extra service condition keys (name without the
// "s3:" or "s3-outposts:" prefix → value), for questions the request does
// not carry itself, as mayList's s3:prefix.
func (rc *reqCtx) decideWith(b *meta.Bucket, ap *meta.AccessPoint, action, key string, extra map[string]string) (policy.Decision, error) {
	c := rc.globalContext()
	svc := authz.Service(b)
	rc.s3Context(c, svc)
	for k, v := range extra {
		c[svc+":"+k] = []string{v}
	}
	return rc.s.authorizer.Decide(rc.r.Context(), authz.Input{Principal: rc.principal, Action: action, Bucket: b, Key: key, AccessPoint: ap, Context: c})
}

// decideOn asks authz whether the request may perform action on a resource
// that is not in a bucket (an outpost, an endpoint, an IAM entity), owned by
// account ("" for the caller's own), with the request's aws:* keys and, when
// svc is not "", its own svc:… keys.
func (rc *reqCtx) decideOn(action, resource, account, svc string) (policy.Decision, error) {
	c := rc.globalContext()
	if svc != "" {
		rc.s3Context(c, svc)
	}
	return rc.s.authorizer.Decide(rc.r.Context(), authz.Input{Principal: rc.principal, Action: action, Resource: resource, Account: account, Context: c})
}

// authorizeService decides operations without a bucket (ListBuckets) and
// CreateBucket: identity policies only, in the caller's own account.
func (s *Server) authorizeService(rc *reqCtx) error {
	if rc.principal.Anonymous() {
		return s3err.AccessDenied
	}
	resource := authz.S3ARN("*", "")
	if rc.op.name == "CreateBucket" {
		resource = authz.S3ARN(rc.bucket, "")
	}
	d, err := rc.decideOn(rc.op.action, resource, "", "s3")
	if err != nil {
		return err
	}
	if !d.Allowed {
		return s3err.AccessDenied
	}
	rc.authz = &authzState{allowed: true}
	return nil
}

// authorizeBucket decides an operation on a bucket or object: the
// principal's identity policies (with groups and managed policies), its
// session policy, the bucket policy and, through an access point, the
// access point policy, combined by the AWS evaluation logic. Canned ACLs
// are one more source of Allow on plain buckets, as in S3; an explicit
// Deny beats them.
func (s *Server) authorizeBucket(rc *reqCtx, b *meta.Bucket) error {
	rc.authz = &authzState{}
	if rc.op.name == "DeleteObjects" {
		// Decided per key (s3:DeleteObject on each object), in deleteObjects.
		return nil
	}
	if bucketPolicyOps[rc.op.name] && rc.principal.IsRoot() && rc.principal.Account == b.Account {
		// S3's lock-out protection: the owning account's root can always
		// read, replace and delete the bucket policy, whatever it denies,
		// so a policy mistake never locks the owner out of its bucket.
		rc.authz.allowed = true
		return nil
	}
	d, err := rc.decide(b, rc.ap, rc.op.action, rc.key)
	if err != nil {
		return err
	}
	if d.ExplicitDeny {
		return s3err.AccessDenied
	}
	if d.Allowed {
		rc.authz.allowed = true
		return nil
	}
	anonymous := rc.principal.Anonymous()
	switch {
	case b.OutpostID != "":
		// S3 on Outposts has no ACLs.
	case rc.op.name == "GetObject" || rc.op.name == "HeadObject":
		return nil // decided with the object's ACL
	case rc.op.read && aclAllows(b.ACL, anonymous, "read"):
		return nil
	case rc.op.write && aclAllows(b.ACL, anonymous, "write"):
		return nil
	}
	return s3err.AccessDenied
}

// mayDeleteKey decides s3:DeleteObject on one key of a DeleteObjects
// request, or s3:DeleteObjectVersion when the entry names a version.
func (rc *reqCtx) mayDeleteKey(key, versionID string) bool {
	d, err := rc.decide(rc.bkt, rc.ap, objectAction("s3:DeleteObject", versionID != ""), key)
	if err != nil || d.ExplicitDeny {
		return false
	}
	return d.Allowed || (rc.bkt.OutpostID == "" && aclAllows(rc.bkt.ACL, rc.principal.Anonymous(), "write"))
}

// mayReadForDelete decides the s3:GetObject that a delete conditioned on
// an ETag needs besides s3:DeleteObject: by policy, or on a plain bucket
// by the current version's ACL, as a GET would be decided.
func (rc *reqCtx) mayReadForDelete(key string) bool {
	d, err := rc.decide(rc.bkt, rc.ap, "s3:GetObject", key)
	if err != nil || d.ExplicitDeny {
		return false
	}
	if d.Allowed {
		return true
	}
	if rc.bkt.OutpostID != "" {
		return false // S3 on Outposts has no ACLs
	}
	o, err := rc.s.cfg.Meta.GetObject(rc.r.Context(), rc.bkt.Name, key, "")
	return err == nil && aclAllows(o.ACL, rc.principal.Anonymous(), "read")
}

// mayReadSource decides s3:GetObject on the source of a copy, read through
// its own access point ap (or none), or s3:GetObjectVersion when the source
// names a version. It reports whether the policies allow it; the caller
// falls back to the object ACL.
func (rc *reqCtx) mayReadSource(b *meta.Bucket, ap *meta.AccessPoint, key, versionID string) (allowed, denied bool) {
	d, err := rc.decide(b, ap, objectAction("s3:GetObject", versionID != ""), key)
	if err != nil {
		return false, true
	}
	return d.Allowed, d.ExplicitDeny
}

// checkBucketPolicy validates a plain bucket's policy as S3 does: a valid
// resource policy whose resources all lie in the bucket.
// bucketPolicyOps are the operations the owner's root may always perform.
var bucketPolicyOps = map[string]bool{"GetBucketPolicy": true, "PutBucketPolicy": true, "DeleteBucketPolicy": true}

func checkBucketPolicy(bucket string, doc []byte) error {
	p, err := policy.ParseResourcePolicy(doc, policy.MaxBucketPolicySize)
	if err != nil {
		return s3err.MalformedPolicy.WithMessage(err.Error())
	}
	base := authz.S3ARN(bucket, "")
	for _, st := range p.Statements {
		for _, r := range append(append([]string(nil), st.Resource...), st.NotResource...) {
			if strings.Contains(r, "${") {
				continue // a policy variable: known only per request
			}
			if !globCanMatch(r, base, false) && !globCanMatch(r, base+"/", true) {
				return s3err.MalformedPolicy.WithMessage("Policy has invalid resource: " + r + " matches neither " + base + " nor an object in it")
			}
		}
	}
	return nil
}

// globCanMatch reports whether the resource pattern p (with * and ?) can
// match s exactly or, with prefix, some string that starts with s: as AWS
// accepts any resource of a bucket policy that can name the bucket or its
// objects ("arn:aws:s3:::*", "arn:aws:s3:::logs-*/2026/*").
func globCanMatch(p, s string, prefix bool) bool {
	// m[j]: the pattern read so far can have consumed exactly s[:j].
	m := make([]bool, len(s)+1)
	m[0] = true
	for i := 0; i < len(p); i++ {
		next := make([]bool, len(s)+1)
		switch p[i] {
		case '*':
			seen := false
			for j := 0; j <= len(s); j++ {
				seen = seen || m[j]
				next[j] = seen
			}
		default:
			for j := 0; j < len(s); j++ {
				if m[j] && (p[i] == '?' || p[i] == s[j]) {
					next[j+1] = true
				}
			}
		}
		if prefix && m[len(s)] {
			return true // s is consumed; the rest of p matches what follows
		}
		m = next
	}
	return m[len(s)]
}
