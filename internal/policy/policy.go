// Package policy implements the AWS IAM policy language as Outpost needs it:
// parsing and validating policy documents (identity policies, S3 on Outposts
// bucket policies and access point policies), matching actions, resources
// and principals, evaluating conditions, and combining policies with the
// AWS evaluation logic into an explained Decision.
//
// References:
//   - Policy grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
//   - Evaluation logic: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
//   - Condition operators: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
//   - S3 on Outposts policies: https://docs.aws.amazon.com/AmazonS3/latest/s3-outposts/S3OutpostsIAM.html
//
// The package depends only on the Go standard library.
package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Policy language versions. Only [Version20121017] supports policy
// variables; in a policy with Version "2008-10-17" or no Version at all,
// "${aws:username}" is matched literally, as AWS does
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html).
const (
	Version20121017 = "2012-10-17"
	Version20081017 = "2008-10-17"
)

// Size limits, in characters, for the policy documents Outpost stores.
const (
	// MaxBucketPolicySize is the S3 bucket policy limit (20 KB, whitespace included).
	MaxBucketPolicySize = 20 * 1024
	// MaxAccessPointPolicySize is the S3 on Outposts access point policy limit (20 KB).
	MaxAccessPointPolicySize = 20 * 1024
	// MaxManagedPolicySize is the IAM managed policy limit (6,144 characters, whitespace not counted).
	MaxManagedPolicySize = 6144
	// MaxUserInlinePolicySize is the IAM limit for a user's inline policies (2,048 characters, whitespace not counted).
	MaxUserInlinePolicySize = 2048
	// MaxRoleInlinePolicySize is the IAM limit for a role's inline policies (10,240 characters, whitespace not counted).
	MaxRoleInlinePolicySize = 10240
)

// Effect is a statement's Effect element: Allow or Deny.
type Effect string

// The two effects. AWS matches them case-sensitively.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Policy is a parsed, validated policy document.
type Policy struct {
	Version    string // "2012-10-17", "2008-10-17" or "" (absent)
	ID         string // the optional Id element
	Statements []Statement

	// resource is true for resource-based policies (Principal required).
	resource bool
}

// Statement is one element of a policy's Statement array.
//
// Exactly one of Action/NotAction and one of Resource/NotResource is set.
// In resource policies exactly one of Principal/NotPrincipal is set; in
// identity policies neither is.
type Statement struct {
	Sid          string
	Effect       Effect
	Principal    *Principals
	NotPrincipal *Principals
	Action       []string
	NotAction    []string
	Resource     []string
	NotResource  []string
	Conditions   []Condition // in document order of operators, then keys

	// Precompiled matchers, set by the parser: lower-cased action patterns,
	// and resource patterns without policy variables (nil entries are
	// compiled per request).
	actionPats   [][]tok
	resourcePats [][]tok
}

// precompile fills the statement's matcher caches.
func (s *Statement) precompile(vars bool) {
	acts := s.Action
	if acts == nil {
		acts = s.NotAction
	}
	s.actionPats = make([][]tok, len(acts))
	for i, a := range acts {
		s.actionPats[i], _ = compile(strings.ToLower(a), nil, false, true)
	}
	res := s.Resource
	if res == nil {
		res = s.NotResource
	}
	s.resourcePats = make([][]tok, len(res))
	for i, r := range res {
		if vars && strings.Contains(r, "${") {
			continue
		}
		s.resourcePats[i], _ = compile(r, nil, false, true)
	}
}

// Principals is the value of a Principal or NotPrincipal element.
// "*" and {"AWS":"*"} both set Wildcard
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-anonymous).
type Principals struct {
	Wildcard      bool
	AWS           []string // account IDs, account root ARNs, user, role and assumed-role session ARNs
	Service       []string // e.g. "ec2.amazonaws.com"
	CanonicalUser []string
	Federated     []string

	star bool // written as the bare string "*"
}

// Condition is one operator/key pair of a Condition block, with its values
// as strings (JSON numbers and booleans are kept in their literal form).
type Condition struct {
	Operator string // as written, e.g. "ForAnyValue:StringLikeIfExists"
	Key      string // as written; matched case-insensitively
	Values   []string

	op opSpec
}

// Error is a policy document error. Its Message is fit to return to clients
// in an IAM MalformedPolicyDocument or S3 MalformedPolicy error.
type Error struct {
	Statement int    // index in the Statement array, or -1 for the document
	Sid       string // Sid of that statement, if any
	Message   string
	TooLarge  bool // the document exceeds the size limit passed to the parser
}

