package server

import (
	"errors"
	"strconv"
	"strings"

	"github.com/outpost-s3/outpost/arn"
	"github.com/outpost-s3/outpost/internal/auth"
	"github.com/outpost-s3/outpost/internal/authz"
	"github.com/outpost-s3/outpost/internal/iam"
	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/policy"
)

// Outpost's own administrative actions, served on the IAM endpoint with
// the same query protocol and signature (service iam), so `outpost admin`
// needs nothing but ordinary AWS credentials:
//
//   - CreateAccount, ListAccounts: only the root user of the server's
//     owning account (the operator) may call them.
//   - ExplainPolicy: evaluates a request server-side with the policies the
//     server would use and returns the decision and its statement trace.
//     The owning account's root may explain any principal; another
//     account's root only its own account's principals. Either sees a
//     resource policy in the trace only if it may read it (mayReadPolicies).
var adminActions = map[string]queryHandler{
	"CreateAccount": adminCreateAccount,
	"ListAccounts":  adminListAccounts,
	"ExplainPolicy": adminExplainPolicy,
}

func (q *queryCtx) requireOperator() error {
	if !q.p.IsRoot() || q.p.Account != q.rc.s.cfg.AccountID {
		return qerr(403, "AccessDenied", "User: %s is not authorized to perform: %s: only the root user of the server's owning account (%s) may.", q.p.ARN, q.action, q.rc.s.cfg.AccountID)
	}
	return nil
}

type xAccount struct {
	AccountID  string `xml:"AccountId"`
	Name       string `xml:"AccountName,omitempty"`
	Email      string `xml:"Email,omitempty"`
	Arn        string `xml:"Arn"`
	CreateDate string `xml:"CreateDate"`
}

func accountXML(a meta.Account) xAccount {
	return xAccount{AccountID: a.ID, Name: a.Name, Email: a.Email, Arn: iam.RootARN(a.ID), CreateDate: isoTime(a.CreatedAt)}
}

// adminCreateAccount creates an account and its root user's access key;
// the secret is in the response and nowhere else.
func adminCreateAccount(q *queryCtx) (any, error) {
	if err := q.requireOperator(); err != nil {
		return nil, err
	}
	st := q.rc.s.ident.store
	id := q.get("AccountId")
	if id == "" {
		id = iam.NewAccountID()
	} else if len(id) != 12 || strings.Trim(id, "0123456789") != "" {
		return nil, errValidation("AccountId must be 12 digits.")
	}
	ctx := q.rc.r.Context()
	now := q.rc.s.now().UTC()
	a := meta.Account{ID: id, Name: q.get("AccountName"), Email: q.get("Email"), CreatedAt: now}
	if err := st.CreateAccount(ctx, a); errors.Is(err, meta.ErrConflict) {
		return nil, errEntityExists("Account %s already exists.", id)
	} else if err != nil {
		return nil, err
	}
	keyID, secret := iam.NewAccessKeyID(), iam.NewSecret()
	if err := q.rc.s.cfg.Meta.PutAccessKey(ctx, meta.AccessKey{AccessKeyID: keyID, Secret: q.rc.s.ident.keyring.EncryptSecret(keyID, secret),
		Account: id, Status: "Active", CreatedAt: now}); err != nil {
		return nil, err
	}
	q.rc.s.log.Info("account created", "account", id, "by", q.p.ARN)
	return struct {
		Account   xAccount   `xml:"Account"`
		AccessKey xAccessKey `xml:"AccessKey"`
	}{accountXML(a), xAccessKey{AccessKeyID: keyID, SecretAccessKey: secret, Status: "Active", CreateDate: isoTime(now)}}, nil
}

func adminListAccounts(q *queryCtx) (any, error) {
	if err := q.requireOperator(); err != nil {
		return nil, err
	}
	st := q.rc.s.ident.store
	as, err := st.ListAccounts(q.rc.r.Context())
	if err != nil {
		return nil, err
	}
	res := struct {
		Accounts []xAccount `xml:"Accounts>member"`
	}{}
	for _, a := range as {
		res.Accounts = append(res.Accounts, accountXML(a))
	}
	return res, nil
}

