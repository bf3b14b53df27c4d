// Package authz is Outpost's one decision point: every request that needs a
// permission — S3, S3 Control, s3outposts, IAM, STS — and the ExplainPolicy
// admin action describe it as an [Input] and call [Authorizer.Decide], which
// gathers the policies that apply (the principal's identity and session
// policies, the bucket policy, the access point policy, a role's trust
// policy), names the action and the resource as S3 on Outposts does, adds the
// condition keys that follow from the resource, and runs policy.Evaluate.
// Nothing else builds a policy.EvalInput, so what ExplainPolicy reports is
// what is enforced.
//
// The package knows nothing of HTTP: the keys a request carries (aws:SourceIp,
// s3:authType, headers, the network it came from) are computed by the API
// layer and passed in Input.Context.
package authz

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/outpost-s3/outpost/arn"
	"github.com/outpost-s3/outpost/internal/iam"
	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/policy"
)

// Config is what an Authorizer reads policies from.
type Config struct {
	// Region is the server's region, the region of every Outposts ARN.
	Region string
	// Meta holds bucket policies and objects (for their tags).
	Meta meta.Store
	// IAM holds users, roles, groups and managed policies; nil when the
	// metadata store has no IAM tables (then only account roots exist).
	IAM meta.IAMStore
	// Logger receives a warning for a stored policy that does not parse;
	// nil discards.
	Logger *slog.Logger
}

// Authorizer decides requests. It keeps no per-request state: policies are
// read from the stores at every decision (parsed documents are cached by
// their text), so a permission taken away stops the next request.
type Authorizer struct {
	region   string
	meta     meta.Store
	iam      meta.IAMStore
	log      *slog.Logger
	policies iam.PolicyCache
}

// New returns an Authorizer over cfg's stores.
func New(cfg Config) *Authorizer {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Authorizer{region: cfg.Region, meta: cfg.Meta, iam: cfg.IAM, log: cfg.Logger}
}

// Input is one question to Decide: may Principal perform Action on a
// resource?
//
// The resource is a bucket (Key "") or an object of it when Bucket is set,
// reached directly or through AccessPoint; otherwise it is Resource, owned by
// Account.
type Input struct {
	// Principal is who asks; nil (or an anonymous principal) for an unsigned
	// request.
	Principal *iam.Principal
	// Action is the IAM action, e.g. s3:GetObject. On an Outposts bucket an
	// s3: action is decided as its s3-outposts: twin ([ActionFor]).
	Action string

	// Bucket is the bucket acted on, or the bucket of the object acted on;
	// its policy applies. nil for resources that are not in a bucket.
	Bucket *meta.Bucket
	// Key is the object key; "" means the bucket itself.
	Key string
	// AccessPoint, with Bucket, is the access point the request came
	// through: its policy applies too, and policies see the resource in
	// both its bucket and its access point forms. Without Bucket, it is the
	// access point an S3 Control operation acts on: its condition keys are
	// set, and its policy is not consulted (S3 Control decides access point
	// operations by the caller's identity policies).
	AccessPoint *meta.AccessPoint

	// Resource is the ARN acted on when Bucket is nil (built with the arn
	// package: an outpost, an access point, an endpoint, an IAM entity, a
	// role, "*").
	Resource string
	// Account owns Resource when Bucket is nil; "" means the principal's
	// own account.
	Account string
	// Role, for sts:AssumeRole, is the role to assume: its trust policy is
	// evaluated as the resource policy, under AWS's rule for role trust,
	// and it owns the resource (Account is ignored).
	Role *meta.IAMEntity

	// Context holds the condition keys of the request, lower-case, as the
	// API layer computed them: aws:SourceIp, aws:SourceVpc, aws:CurrentTime,
	// SVC:authType, SVC:signatureAge, header keys (SVC:x-amz-acl, …),
	// SVC:versionId (which also picks the object version whose tags
	// SVC:ExistingObjectTag reads). Decide adds to it the keys that follow
	// from the resource — SVC:ResourceAccount, SVC:DataAccessPointArn,
	// SVC:DataAccessPointAccount, SVC:AccessPointNetworkOrigin,
	// SVC:ExistingObjectTag/KEY — where the map does not hold them already.
	// SVC is s3 or s3-outposts ([Service]).
	Context map[string][]string
	// Explain records every statement in the Decision's trace, not only
	// those that applied.
	Explain bool
}

