package policy

import (
	"fmt"
	"strings"
)

// PrincipalType says what kind of identity made a request. The values
// are those of the aws:PrincipalType condition key
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principaltype).
type PrincipalType string

// Principal types.
const (
	PrincipalAccount     PrincipalType = "Account"     // the account root user
	PrincipalUser        PrincipalType = "User"        // an IAM user
	PrincipalAssumedRole PrincipalType = "AssumedRole" // a role session from sts:AssumeRole*
	PrincipalService     PrincipalType = "Service"     // an AWS service principal; ARN holds its name
	PrincipalAnonymous   PrincipalType = "Anonymous"   // an unauthenticated request
)

// Principal is the authenticated identity behind a request.
type Principal struct {
	// ARN is the caller's ARN: arn:aws:iam::ACCOUNT:root, …:user/NAME, or
	// for role sessions arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION.
	ARN     string
	Account string // 12-digit account ID; empty for anonymous
	Type    PrincipalType
	// UserID is the aws:userid value: the unique ID of a user
	// (AIDA…), "ROLEID:SESSION" for a role session, the account ID for root.
	UserID string
	// Username is aws:username; AWS defines it for IAM users only.
	Username string
	// RoleARN is the IAM role of a role session (with its path); if empty,
	// it is derived from ARN when needed.
	RoleARN string
	// CanonicalUser is the canonical user ID, matched by CanonicalUser principals.
	CanonicalUser string
}

// Request is what a policy is evaluated against.
type Request struct {
	Action    string // e.g. "s3-outposts:GetObject"; matched case-insensitively
	Resource  string // the ARN of the resource, e.g. an Outposts object ARN
	Principal Principal
	// Context holds the request's condition keys (aws:SourceIp,
	// s3-outposts:signatureAge, …). Keys must be lower-case; a key may have
	// several values (multi-valued keys such as aws:TagKeys).
	Context map[string][]string
}

// lookup returns the values of a condition key. Keys are case-insensitive.
// Keys the caller did not put in Context but that follow from the principal
// (aws:username, aws:userid, aws:PrincipalAccount, aws:PrincipalArn,
// aws:PrincipalType) are derived from it.
func (r *Request) lookup(key string) ([]string, bool) {
	if r == nil {
		return nil, false
	}
	k := key
	for i := 0; i < len(k); i++ {
		if c := k[i]; c >= 'A' && c <= 'Z' {
			k = strings.ToLower(k)
			break
		}
	}
	if v, ok := r.Context[k]; ok {
		return v, true
	}
	p := &r.Principal
	if p.Type == PrincipalAnonymous || p.Type == "" {
		return nil, false
	}
	switch k {
	case "aws:username":
		if p.Type == PrincipalUser && p.Username != "" {
			return []string{p.Username}, true
		}
	case "aws:userid":
		if p.UserID != "" {
			return []string{p.UserID}, true
		}
	case "aws:principalaccount":
		if p.Account != "" {
			return []string{p.Account}, true
		}
	case "aws:principalarn":
		// For role sessions aws:PrincipalArn is the role's ARN, not the session's.
		if p.Type == PrincipalAssumedRole {
			if role := p.roleARN(); role != "" {
				return []string{role}, true
			}
		}
		if p.ARN != "" {
			return []string{p.ARN}, true
		}
	case "aws:principaltype":
		return []string{string(p.Type)}, true
	}
	return nil, false
}

// roleARN returns the role ARN of an assumed-role session, derived from
// arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION when RoleARN is empty
// (the derived ARN has no path).
func (p *Principal) roleARN() string {
	if p.RoleARN != "" {
		return p.RoleARN
	}
	part, acct, role, _, ok := splitSessionARN(p.ARN)
	if !ok {
		return ""
	}
	return "arn:" + part + ":iam::" + acct + ":role/" + role
}

func splitSessionARN(a string) (partition, account, role, session string, ok bool) {
	parts := strings.SplitN(a, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sts" {
		return "", "", "", "", false
	}
	rest, found := strings.CutPrefix(parts[5], "assumed-role/")
	if !found {
		return "", "", "", "", false
	}
	role, session, ok = strings.Cut(rest, "/")
	return parts[1], parts[4], role, session, ok && role != "" && session != ""
}

// principalMatch says how a Principal element matched.
type principalMatch uint8

const (
	pmNone     principalMatch = iota
	pmWildcard                // "*"
	pmAccount                 // account ID or account root ARN
	pmRole                    // the role of a role session
	pmExact                   // the user ARN, session ARN, service or canonical user
)