// principalFromARN builds the principal an ARN names: an account root, an
// IAM user, a role (explained as a session of it without session policy)
// or an assumed-role session; "*" or "anonymous" is an anonymous caller.
func (q *queryCtx) principalFromARN(a string) (*auth.Principal, error) {
	if a == "*" || a == "anonymous" {
		return nil, nil
	}
	if len(a) == 12 && strings.Trim(a, "0123456789") == "" {
		a = iam.RootARN(a)
	}
	pa, err := arn.Parse(a)
	if err != nil {
		return nil, errValidation("PrincipalArn %q is not an ARN.", a)
	}
	acct, res := pa.AccountID, pa.Resource
	last := res[strings.LastIndexByte(res, '/')+1:]
	ctx := q.rc.r.Context()
	st := q.rc.s.ident.store
	switch {
	case pa.Service == "iam" && res == "root":
		return &auth.Principal{Account: acct, ARN: iam.RootARN(acct), Type: policy.PrincipalAccount, UserID: acct}, nil
	case pa.Service == "iam" && strings.HasPrefix(res, "user/"):
		u, err := st.GetIAMEntity(ctx, acct, meta.KindUser, last)
		if err != nil {
			return nil, errNoSuchEntity("The user with name %s cannot be found.", last)
		}
		return &auth.Principal{Account: acct, UserName: u.Name, ARN: iam.EntityARN(acct, meta.KindUser, u.Path, u.Name), Type: policy.PrincipalUser, UserID: u.ID}, nil
	case pa.Service == "iam" && strings.HasPrefix(res, "role/"):
		return q.rolePrincipal(acct, last, "explain")
	case pa.Service == "sts" && strings.HasPrefix(res, "assumed-role/"):
		role, session, _ := strings.Cut(strings.TrimPrefix(res, "assumed-role/"), "/")
		return q.rolePrincipal(acct, role, session)
	}
	return nil, errValidation("PrincipalArn %q names no user, role, session or account root.", a)
}

func (q *queryCtx) rolePrincipal(acct, name, session string) (*auth.Principal, error) {
	r, err := q.rc.s.ident.store.GetIAMEntity(q.rc.r.Context(), acct, meta.KindRole, name)
	if err != nil {
		return nil, errNoSuchEntity("The role with name %s cannot be found.", name)
	}
	return &auth.Principal{Account: acct, ARN: iam.AssumedRoleARN(acct, r.Name, session), Type: policy.PrincipalAssumedRole,
		RoleName: r.Name, RoleARN: iam.EntityARN(acct, meta.KindRole, r.Path, r.Name), UserID: r.ID + ":" + session}, nil
}

type xStatement struct {
	Source      string       `xml:"Source"`
	PolicyIndex int          `xml:"PolicyIndex"`
	Index       int          `xml:"Index"`
	Sid         string       `xml:"Sid,omitempty"`
	Effect      string       `xml:"Effect"`
	Applies     bool         `xml:"Applies"`
	Reason      string       `xml:"Reason"`
	Principal   string       `xml:"Principal,omitempty"`
	Conditions  []xCondition `xml:"Conditions>member"`
}

type xCondition struct {
	Operator      string   `xml:"Operator"`
	Key           string   `xml:"Key"`
	Values        []string `xml:"Values>member"`
	RequestValues []string `xml:"RequestValues>member"`
	Matched       bool     `xml:"Matched"`
	Note          string   `xml:"Note,omitempty"`
}

// adminExplainPolicy evaluates Action on Resource for PrincipalArn with
// the condition keys given as Context.member.N.Key / .Value (repeat a key
// for several values), by the same decision that enforces requests
// (authz.Decide): the action as enforced (s3:… is s3-outposts:… on an
// Outposts bucket), the bucket and access point policies, and the keys that
// follow from the resource (SVC:ResourceAccount, SVC:DataAccessPointArn,
// SVC:ExistingObjectTag/KEY of the object, of the version SVC:versionId
// names). Nothing else is assumed about the request: keys the request
// would carry (aws:SourceIp, s3-outposts:authType, …) apply only when
// given. Resource is a bucket or object ARN (arn:aws:s3:::B/K,
// …:outpost/OP/bucket/B/object/K) or an access point ARN
// (…:outpost/OP/accesspoint/AP[/object/K]), which adds the access point
// policy.
func adminExplainPolicy(q *queryCtx) (any, error) {
	principalARN, err := q.required("PrincipalArn")
	if err != nil {
		return nil, err
	}
	action, err := q.required("ActionName")
	if err != nil {
		return nil, err
	}
	resource, err := q.required("ResourceArn")
	if err != nil {
		return nil, err
	}
	p, err := q.principalFromARN(principalARN)
	if err != nil {
		return nil, err
	}
	operator := q.p.IsRoot() && q.p.Account == q.rc.s.cfg.AccountID
	if !operator && !(q.p.IsRoot() && p != nil && p.Account == q.p.Account) {
		return nil, qerr(403, "AccessDenied", "User: %s may explain only principals of its own account (as its root user).", q.p.ARN)
	}
	c := map[string][]string{}
	for i := 1; ; i++ {
		k := q.get("Context.member." + strconv.Itoa(i) + ".Key")
		if k == "" {
			break
		}
		k = strings.ToLower(k)
		c[k] = append(c[k], q.get("Context.member."+strconv.Itoa(i)+".Value"))
	}
	bucket, ap, key, err := q.resolveResource(resource)
	if err != nil {
		return nil, err
	}
	if err := q.mayReadPolicies(bucket, ap); err != nil {
		return nil, err
	}
	in := authz.Input{Principal: p, Action: action, Resource: resource, Context: c, Explain: true}
	if bucket != nil {
		in.Bucket, in.AccessPoint, in.Key = bucket, ap, key
	}
	d, err := q.rc.s.authorizer.Decide(q.rc.r.Context(), in)
	if err != nil {
		return nil, err
	}
	res := struct {
		Decision     string       `xml:"Decision"`
		ExplicitDeny bool         `xml:"ExplicitDeny"`
		Reason       string       `xml:"Reason"`
		Principal    string       `xml:"PrincipalArn"`
		Resource     string       `xml:"EvaluatedResource"`
		Statements   []xStatement `xml:"Statements>member"`
		Text         string       `xml:"Text"`
	}{Decision: "DENY", ExplicitDeny: d.ExplicitDeny, Reason: d.Reason, Principal: p.Policy().ARN, Resource: q.rc.s.authorizer.Resource(in), Text: d.String()}
	if d.Allowed {
		res.Decision = "ALLOW"
	}
	for _, st := range d.Trace {
		xs := xStatement{Source: string(st.Source), PolicyIndex: st.PolicyIndex, Index: st.Index, Sid: st.Sid, Effect: string(st.Effect),
			Applies: st.Applies, Reason: st.Reason, Principal: st.Principal}
		for _, cr := range st.Conditions {
			xs.Conditions = append(xs.Conditions, xCondition{Operator: cr.Operator, Key: cr.Key, Values: cr.Values, RequestValues: cr.RequestValues, Matched: cr.Matched, Note: cr.Note})
		}
		res.Statements = append(res.Statements, xs)
	}
	return res, nil
}

