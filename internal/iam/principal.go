package iam

import (
	"strings"

	"github.com/outpost-s3/outpost/internal/policy"
)

// Principal is who made a request: what authentication found behind the
// credentials and what authorization decides for. It lives here, beside
// the sessions it carries, so that authorization depends on no HTTP code.
type Principal struct {
	Account  string // 12-digit account ID; "" for anonymous
	UserName string // IAM user name; "" for the account root and role sessions
	// ARN is arn:aws:iam::ACCOUNT:root, …:user/PATH/NAME, or for role
	// sessions arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION.
	ARN string
	// AccessKeyID that signed the request.
	AccessKeyID string
	// Type is the aws:PrincipalType: Account (root), User or AssumedRole.
	Type policy.PrincipalType
	// UserID is aws:userid: AIDA… for users, ROLEID:SESSION for role
	// sessions, the account ID for root.
	UserID string
	// RoleName and RoleARN name the role of a role session.
	RoleName string
	RoleARN  string
	// Session is the STS session behind temporary credentials; nil for
	// long-term access keys.
	Session *Session
}

// Anonymous reports whether nobody signed the request.
func (p *Principal) Anonymous() bool { return p == nil || p.Account == "" }

// IsRoot reports whether the principal is an account's root user.
func (p *Principal) IsRoot() bool {
	return p != nil && p.Account != "" && p.UserName == "" && p.Type != policy.PrincipalAssumedRole
}

// EntityID returns the unique ID of the IAM user (AIDA…) or role (AROA…)
// behind the credentials: UserID, without the ":SESSION" of a role session
// (role session names cannot contain ':').
func (p *Principal) EntityID() string {
	id, _, _ := strings.Cut(p.UserID, ":")
	return id
}

// Temporary reports whether the request was signed with STS credentials.
func (p *Principal) Temporary() bool { return p != nil && p.Session != nil }

// Policy returns the principal as the policy engine sees it.
func (p *Principal) Policy() policy.Principal {
	if p.Anonymous() {
		return policy.Principal{Type: policy.PrincipalAnonymous}
	}
	t := p.Type
	if t == "" {
		t = policy.PrincipalUser
		if p.UserName == "" {
			t = policy.PrincipalAccount
		}
	}
	return policy.Principal{ARN: p.ARN, Account: p.Account, Type: t, UserID: p.UserID, Username: p.UserName, RoleARN: p.RoleARN}
}
