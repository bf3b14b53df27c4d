package server

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/outpost-s3/outpost/internal/auth"
	"github.com/outpost-s3/outpost/internal/iam"
	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/policy"
	"github.com/outpost-s3/outpost/internal/s3err"
	"github.com/outpost-s3/outpost/sigv4"
)

// identity is the server's IAM state: where identities live, the master
// key, the policy parse cache and the verifier of IAM/STS requests.
type identity struct {
	store    meta.IAMStore // the IAM part of the server's meta.Store
	keyring  *iam.Keyring
	policies iam.PolicyCache
}

func (s *Server) initIdentity() {
	id := &identity{store: s.cfg.Meta, keyring: s.cfg.Keyring}
	if id.keyring == nil {
		id.keyring = iam.NewRandomKeyring()
	}
	s.ident = id
}

// authzState is what authorize decided, for the handlers that refine it
// (object ACLs on GET, per-key DeleteObjects, copy sources).
type authzState struct {
	// allowed: the policies allow the operation (as opposed to an ACL).
	allowed bool
}

// allowAll is the implicit identity permission of an account's root user:
// everything in its own account, and, across accounts, whatever the other
// account's resource policies grant to it.
var allowAll = func() *policy.Policy {
	p, err := policy.ParseIdentityPolicy([]byte(`{"Version":"2012-10-17","Statement":[{"Sid":"RootUser","Effect":"Allow","Action":"*","Resource":"*"}]}`), 0)
	if err != nil {
		panic(err)
	}
	return p
}()