// mayReadPolicies refuses to explain a decision whose trace would show
// a resource policy the caller may not read: a bucket of another account
// needs s3:GetBucketPolicy (s3-outposts:GetBucketPolicy) allowed to the
// caller on it by the same evaluation that enforces GetBucketPolicy; an
// access point of another account is never readable, as S3 Control serves
// GetAccessPointPolicy only to the access point's own account.
func (q *queryCtx) mayReadPolicies(b *meta.Bucket, ap *meta.AccessPoint) error {
	region := q.rc.s.cfg.Region
	if ap != nil && ap.Account != q.p.Account {
		return qerr(403, "AccessDenied", "User: %s is not authorized to perform: s3-outposts:GetAccessPointPolicy on resource: %s", q.p.ARN, authz.AccessPointARN(region, ap, ""))
	}
	if b == nil || b.Account == q.p.Account {
		return nil
	}
	d, err := q.rc.decide(b, nil, "s3:GetBucketPolicy", "")
	if err != nil {
		return err
	}
	if !d.Allowed {
		return qerr(403, "AccessDenied", "User: %s is not authorized to perform: %s on resource: %s", q.p.ARN, authz.ActionFor(b, "s3:GetBucketPolicy"), authz.BucketARN(region, b, ""))
	}
	return nil
}

// resolveResource finds the bucket (and access point) a resource ARN
// names and the object key, "" for the bucket itself; bucket is nil for
// resources that are not S3 buckets or objects, and for buckets that do
// not exist.
func (q *queryCtx) resolveResource(a string) (b *meta.Bucket, ap *meta.AccessPoint, key string, err error) {
	ctx := q.rc.r.Context()
	ms := q.rc.s.cfg.Meta
	load := func(name string) (*meta.Bucket, error) {
		bk, err := ms.GetBucket(ctx, name)
		if errors.Is(err, meta.ErrNoSuchBucket) {
			// Explained as for a bucket of the principal's account
			// without a bucket policy.
			return nil, nil
		}
		return &bk, err
	}
	if r, err := arn.ParseS3(a); err == nil {
		if r.Partition != authz.Partition {
			return nil, nil, "", nil
		}
		b, err = load(r.Bucket)
		return b, nil, r.Key, err
	}
	r, err := arn.ParseOutposts(a)
	if err != nil || r.Partition != authz.Partition {
		return nil, nil, "", nil
	}
	parent := r.Kind
	if r.Kind == arn.KindObject {
		parent, key = r.ObjectParent, r.Key
	}
	switch parent {
	case arn.KindBucket:
		b, err = load(r.Bucket)
		return b, nil, key, err
	case arn.KindAccessPoint:
		apv, err := ms.GetAccessPoint(ctx, r.AccountID, r.OutpostID, r.AccessPoint)
		if err != nil {
			return nil, nil, "", errNoSuchEntity("The access point %s does not exist.", r.AccessPoint)
		}
		b, err = load(apv.Bucket)
		return b, &apv, key, err
	}
	return nil, nil, "", nil
}
