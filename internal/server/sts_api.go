package server

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/outpost-s3/outpost/internal/authz"
	"github.com/outpost-s3/outpost/internal/iam"
	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/policy"
)

// The STS API subset Outpost serves
// (https://docs.aws.amazon.com/STS/latest/APIReference/API_Operations.html).
// Session tokens are sealed with the master key (iam.Session), so every
// node verifies them without shared session state.
var stsActions = map[string]queryHandler{
	"GetCallerIdentity": stsGetCallerIdentity,
	"GetSessionToken":   stsGetSessionToken,
	"AssumeRole":        stsAssumeRole,
}

type xCredentials struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

func stsGetCallerIdentity(q *queryCtx) (any, error) {
	return struct {
		Arn     string `xml:"Arn"`
		UserID  string `xml:"UserId"`
		Account string `xml:"Account"`
	}{q.p.ARN, q.p.UserID, q.p.Account}, nil
}

// duration reads DurationSeconds within [min, max].
func (q *queryCtx) duration(def, min, max int) (time.Duration, error) {
	n, err := q.intParam("DurationSeconds", def)
	if err != nil {
		return 0, err
	}
	if n < min {
		return 0, errValidation("1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to %d", n, min)
	}
	if n > max {
		return 0, errValidation("1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to %d", n, max)
	}
	return time.Duration(n) * time.Second, nil
}

// issue seals a session and returns its credentials.
func (q *queryCtx) issue(s *iam.Session, d time.Duration) (xCredentials, error) {
	now := q.rc.s.now().UTC()
	s.AccessKeyID = iam.NewTemporaryAccessKeyID()
	s.Secret = iam.NewSecret()
	s.Issued = now.Unix()
	s.Expires = now.Add(d).Unix()
	tok, err := q.rc.s.ident.keyring.SealSession(s)
	if err != nil {
		return xCredentials{}, err
	}
	return xCredentials{AccessKeyID: s.AccessKeyID, SecretAccessKey: s.Secret, SessionToken: tok, Expiration: isoTime(s.ExpiresAt())}, nil
}

// stsGetSessionToken gives temporary credentials to a user or the root user
// signing with long-term keys: 900 to 129600 seconds (root: at most 3600),
// 43200 by default.
func stsGetSessionToken(q *queryCtx) (any, error) {
	p := q.p
	if p.Temporary() {
		return nil, qerr(403, "AccessDenied", "Cannot call GetSessionToken with session credentials")
	}
	def, max := iam.DefaultGetSessionToken, iam.MaxGetSessionTokenDuration
	if p.IsRoot() {
		def, max = iam.RootMaxGetSessionToken, iam.RootMaxGetSessionToken
	}
	d, err := q.duration(def, iam.MinSessionDuration, max)
	if err != nil {
		return nil, err
	}
	s := &iam.Session{Account: p.Account, Type: string(policy.PrincipalAccount), UserID: p.Account, SourceKey: p.AccessKeyID}
	if !p.IsRoot() {
		// The session is sealed with the user's unique ID, the one the
		// caller's key is bound to (a user re-created meanwhile is another).
		u, err := q.rc.s.ident.store.GetIAMEntity(q.rc.r.Context(), p.Account, meta.KindUser, p.UserName)
		if err != nil || u.ID != p.EntityID() {
			return nil, qerr(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
		}
		s.Type, s.UserName, s.UserID, s.Path = string(policy.PrincipalUser), u.Name, u.ID, u.Path
	}
	creds, err := q.issue(s, d)
	if err != nil {
		return nil, err
	}
	return struct {
		Credentials xCredentials `xml:"Credentials"`
	}{creds}, nil
}

// validSessionName: 2 to 64 characters of [\w+=,.@-].
func validSessionName(s string) bool {
	if len(s) < 2 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_+=,.@-", c) >= 0) {
			return false
		}
	}
	return true
}