// identityPolicies loads, at every request, the identity policies of the
// principal and its session policies (nil when none), so that removing a
// permission, a user or a role takes effect on the next request, presigned
// URLs included. The user or role must still have the unique ID the
// credentials carry: one deleted and created again under the same name is
// another principal, and the old credentials get ErrNoSuchPrincipal.
func (s *Server) identityPolicies(ctx context.Context, p *auth.Principal) (ids, sess []*policy.Policy, err error) {
	if p.Anonymous() {
		return nil, nil, nil
	}
	switch p.Type {
	case policy.PrincipalAssumedRole:
		ids, err = iam.LoadIdentityPolicies(ctx, s.ident.store, &s.ident.policies, p.Account, meta.KindRole, p.RoleName, p.EntityID())
	case policy.PrincipalUser:
		ids, err = iam.LoadIdentityPolicies(ctx, s.ident.store, &s.ident.policies, p.Account, meta.KindUser, p.UserName, p.EntityID())
	default:
		ids = []*policy.Policy{allowAll}
	}
	if err != nil {
		return nil, nil, err
	}
	if p.Session != nil && (p.Session.Policy != "" || len(p.Session.PolicyArns) > 0) {
		sess = []*policy.Policy{} // non-nil: the session is bounded
		if p.Session.Policy != "" {
			sp, perr := s.ident.policies.Identity(p.Session.Policy)
			if perr != nil {
				return nil, nil, perr
			}
			sess = append(sess, sp)
		}
		// Managed session policies are read at each request, like the
		// role's own: a policy deleted since grants nothing.
		for _, a := range p.Session.PolicyArns {
			doc, err := iam.ManagedPolicyDocument(ctx, s.ident.store, a)
			if errors.Is(err, meta.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, nil, err
			}
			if sp, perr := s.ident.policies.Identity(doc); perr == nil {
				sess = append(sess, sp)
			}
		}
	}
	return ids, sess, nil
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

// s3Context adds the service's own keys (s3:… or s3-outposts:…).
func (rc *reqCtx) s3Context(c map[string][]string, svc string, b *meta.Bucket, ap *meta.AccessPoint) {
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
	if b != nil {
		set("resourceaccount", b.Account)
	}
	if ap != nil {
		set("dataaccesspointarn", accessPointARN(rc.s.cfg.Region, ap, ""))
		set("dataaccesspointaccount", ap.Account)
		origin := "Internet"
		if ap.VpcID != "" {
			origin = "VPC"
		}
		set("accesspointnetworkorigin", origin)
	}
}

// bucketARN is the policy resource of a bucket or one of its objects.
func bucketARN(region string, b *meta.Bucket, key string, object bool) string {
	if b.OutpostID == "" {
		if object {
			return "arn:aws:s3:::" + b.Name + "/" + key
		}
		return "arn:aws:s3:::" + b.Name
	}
	a := "arn:aws:s3-outposts:" + region + ":" + b.Account + ":outpost/" + b.OutpostID + "/bucket/" + b.Name
	if object {
		a += "/object/" + key
	}
	return a
}

// accessPointARN is an access point's ARN, or with a key its object ARN.
func accessPointARN(region string, ap *meta.AccessPoint, key string) string {
	a := "arn:aws:s3-outposts:" + region + ":" + ap.Account + ":outpost/" + ap.OutpostID + "/accesspoint/" + ap.Name
	if key != "" {
		a += "/object/" + key
	}
	return a
}

// actionFor maps an s3: action to the bucket's namespace: s3-outposts:
// for Outposts buckets.
func actionFor(b *meta.Bucket, action string) string {
	if b != nil && b.OutpostID != "" {
		if name, ok := strings.CutPrefix(action, "s3:"); ok {
			return "s3-outposts:" + name
		}
	}
	return action
}

// objectLevel reports whether an operation acts on an object (its policy
// resource is the object ARN).
func (rc *reqCtx) objectLevel() bool { return rc.key != "" }

// evaluate runs the policy engine for one action on one bucket resource.
// key is the object key for object actions; object says whether the
// resource is the object (key may be "" only for bucket resources).
func (rc *reqCtx) evaluate(b *meta.Bucket, action, key string, object bool, explain bool) (policy.Decision, error) {
	ctx := rc.r.Context()
	p := rc.principal
	ids, sess, err := rc.s.identityPolicies(ctx, p)
	if errors.Is(err, iam.ErrNoSuchPrincipal) {
		return policy.Decision{Reason: "the principal no longer exists"}, nil
	}
	if err != nil {
		return policy.Decision{}, err
	}
	ap := rc.viaAccessPoint()
	in := policy.EvalInput{
		Request: policy.Request{
			Action:   actionFor(b, action),
			Resource: bucketARN(rc.s.cfg.Region, b, key, object),
			Context:  rc.globalContext(),
		},
		ResourceAccount:  b.Account,
		IdentityPolicies: ids,
		SessionPolicies:  sess,
		Explain:          explain,
	}
	if p.Anonymous() {
		in.Principal = policy.Principal{Type: policy.PrincipalAnonymous}
	} else {
		in.Principal = p.Policy()
		in.PrincipalIsResourceOwnerRoot = p.IsRoot() && p.Account == b.Account
	}
	svc := "s3"
	if b.OutpostID != "" {
		svc = "s3-outposts"
	}
	rc.s3Context(in.Context, svc, b, ap)
	if doc, err := rc.s.cfg.Meta.GetBucketConfig(ctx, b.Name, "policy"); err == nil {
		bp, perr := rc.s.ident.policies.Resource(doc)
		if perr == nil {
			in.ResourcePolicies = []*policy.Policy{bp}
		} else {
			rc.s.log.Warn("stored bucket policy does not parse; ignored", "bucket", b.Name, "error", perr)
		}
	} else if !errors.Is(err, meta.ErrNotFound) {
		return policy.Decision{}, err
	}
	if ap != nil {
		in.ViaAccessPoint = true
		in.AccessPointResource = accessPointARN(rc.s.cfg.Region, ap, "")
		if object {
			in.AccessPointResource = accessPointARN(rc.s.cfg.Region, ap, key)
		}
		if ap.Policy != "" {
			app, perr := rc.s.ident.policies.Resource(ap.Policy)
			if perr == nil {
				in.AccessPointPolicy = app
			}
		}
	}
	if object && key != "" && needsExistingTags(svc, in) {
		if o, err := rc.s.cfg.Meta.GetObject(ctx, b.Name, key, rc.query.Get("versionId")); err == nil {
			for k, v := range o.Tags {
				in.Context[svc+":existingobjecttag/"+strings.ToLower(k)] = []string{v}
			}
		}
	}
	return policy.Evaluate(in), nil
}

// needsExistingTags reports whether any policy of the evaluation tests an
// ExistingObjectTag key, so the object is read only when it matters.
func needsExistingTags(svc string, in policy.EvalInput) bool {
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

// authorizeService decides operations without a bucket (ListBuckets) and
// CreateBucket: identity policies only, in the caller's own account.
func (s *Server) authorizeService(rc *reqCtx) error {
	p := rc.principal
	if p.Anonymous() {
		return s3err.AccessDenied
	}
	ids, sess, err := s.identityPolicies(rc.r.Context(), p)
	if errors.Is(err, iam.ErrNoSuchPrincipal) {
		return s3err.AccessDenied
	}
	if err != nil {
		return err
	}
	resource := "arn:aws:s3:::*"
	if rc.op.name == "CreateBucket" {
		resource = "arn:aws:s3:::" + rc.bucket
	}
	in := policy.EvalInput{
		Request: policy.Request{
			Action: rc.op.action, Resource: resource, Principal: p.Policy(), Context: rc.globalContext(),
		},
		ResourceAccount:  p.Account,
		IdentityPolicies: ids,
		SessionPolicies:  sess,
	}
	rc.s3Context(in.Context, "s3", nil, nil)
	if d := policy.Evaluate(in); !d.Allowed {
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
	d, err := rc.evaluate(b, rc.op.action, rc.key, rc.objectLevel(), false)
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
	d, err := rc.evaluate(rc.bkt, objectAction("s3:DeleteObject", versionID != ""), key, true, false)
	if err != nil || d.ExplicitDeny {
		return false
	}
	return d.Allowed || (rc.bkt.OutpostID == "" && aclAllows(rc.bkt.ACL, rc.principal.Anonymous(), "write"))
}

// mayReadForDelete decides the s3:GetObject that a delete conditioned on
// an ETag needs besides s3:DeleteObject: by policy, or on a plain bucket
// by the current version's ACL, as a GET would be decided.
func (rc *reqCtx) mayReadForDelete(key string) bool {
	d, err := rc.evaluate(rc.bkt, "s3:GetObject", key, true, false)
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

// mayReadSource decides s3:GetObject on the source of a copy, or
// s3:GetObjectVersion when the source names a version. It reports whether
// the policies allow it; the caller falls back to the object ACL.
func (rc *reqCtx) mayReadSource(b *meta.Bucket, key, versionID string) (allowed, denied bool) {
	d, err := rc.evaluate(b, objectAction("s3:GetObject", versionID != ""), key, true, false)
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
	base := "arn:aws:s3:::" + bucket
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