// Error returns the message, prefixed with the statement it refers to.
func (e *Error) Error() string {
	if e.Statement < 0 {
		return e.Message
	}
	if e.Sid != "" {
		return fmt.Sprintf("statement %d (%s): %s", e.Statement, e.Sid, e.Message)
	}
	return fmt.Sprintf("statement %d: %s", e.Statement, e.Message)
}

func docErr(format string, args ...any) *Error {
	return &Error{Statement: -1, Message: fmt.Sprintf(format, args...)}
}

// ParseIdentityPolicy parses an identity-based policy (attached to a user,
// group or role, or passed as a session policy). Such a policy must not
// contain Principal or NotPrincipal, and every statement needs Action (or
// NotAction) and Resource (or NotResource). maxSize, if positive, limits
// the document to that many characters not counting whitespace outside
// strings, the way IAM counts (see [MaxManagedPolicySize]).
func ParseIdentityPolicy(doc []byte, maxSize int) (*Policy, error) {
	if maxSize > 0 {
		if n := sizeWithoutWhitespace(doc); n > maxSize {
			return nil, &Error{Statement: -1, TooLarge: true, Message: fmt.Sprintf("Cannot exceed quota for PolicySize: %d", maxSize)}
		}
	}
	return parse(doc, false, false)
}

// ParseResourcePolicy parses a resource-based policy: an S3 on Outposts
// bucket policy or access point policy. Every statement must have a
// Principal or NotPrincipal, plus Action/NotAction and Resource/NotResource.
// maxSize, if positive, limits the raw document length in bytes, the way S3
// counts (see [MaxBucketPolicySize]).
func ParseResourcePolicy(doc []byte, maxSize int) (*Policy, error) {
	if maxSize > 0 && len(doc) > maxSize {
		return nil, &Error{Statement: -1, TooLarge: true, Message: fmt.Sprintf("Policy exceeds the maximum allowed document size of %d bytes", maxSize)}
	}
	return parse(doc, true, false)
}

// ParseTrustPolicy parses a role trust policy (an IAM role's
// AssumeRolePolicyDocument): a resource policy whose statements may omit
// Resource, since the role itself is the resource; such statements apply
// to any resource. maxSize as for [ParseResourcePolicy].
func ParseTrustPolicy(doc []byte, maxSize int) (*Policy, error) {
	if maxSize > 0 && len(doc) > maxSize {
		return nil, &Error{Statement: -1, TooLarge: true, Message: fmt.Sprintf("Policy exceeds the maximum allowed document size of %d bytes", maxSize)}
	}
	return parse(doc, true, true)
}

// IsResourcePolicy reports whether p was parsed by [ParseResourcePolicy].
func (p *Policy) IsResourcePolicy() bool { return p.resource }

// sizeWithoutWhitespace counts bytes of doc except JSON whitespace outside
// string literals.
func sizeWithoutWhitespace(doc []byte) int {
	n, inStr, esc := 0, false, false
	for _, c := range doc {
		switch {
		case inStr:
			n++
			if esc {
				esc = false
			} else if c == '\\' {
				esc = true
			} else if c == '"' {
				inStr = false
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		default:
			n++
			if c == '"' {
				inStr = true
			}
		}
	}
	return n
}

// member is one name/value pair of a JSON object, in document order.
type member struct {
	name  string
	value json.RawMessage
}

// objectMembers decodes a JSON object into its members, rejecting duplicate
// names (encoding/json would silently keep the last one).
func objectMembers(raw json.RawMessage, what string) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, docErr("Syntax error in %s: %v", what, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, docErr("%s must be a JSON object", what)
	}
	var out []member
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, docErr("Syntax error in %s: %v", what, err)
		}
		name := tok.(string)
		if seen[name] {
			return nil, docErr("Duplicate field %s in %s", name, what)
		}
		seen[name] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, docErr("Syntax error in %s: %v", what, err)
		}
		out = append(out, member{name, v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, docErr("Syntax error in %s: %v", what, err)
	}
	return out, nil
}