func (m principalMatch) String() string {
	return [...]string{"no match", "wildcard principal", "account principal", "role of the session", "exact principal"}[m]
}

// matchPrincipals implements the Principal element rules
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html):
// "*" and {"AWS":"*"} match everyone, anonymous included; an account ID or
// arn:…:iam::ACCOUNT:root matches every principal of that account; a role ARN
// matches sessions of that role (role paths are not part of session ARNs,
// so the role is compared by account and name); other ARNs match exactly.
func matchPrincipals(ps *Principals, p *Principal) principalMatch {
	if ps.Wildcard {
		return pmWildcard
	}
	best := pmNone
	if p.Type == PrincipalService {
		for _, s := range ps.Service {
			if s == p.ARN {
				return pmExact
			}
		}
		return pmNone
	}
	if p.CanonicalUser != "" {
		for _, c := range ps.CanonicalUser {
			if c == p.CanonicalUser {
				return pmExact
			}
		}
	}
	if p.Type == PrincipalAnonymous || p.Type == "" {
		return pmNone
	}
	for _, a := range ps.AWS {
		if a == p.ARN {
			return pmExact
		}
		if isAccountID(a) {
			if a == p.Account && best < pmAccount {
				best = pmAccount
			}
			continue
		}
		parts := strings.SplitN(a, ":", 6)
		if len(parts) != 6 {
			continue
		}
		switch {
		case parts[2] == "iam" && parts[5] == "root":
			if parts[4] == p.Account && best < pmAccount {
				best = pmAccount
			}
		case parts[2] == "iam" && strings.HasPrefix(parts[5], "role/") && p.Type == PrincipalAssumedRole:
			if a == p.RoleARN {
				best = pmRole
				continue
			}
			part, acct, role, _, ok := splitSessionARN(p.ARN)
			name := parts[5][strings.LastIndexByte(parts[5], '/')+1:]
			if ok && parts[1] == part && parts[4] == acct && name == role && (p.RoleARN == "" || p.RoleARN == a) {
				best = pmRole
			}
		}
	}
	return best
}

// PolicySource names the kind of policy a statement came from.
type PolicySource string

// Policy sources, in the order Evaluate examines them.
const (
	SourceIdentity    PolicySource = "identity"
	SourceSession     PolicySource = "session"
	SourceBucket      PolicySource = "bucket"
	SourceAccessPoint PolicySource = "access point"
)

// EvalInput is everything Evaluate needs for one request.
type EvalInput struct {
	Request
	// ResourceAccount owns the bucket (and its access points).
	ResourceAccount string
	// IdentityPolicies are all policies attached to the principal: inline,
	// managed and those of the user's groups.
	IdentityPolicies []*Policy
	// SessionPolicies are the session policies of an assumed-role or
	// federated session; nil means the session has none.
	SessionPolicies []*Policy
	// ResourcePolicies are the bucket policy (normally zero or one).
	ResourcePolicies []*Policy
	// AccessPointPolicy is the policy of the access point the request came
	// through, if ViaAccessPoint.
	AccessPointPolicy *Policy
	ViaAccessPoint    bool
	// AccessPointResource is the resource the access point policy sees:
	// the access point ARN form (…/accesspoint/NAME/object/KEY) of what
	// Request.Resource names in the bucket form. "" means Request.Resource.
	// Identity and session policies are evaluated against both forms: an
	// Allow of either counts, and so does a Deny of either.
	AccessPointResource string
	// PrincipalIsResourceOwnerRoot is set when the caller is the root user of
	// ResourceAccount, which is implicitly allowed by identity.
	PrincipalIsResourceOwnerRoot bool
	// Explain records every statement in Decision.Trace, not only the ones
	// that applied.
	Explain bool
}

// StatementResult explains one statement's evaluation.
type StatementResult struct {
	Source      PolicySource
	PolicyIndex int    // index within its source list
	PolicyID    string // the policy's Id element
	Index       int    // index in the Statement array
	Sid         string
	Effect      Effect
	Applies     bool   // action, resource, principal and every condition matched
	Reason      string // why it applies or not
	Principal   string // how the principal matched, for resource policies
	Conditions  []ConditionResult
}

// Decision is the outcome of Evaluate.
type Decision struct {
	Allowed      bool
	ExplicitDeny bool
	// Reason summarises the decision in one sentence.
	Reason string
	// Trace lists the statements that applied, or all statements when
	// EvalInput.Explain is set.
	Trace []StatementResult
}