// Decide evaluates in by the AWS policy evaluation logic: identity and
// session policies, the bucket policy, the access point policy and a trust
// policy, explicit Deny first. It returns an error when a store fails or a
// session or trust policy does not parse (the request is then refused); a
// principal deleted since its credentials were issued is a denial.
func (a *Authorizer) Decide(ctx context.Context, in Input) (policy.Decision, error) {
	p := in.Principal
	ids, sess, err := a.identityPolicies(ctx, p)
	if errors.Is(err, iam.ErrNoSuchPrincipal) {
		return policy.Decision{Reason: "the principal no longer exists"}, nil
	}
	if err != nil {
		return policy.Decision{}, err
	}
	ev := policy.EvalInput{
		Request: policy.Request{
			Action:    ActionFor(in.Bucket, in.Action),
			Resource:  a.Resource(in),
			Principal: p.Policy(),
			Context:   in.Context,
		},
		ResourceAccount:  in.Account,
		IdentityPolicies: ids,
		SessionPolicies:  sess,
		Explain:          in.Explain,
	}
	if ev.Context == nil {
		ev.Context = map[string][]string{}
	}
	svc := arn.ServiceOutposts // access points are S3 on Outposts resources
	if b := in.Bucket; b != nil {
		svc = Service(b)
		ev.ResourceAccount = b.Account
		setKey(ev.Context, svc+":resourceaccount", b.Account)
		if err := a.bucketPolicy(ctx, b, &ev); err != nil {
			return policy.Decision{}, err
		}
	} else if in.Role != nil {
		ev.ResourceAccount = in.Role.Account
	} else if ev.ResourceAccount == "" && !p.Anonymous() {
		ev.ResourceAccount = p.Account
	}
	if ap := in.AccessPoint; ap != nil {
		setKey(ev.Context, svc+":dataaccesspointarn", AccessPointARN(a.region, ap, ""))
		setKey(ev.Context, svc+":dataaccesspointaccount", ap.Account)
		origin := "Internet"
		if ap.VpcID != "" {
			origin = "VPC"
		}
		setKey(ev.Context, svc+":accesspointnetworkorigin", origin)
		if in.Bucket != nil {
			ev.ViaAccessPoint = true
			ev.AccessPointResource = AccessPointARN(a.region, ap, in.Key)
			if ap.Policy != "" {
				if app, err := a.policies.Resource(ap.Policy); err == nil {
					ev.AccessPointPolicy = app
				}
			}
		}
	}
	ev.PrincipalIsResourceOwnerRoot = p.IsRoot() && p.Account == ev.ResourceAccount
	if in.Role != nil {
		trust, err := a.policies.Trust(in.Role.TrustPolicy)
		if err != nil {
			return policy.Decision{}, err
		}
		ev.ResourcePolicies = []*policy.Policy{trust}
	}
	if in.Bucket != nil && in.Key != "" && needsExistingTags(svc, &ev) {
		a.existingTags(ctx, svc, in.Bucket, in.Key, &ev)
	}
	d := policy.Evaluate(ev)
	if in.Role != nil {
		d.Allowed = trustAllows(d, !p.Anonymous() && p.Account == ev.ResourceAccount, sess != nil)
	}
	return d, nil
}

// Resource is the ARN the policies of in see: the bucket or object ARN when
// in names a bucket, in.Resource otherwise.
func (a *Authorizer) Resource(in Input) string {
	if in.Bucket != nil {
		return BucketARN(a.region, in.Bucket, in.Key)
	}
	return in.Resource
}

// bucketPolicy adds b's policy, if it has one, to ev. A stored policy that
// does not parse (written by an older version) is ignored with a warning.
func (a *Authorizer) bucketPolicy(ctx context.Context, b *meta.Bucket, ev *policy.EvalInput) error {
	doc, err := a.meta.GetBucketConfig(ctx, b.Name, "policy")
	if errors.Is(err, meta.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	bp, err := a.policies.Resource(doc)
	if err != nil {
		a.log.Warn("stored bucket policy does not parse; ignored", "bucket", b.Name, "error", err)
		return nil
	}
	ev.ResourcePolicies = []*policy.Policy{bp}
	return nil
}

// existingTags adds SVC:ExistingObjectTag/KEY for each tag of the object
// (the version SVC:versionId names, else the current one). An object that
// cannot be read has no tags.
func (a *Authorizer) existingTags(ctx context.Context, svc string, b *meta.Bucket, key string, ev *policy.EvalInput) {
	version := ""
	if vs := ev.Context[svc+":versionid"]; len(vs) > 0 {
		version = vs[0]
	}
	o, err := a.meta.GetObject(ctx, b.Name, key, version)
	if err != nil {
		return
	}
	for k, v := range o.Tags {
		setKey(ev.Context, svc+":existingobjecttag/"+strings.ToLower(k), v)
	}
}

// setKey sets a condition key that follows from the resource unless the
// context already holds it (ExplainPolicy's caller may give it).
func setKey(c map[string][]string, k, v string) {
	if _, ok := c[k]; !ok {
		c[k] = []string{v}
	}
}

// needsExistingTags reports whether any policy of the evaluation tests an
// ExistingObjectTag key, so the object is read only when it matters.
func needsExistingTags(svc string, in *policy.EvalInput) bool {
	prefix := svc + ":existingobjecttag/"
	check := func(ps []*policy.Policy) bool {
		for _, p := range ps {
			if p == nil {
				continue
			}
			for _, st := range p.Statements {
				for _, c := range st.Conditions {
					if strings.HasPrefix(strings.ToLower(c.Key), prefix) {
						return true
					}
				}
			}
		}
		return false
	}
	return check(in.IdentityPolicies) || check(in.SessionPolicies) || check(in.ResourcePolicies) || check([]*policy.Policy{in.AccessPointPolicy})
}

// Values of policy.StatementResult.Principal for trust statements that
// name the caller itself (rather than its account).
var directPrincipalMatches = map[string]bool{"exact principal": true, "wildcard principal": true, "role of the session": true}

// trustAllows applies AWS's rule for role trust to a decision over the
// trust policy (as the resource policy) and the caller's identity
// policies: the trust policy must allow; the caller's identity policies
// must allow as well unless the trust policy names the caller itself and
// the role is in the caller's account.
func trustAllows(d policy.Decision, sameAccount, hasSession bool) bool {
	if d.ExplicitDeny {
		return false
	}
	trust, direct, identity, session := false, false, false, !hasSession
	for _, st := range d.Trace {
		if !st.Applies || st.Effect != policy.Allow {
			continue
		}
		switch st.Source {
		case policy.SourceBucket:
			trust = true
			direct = direct || directPrincipalMatches[st.Principal]
		case policy.SourceIdentity:
			identity = true
		case policy.SourceSession:
			session = true
		}
	}
	return trust && ((identity && session) || (sameAccount && direct))
}