func parse(doc []byte, resource, trust bool) (*Policy, error) {
	trimmed := bytes.TrimLeft(doc, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, docErr("Policies must be valid JSON and the first byte must be '{'")
	}
	if !json.Valid(doc) {
		return nil, docErr("Policies must be valid JSON: %v", jsonSyntaxError(doc))
	}
	members, err := objectMembers(doc, "policy")
	if err != nil {
		return nil, err
	}
	p := &Policy{resource: resource}
	var stmtRaw json.RawMessage
	for _, m := range members {
		switch m.name {
		case "Version":
			if err := json.Unmarshal(m.value, &p.Version); err != nil {
				return nil, docErr("Version must be a string")
			}
			if p.Version != Version20121017 && p.Version != Version20081017 {
				return nil, docErr("The policy must contain a valid version string: %q is not 2012-10-17 or 2008-10-17", p.Version)
			}
		case "Id":
			if err := json.Unmarshal(m.value, &p.ID); err != nil {
				return nil, docErr("Id must be a string")
			}
		case "Statement":
			stmtRaw = m.value
		default:
			return nil, docErr("Unknown field %s", m.name)
		}
	}
	if stmtRaw == nil {
		return nil, docErr("Missing required field Statement")
	}
	var list []json.RawMessage
	switch firstByte(stmtRaw) {
	case '{':
		list = []json.RawMessage{stmtRaw}
	case '[':
		if err := json.Unmarshal(stmtRaw, &list); err != nil {
			return nil, docErr("Statement must be an object or an array of objects")
		}
	default:
		return nil, docErr("Statement must be an object or an array of objects")
	}
	if len(list) == 0 {
		return nil, docErr("Policy has no statements")
	}
	vars := p.Version == Version20121017
	sids := map[string]bool{}
	for i, raw := range list {
		s, err := parseStatement(raw, resource, trust, vars)
		if err != nil {
			err.Statement = i
			if err.Sid == "" {
				err.Sid = s.Sid
			}
			return nil, err
		}
		if s.Sid != "" {
			// IAM requires unique Sids within a policy.
			if sids[s.Sid] {
				return nil, &Error{Statement: i, Sid: s.Sid, Message: "Statement IDs (SID) in a single policy must be unique"}
			}
			sids[s.Sid] = true
		}
		p.Statements = append(p.Statements, s)
	}
	return p, nil
}

func jsonSyntaxError(doc []byte) error {
	var v any
	return json.Unmarshal(doc, &v)
}

func firstByte(raw json.RawMessage) byte {
	t := bytes.TrimLeft(raw, " \t\r\n")
	if len(t) == 0 {
		return 0
	}
	return t[0]
}

// stringOrList decodes a JSON string or a non-empty array of strings.
func stringOrList(raw json.RawMessage, field string) ([]string, *Error) {
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil || many == nil {
		return nil, &Error{Message: field + " must be a string or an array of strings"}
	}
	if len(many) == 0 {
		return nil, &Error{Message: field + " must not be an empty array"}
	}
	return many, nil
}

func parseStatement(raw json.RawMessage, resource, trust, vars bool) (Statement, *Error) {
	var s Statement
	members, err := objectMembers(raw, "statement")
	if err != nil {
		return s, err.(*Error)
	}
	var condRaw json.RawMessage
	for _, m := range members {
		var e *Error
		switch m.name {
		case "Sid":
			if json.Unmarshal(m.value, &s.Sid) != nil {
				e = &Error{Message: "Sid must be a string"}
			} else if !validSid(s.Sid) {
				e = &Error{Message: fmt.Sprintf("Statement IDs (SID) must be alpha-numeric: %q", s.Sid)}
			}
		case "Effect":
			var eff string
			if json.Unmarshal(m.value, &eff) != nil || (eff != string(Allow) && eff != string(Deny)) {
				e = &Error{Message: "Invalid effect: " + strings.Trim(string(m.value), " \t\r\n")}
			}
			s.Effect = Effect(eff)
		case "Principal":
			s.Principal, e = parsePrincipals(m.value)
		case "NotPrincipal":
			s.NotPrincipal, e = parsePrincipals(m.value)
		case "Action":
			s.Action, e = stringOrList(m.value, "Action")
		case "NotAction":
			s.NotAction, e = stringOrList(m.value, "NotAction")
		case "Resource":
			s.Resource, e = stringOrList(m.value, "Resource")
		case "NotResource":
			s.NotResource, e = stringOrList(m.value, "NotResource")
		case "Condition":
			condRaw = m.value
		default:
			e = &Error{Message: "Unknown field " + m.name}
		}
		if e != nil {
			e.Sid = s.Sid
			return s, e
		}
	}
	fail := func(format string, args ...any) (Statement, *Error) {
		return s, &Error{Sid: s.Sid, Message: fmt.Sprintf(format, args...)}
	}
	if s.Effect == "" {
		return fail("Missing required field Effect")
	}
	if s.Action == nil && s.NotAction == nil {
		return fail("Missing required field Action")
	}
	if s.Action != nil && s.NotAction != nil {
		return fail("Statement must not contain both Action and NotAction")
	}
	if s.Resource == nil && s.NotResource == nil {
		if !trust {
			return fail("Missing required field Resource")
		}
		s.Resource = []string{"*"} // the role
	}
	if s.Resource != nil && s.NotResource != nil {
		return fail("Statement must not contain both Resource and NotResource")
	}
	if resource {
		if s.Principal == nil && s.NotPrincipal == nil {
			return fail("Missing required field Principal")
		}
		if s.Principal != nil && s.NotPrincipal != nil {
			return fail("Statement must not contain both Principal and NotPrincipal")
		}
	} else if s.Principal != nil || s.NotPrincipal != nil {
		return fail("Policy document should not specify a principal.")
	}
	for _, a := range append(append([]string(nil), s.Action...), s.NotAction...) {
		if !validAction(a) {
			return fail("Policy has invalid action: %q (actions must be \"*\" or prefaced by a vendor, e.g. s3-outposts:GetObject)", a)
		}
	}
	for _, r := range append(append([]string(nil), s.Resource...), s.NotResource...) {
		if !validResource(r) {
			return fail("Policy has invalid resource: %q must be in ARN format or \"*\"", r)
		}
	}
	if condRaw != nil {
		conds, e := parseConditions(condRaw, vars)
		if e != nil {
			e.Sid = s.Sid
			return s, e
		}
		s.Conditions = conds
	}
	s.precompile(vars)
	return s, nil
}