// String formats the decision and its trace for humans
// ("outpost admin policy explain").
func (d Decision) String() string {
	var b strings.Builder
	verdict := "DENY"
	if d.Allowed {
		verdict = "ALLOW"
	}
	fmt.Fprintf(&b, "%s: %s\n", verdict, d.Reason)
	for _, s := range d.Trace {
		id := s.Sid
		if id == "" {
			id = "-"
		}
		fmt.Fprintf(&b, "  %s policy %d statement %d (Sid %s) %s: applies=%v: %s", s.Source, s.PolicyIndex, s.Index, id, s.Effect, s.Applies, s.Reason)
		if s.Principal != "" {
			fmt.Fprintf(&b, " [%s]", s.Principal)
		}
		b.WriteByte('\n')
		for _, c := range s.Conditions {
			fmt.Fprintf(&b, "    %s %s %q vs request %q: %v (%s)\n", c.Operator, c.Key, c.Values, c.RequestValues, c.Matched, c.Note)
		}
	}
	return b.String()
}

// setResult is the outcome of one group of policies.
type setResult struct {
	allow, deny bool
	// allowDirect: an allow came from a resource policy naming the caller
	// exactly (user, session ARN) or "*", so session policies don't limit it.
	allowDirect bool
}

// or combines the outcomes of one policy group for two resources.
func (s setResult) or(o setResult) setResult {
	return setResult{allow: s.allow || o.allow, deny: s.deny || o.deny, allowDirect: s.allowDirect || o.allowDirect}
}

// evalStatement decides whether one statement applies to the request.
// lowerAction is r.Action in lower case.
func evalStatement(s *Statement, r *Request, lowerAction string, vars, resource, explain bool, out *StatementResult) (bool, principalMatch) {
	pm := pmNone
	if resource {
		switch {
		case s.Principal != nil:
			pm = matchPrincipals(s.Principal, &r.Principal)
			if pm == pmNone {
				out.Reason = "principal not matched"
				return false, pm
			}
		case s.NotPrincipal != nil:
			if matchPrincipals(s.NotPrincipal, &r.Principal) != pmNone {
				out.Reason = "principal excluded by NotPrincipal"
				return false, pm
			}
			pm = pmExact
		}
		out.Principal = pm.String()
	}
	if s.Action != nil {
		if !matchActions(s, s.Action, lowerAction) {
			out.Reason = "action not matched"
			return false, pm
		}
	} else if matchActions(s, s.NotAction, lowerAction) {
		out.Reason = "action excluded by NotAction"
		return false, pm
	}
	if s.Resource != nil {
		m, ok := matchResources(s, s.Resource, r, vars)
		if !ok {
			out.Reason = "unresolvable policy variable in Resource"
			return false, pm
		}
		if !m {
			out.Reason = "resource not matched"
			return false, pm
		}
	} else {
		m, ok := matchResources(s, s.NotResource, r, vars)
		if !ok {
			out.Reason = "unresolvable policy variable in NotResource"
			return false, pm
		}
		if m {
			out.Reason = "resource excluded by NotResource"
			return false, pm
		}
	}
	for i := range s.Conditions {
		res, ok := evalCondition(&s.Conditions[i], r, vars, explain)
		if explain || !ok || !res.Matched {
			out.Conditions = append(out.Conditions, res)
		}
		if !ok {
			out.Reason = "unresolvable policy variable in Condition"
			return false, pm
		}
		if !res.Matched {
			out.Reason = "condition not met: " + res.Operator + " " + res.Key
			return false, pm
		}
	}
	out.Reason = "action, resource, principal and conditions matched"
	return true, pm
}

// matchActions matches the lower-cased action case-insensitively, using the
// statement's precompiled patterns when present.
func matchActions(s *Statement, patterns []string, lowerAction string) bool {
	for i, p := range patterns {
		if p == "*" {
			return true
		}
		if len(s.actionPats) == len(patterns) {
			if globTokens(s.actionPats[i], lowerAction) {
				return true
			}
		} else if wildcardMatch(p, lowerAction, true) {
			return true
		}
	}
	return false
}

// matchResources reports whether any pattern matches; ok is false if a
// policy variable could not be resolved (the statement then does not apply).
func matchResources(s *Statement, patterns []string, r *Request, vars bool) (matched, ok bool) {
	for i, p := range patterns {
		if p == "*" {
			return true, true
		}
		var pat []tok
		if len(s.resourcePats) == len(patterns) && s.resourcePats[i] != nil {
			pat = s.resourcePats[i]
		} else if pat, ok = compile(p, r, vars, true); !ok {
			return false, false
		}
		if arnPatternMatch(pat, r.Resource) {
			return true, true
		}
	}
	return false, true
}