// parseRoleARN splits arn:aws:iam::ACCOUNT:role/PATH/NAME.
func parseRoleARN(a string) (account, name string, ok bool) {
	parts := strings.SplitN(a, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || !strings.HasPrefix(parts[5], "role/") {
		return "", "", false
	}
	rest := parts[5][len("role/"):]
	name = rest[strings.LastIndexByte(rest, '/')+1:]
	return parts[4], name, parts[4] != "" && name != ""
}

// stsAssumeRole gives temporary credentials of a role. The role's trust
// policy must allow the caller (sts:AssumeRole); when it trusts the
// caller's account rather than naming the caller, or the role is in
// another account, the caller's identity policies must allow it too (AWS's
// rule). The session lasts 900 seconds up to the role's
// MaxSessionDuration (3600 when chaining roles); an optional session
// policy narrows it.
func stsAssumeRole(q *queryCtx) (any, error) {
	p := q.p
	roleARN, err := q.required("RoleArn")
	if err != nil {
		return nil, err
	}
	sessionName, err := q.required("RoleSessionName")
	if err != nil {
		return nil, err
	}
	if !validSessionName(sessionName) {
		return nil, errValidation("1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64", sessionName)
	}
	if p.IsRoot() {
		return nil, qerr(403, "AccessDenied", "Roles may not be assumed by root accounts.")
	}
	acct, name, ok := parseRoleARN(roleARN)
	if !ok {
		return nil, errValidation("%s is invalid", roleARN)
	}
	ctx := q.rc.r.Context()
	policyArns, err := q.sessionPolicyArns(ctx)
	if err != nil {
		return nil, err
	}
	denied := qerr(403, "AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", p.ARN, roleARN)
	role, err := q.rc.s.ident.store.GetIAMEntity(ctx, acct, meta.KindRole, name)
	if errors.Is(err, meta.ErrNotFound) {
		return nil, denied
	}
	if err != nil {
		return nil, err
	}
	realARN := iam.EntityARN(role.Account, meta.KindRole, role.Path, role.Name)

	sessPolicy := q.get("Policy")
	if sessPolicy != "" {
		if n := len(strings.Join(strings.Fields(sessPolicy), "")); n > policy.MaxUserInlinePolicySize {
			return nil, qerr(400, "PackedPolicyTooLarge", "Packed size of policy exceeds limit: the session policy is %d characters, at most %d are allowed.", n, policy.MaxUserInlinePolicySize)
		}
		if _, err := policy.ParseIdentityPolicy([]byte(sessPolicy), 0); err != nil {
			return nil, errMalformedPolicy("%s", err.Error())
		}
	}
	sourceID := q.get("SourceIdentity")
	if p.Session != nil && p.Session.SourceIdentity != "" {
		if sourceID != "" && sourceID != p.Session.SourceIdentity {
			return nil, denied
		}
		sourceID = p.Session.SourceIdentity // kept through role chaining
	}

	maxDur := role.MaxSessionDuration
	if maxDur == 0 {
		maxDur = iam.DefaultAssumeRoleDuration
	}
	if p.Type == policy.PrincipalAssumedRole {
		maxDur = iam.RoleChainingMaxDuration
	}
	n, err := q.intParam("DurationSeconds", iam.DefaultAssumeRoleDuration)
	if err != nil {
		return nil, err
	}
	if n > maxDur {
		if p.Type == policy.PrincipalAssumedRole {
			return nil, errValidation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
		}
		return nil, errValidation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	dur, err := q.duration(iam.DefaultAssumeRoleDuration, iam.MinSessionDuration, maxDur)
	if err != nil {
		return nil, err
	}
	c := q.rc.globalContext()
	c["sts:rolesessionname"] = []string{sessionName}
	if sourceID != "" {
		c["sts:sourceidentity"] = []string{sourceID}
	}
	if ext := q.get("ExternalId"); ext != "" {
		c["sts:externalid"] = []string{ext}
	}
	d, err := q.rc.s.authorizer.Decide(ctx, authz.Input{Principal: p, Action: "sts:AssumeRole", Resource: realARN, Role: &role, Context: c})
	if err != nil || !d.Allowed {
		return nil, denied
	}

	s := &iam.Session{Account: role.Account, Type: string(policy.PrincipalAssumedRole), UserID: role.ID, Path: role.Path,
		RoleName: role.Name, SessionName: sessionName, Policy: sessPolicy, PolicyArns: policyArns, SourceIdentity: sourceID, SourceKey: p.AccessKeyID}
	creds, err := q.issue(s, dur)
	if err != nil {
		return nil, err
	}
	res := struct {
		Credentials     xCredentials `xml:"Credentials"`
		AssumedRoleUser struct {
			Arn           string `xml:"Arn"`
			AssumedRoleID string `xml:"AssumedRoleId"`
		} `xml:"AssumedRoleUser"`
		PackedPolicySize int    `xml:"PackedPolicySize,omitempty"`
		SourceIdentity   string `xml:"SourceIdentity,omitempty"`
	}{Credentials: creds, SourceIdentity: sourceID}
	res.AssumedRoleUser.Arn = iam.AssumedRoleARN(role.Account, role.Name, sessionName)
	res.AssumedRoleUser.AssumedRoleID = role.ID + ":" + sessionName
	if sessPolicy != "" || len(policyArns) > 0 {
		res.PackedPolicySize = min(100, 100*(len(sessPolicy)+len(strings.Join(policyArns, "")))/policy.MaxUserInlinePolicySize+1)
	}
	return res, nil
}

// maxSessionPolicyArns is STS's limit on managed session policies.
const maxSessionPolicyArns = 10

// sessionPolicyArns reads AssumeRole's PolicyArns.member.N.arn: at most
// 10 ARNs of managed policies (customer managed or AWS managed) that exist.
func (q *queryCtx) sessionPolicyArns(ctx context.Context) ([]string, error) {
	var arns []string
	for i := 1; ; i++ {
		a := q.get("PolicyArns.member." + strconv.Itoa(i) + ".arn")
		if a == "" {
			break
		}
		if len(arns) == maxSessionPolicyArns {
			return nil, errValidation("1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to %d", maxSessionPolicyArns)
		}
		if _, _, _, ok := iam.ParsePolicyARN(a); !ok {
			return nil, errValidation("%s is invalid", a)
		}
		if _, err := iam.ManagedPolicyDocument(ctx, q.rc.s.ident.store, a); errors.Is(err, meta.ErrNotFound) {
			return nil, errMalformedPolicy("Policy %s does not exist or is not attachable.", a)
		} else if err != nil {
			return nil, err
		}
		arns = append(arns, a)
	}
	return arns, nil
}