func validSid(s string) bool {
	// IAM accepts [A-Za-z0-9] only; S3 bucket policies accept any string
	// (the Outposts docs' own examples use sentences with spaces), so only
	// control characters are rejected here.
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

func validAction(a string) bool {
	if a == "*" {
		return true
	}
	svc, name, ok := strings.Cut(a, ":")
	if !ok || svc == "" || name == "" {
		return false
	}
	for i := 0; i < len(svc); i++ {
		c := svc[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '*' || c == '?' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func validResource(r string) bool {
	if r == "*" {
		return true
	}
	parts := strings.SplitN(r, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[1] != "" && parts[2] != ""
}

func parsePrincipals(raw json.RawMessage) (*Principals, *Error) {
	var str string
	if json.Unmarshal(raw, &str) == nil {
		if str != "*" {
			return nil, &Error{Message: fmt.Sprintf("Invalid principal in policy: %q (a string principal must be \"*\")", str)}
		}
		return &Principals{Wildcard: true, star: true}, nil
	}
	members, err := objectMembers(raw, "Principal")
	if err != nil {
		return nil, &Error{Message: "Invalid principal in policy: Principal must be \"*\" or an object"}
	}
	if len(members) == 0 {
		return nil, &Error{Message: "Invalid principal in policy: empty Principal"}
	}
	p := &Principals{}
	for _, m := range members {
		vals, e := stringOrList(m.value, "Principal "+m.name)
		if e != nil {
			e.Message = "Invalid principal in policy: " + e.Message
			return nil, e
		}
		switch m.name {
		case "AWS":
			for _, v := range vals {
				if v == "*" {
					p.Wildcard = true
					continue
				}
				if !validAWSPrincipal(v) {
					return nil, &Error{Message: fmt.Sprintf("Invalid principal in policy: %q", v)}
				}
			}
			p.AWS = vals
		case "Service":
			p.Service = vals
		case "CanonicalUser":
			p.CanonicalUser = vals
		case "Federated":
			p.Federated = vals
		default:
			return nil, &Error{Message: "Invalid principal in policy: unknown principal type " + m.name}
		}
	}
	return p, nil
}

// validAWSPrincipal accepts a 12-digit account ID or an IAM/STS ARN
// without wildcards: AWS rejects partial wildcards in Principal
// ("arn:aws:iam::123456789012:user/*" is invalid).
func validAWSPrincipal(v string) bool {
	if isAccountID(v) {
		return true
	}
	if strings.ContainsAny(v, "*?") {
		return false
	}
	parts := strings.SplitN(v, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || (parts[2] != "iam" && parts[2] != "sts") || !isAccountID(parts[4]) || parts[5] == "" {
		return false
	}
	return true
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