func evalSet(src PolicySource, ps []*Policy, r *Request, resource, explain bool, d *Decision) setResult {
	var res setResult
	lowerAction := strings.ToLower(r.Action)
	for pi, p := range ps {
		if p == nil {
			continue
		}
		vars := p.Version == Version20121017
		for si := range p.Statements {
			s := &p.Statements[si]
			sr := StatementResult{Source: src, PolicyIndex: pi, PolicyID: p.ID, Index: si, Sid: s.Sid, Effect: s.Effect}
			applies, pm := evalStatement(s, r, lowerAction, vars, resource, explain, &sr)
			sr.Applies = applies
			if applies {
				if s.Effect == Deny {
					res.deny = true
				} else {
					res.allow = true
					if pm == pmExact || pm == pmWildcard {
						res.allowDirect = true
					}
				}
			}
			if applies || explain {
				d.Trace = append(d.Trace, sr)
			}
		}
	}
	return res
}

// Evaluate applies the AWS policy evaluation logic
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)
// to one request:
//
//  1. An explicit Deny in any applicable policy (identity, session, bucket,
//     access point) denies.
//  2. Anonymous callers are allowed only by resource policies whose
//     Principal is "*" (and, through an access point, by both the access
//     point and the bucket policy).
//  3. Identity permission is: some identity policy allows (the resource
//     owner's root user is implicitly allowed), and, if the session has
//     session policies, a session policy allows too.
//  4. A bucket-policy Allow counts on its own when it names the caller
//     exactly (user ARN, role-session ARN) or "*"; when it names the
//     caller's role or account it is also limited by session policies, as
//     AWS documents for session policies.
//  5. Same account, direct to the bucket: identity permission OR bucket
//     policy allow. Cross account: both.
//  6. Through an access point, both sides must permit: the bucket side
//     (bucket policy allow, or same account and identity permission) AND
//     the access point side (access point policy allow, or same account and
//     identity permission); a cross-account caller also needs identity
//     permission. This models buckets whose policy delegates access control
//     to access points (https://docs.aws.amazon.com/AmazonS3/latest/s3-outposts/S3OutpostsIAM.html).
func Evaluate(in EvalInput) Decision {
	var d Decision
	r := &in.Request
	id := evalSet(SourceIdentity, in.IdentityPolicies, r, false, in.Explain, &d)
	sess := evalSet(SourceSession, in.SessionPolicies, r, false, in.Explain, &d)
	bucket := evalSet(SourceBucket, in.ResourcePolicies, r, true, in.Explain, &d)
	rAP := r
	if in.ViaAccessPoint && in.AccessPointResource != "" && in.AccessPointResource != r.Resource {
		c := *r
		c.Resource = in.AccessPointResource
		rAP = &c
		id = id.or(evalSet(SourceIdentity, in.IdentityPolicies, rAP, false, in.Explain, &d))
		sess = sess.or(evalSet(SourceSession, in.SessionPolicies, rAP, false, in.Explain, &d))
	}
	var ap setResult
	if in.ViaAccessPoint && in.AccessPointPolicy != nil {
		ap = evalSet(SourceAccessPoint, []*Policy{in.AccessPointPolicy}, rAP, true, in.Explain, &d)
	}

	if id.deny || sess.deny || bucket.deny || ap.deny {
		d.ExplicitDeny = true
		d.Reason = "explicitly denied by a " + firstDenySource(id, sess, bucket, ap) + " policy"
		return d
	}

	anonymous := r.Principal.Type == PrincipalAnonymous || r.Principal.Type == ""
	sessionOK := in.SessionPolicies == nil || sess.allow
	identityOK := false
	if !anonymous {
		ownerRoot := in.PrincipalIsResourceOwnerRoot ||
			(r.Principal.Type == PrincipalAccount && r.Principal.Account == in.ResourceAccount && in.ResourceAccount != "")
		identityOK = (id.allow || ownerRoot) && sessionOK
	}
	sameAccount := !anonymous && r.Principal.Account != "" && r.Principal.Account == in.ResourceAccount
	resourceOK := func(s setResult) bool {
		return s.allowDirect || (s.allow && sessionOK && !anonymous)
	}

	if r.Principal.Type == PrincipalService {
		// Service principals have no identity policies: only resource
		// policies naming the service can allow them.
		d.Allowed = bucket.allow && (!in.ViaAccessPoint || ap.allow)
		d.Reason = pick(d.Allowed, "allowed for the service principal by the resource policies", "implicitly denied: no resource policy allows the service principal")
		return d
	}
	if !in.ViaAccessPoint {
		switch {
		case anonymous:
			d.Allowed = bucket.allowDirect
			d.Reason = pick(d.Allowed, "allowed for an anonymous caller by a bucket policy with a wildcard principal", "implicitly denied: no bucket policy statement allows anonymous access")
		case sameAccount:
			d.Allowed = identityOK || resourceOK(bucket)
			d.Reason = pick(d.Allowed, sameAccountReason(identityOK, "bucket"), "implicitly denied: neither an identity policy nor the bucket policy allows the request"+sessionNote(in, sess))
		default:
			d.Allowed = identityOK && resourceOK(bucket)
			d.Reason = pick(d.Allowed, "allowed cross-account by an identity policy and the bucket policy", crossReason(identityOK, resourceOK(bucket), "bucket policy"))
		}
		return d
	}

	bucketSide := resourceOK(bucket) || (sameAccount && identityOK)
	apSide := resourceOK(ap) || (sameAccount && identityOK)
	if anonymous {
		bucketSide, apSide = bucket.allowDirect, ap.allowDirect
	}
	d.Allowed = bucketSide && apSide && (sameAccount || anonymous || identityOK)
	switch {
	case d.Allowed:
		d.Reason = "allowed through the access point: both the access point side and the bucket side permit the request"
	case !apSide:
		d.Reason = "implicitly denied: the access point policy does not permit the request"
	case !bucketSide:
		d.Reason = "implicitly denied: the bucket policy does not permit the request made through the access point"
	default:
		d.Reason = "implicitly denied: a cross-account caller also needs an identity policy that allows the request"
	}
	return d
}

func pick(ok bool, yes, no string) string {
	if ok {
		return yes
	}
	return no
}

func sameAccountReason(identityOK bool, res string) string {
	if identityOK {
		return "allowed by an identity policy (same account)"
	}
	return "allowed by the " + res + " policy (same account)"
}

func crossReason(identityOK, resourceOK bool, res string) string {
	switch {
	case !identityOK && !resourceOK:
		return "implicitly denied: a cross-account request needs both an identity policy and the " + res + " to allow it; neither does"
	case !identityOK:
		return "implicitly denied: the " + res + " allows the cross-account request but no identity policy does"
	default:
		return "implicitly denied: an identity policy allows the cross-account request but the " + res + " does not"
	}
}

func sessionNote(in EvalInput, sess setResult) string {
	if in.SessionPolicies != nil && !sess.allow {
		return " (the session policy does not allow it)"
	}
	return ""
}

func firstDenySource(id, sess, bucket, ap setResult) string {
	switch {
	case id.deny:
		return string(SourceIdentity)
	case sess.deny:
		return string(SourceSession)
	case bucket.deny:
		return string(SourceBucket)
	}
	return string(SourceAccessPoint)
}

// ValidateOutpostsResourcePolicy applies the S3 on Outposts rule for bucket
// and access point policies: "You can't write a policy for an S3 on Outposts
// bucket that uses a wildcard character (*) in the Principal element unless
// the policy also includes a Condition that limits access to a specific IP
// address range"
// (https://docs.aws.amazon.com/AmazonS3/latest/s3-outposts/S3OutpostsIAM.html#S3OutpostsPrincipal).
//
// Every Allow statement whose Principal is "*" or {"AWS":"*"}, or that uses
// NotPrincipal (which grants to everyone not listed), must carry an
// IpAddress condition on aws:SourceIp whose ranges are not /0. NotIpAddress
// alone does not satisfy the rule: it excludes a range rather than limiting
// access to one. …IfExists variants do not count either, since they pass
// when the key is absent. Deny statements may use "*" freely.
func ValidateOutpostsResourcePolicy(p *Policy) error {
	for i, s := range p.Statements {
		if s.Effect != Allow {
			continue
		}
		wild := s.NotPrincipal != nil || (s.Principal != nil && s.Principal.Wildcard)
		if !wild || limitsSourceIP(s.Conditions) {
			continue
		}
		return &Error{Statement: i, Sid: s.Sid, Message: "Policies with wildcard principals must have an IP address range condition (IpAddress on aws:SourceIp)"}
	}
	return nil
}

func limitsSourceIP(conds []Condition) bool {
	for _, c := range conds {
		if c.op.family != famIP || c.op.negated || c.op.ifExists || c.op.set != setNone || !strings.EqualFold(c.Key, "aws:SourceIp") {
			continue
		}
		ok := true
		for _, v := range c.Values {
			pfx, valid := parseCIDR(v)
			if !valid || pfx.Bits() == 0 {
				ok = false
			}
		}
		if ok {
			return true
		}
	}
	return false
}
