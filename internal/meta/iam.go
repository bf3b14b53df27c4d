package meta

import (
	"context"
	"errors"
	"time"
)

// ErrDeleteConflict means an IAM entity cannot be deleted while something
// still depends on it (access keys, policies, group members). The error is
// a *DeleteConflictError naming what must go first.
var ErrDeleteConflict = errors.New("meta: delete conflict")

// DeleteConflictError says what must be removed before an IAM entity can
// be deleted, in IAM's words ("must delete access keys first").
type DeleteConflictError struct {
	Message string
}

func (e *DeleteConflictError) Error() string        { return "meta: delete conflict: " + e.Message }
func (e *DeleteConflictError) Is(target error) bool { return target == ErrDeleteConflict }

// Account is an AWS-style account: a 12-digit ID and a root user whose
// access keys are AccessKeys with UserName "".
type Account struct {
	ID        string // 12 digits
	Name      string // optional label
	Email     string // optional
	CreatedAt time.Time
}

// EntityKind is the kind of an IAM identity.
type EntityKind string

// IAM entity kinds.
const (
	KindUser  EntityKind = "user"
	KindGroup EntityKind = "group"
	KindRole  EntityKind = "role"
)

// IAMEntity is an IAM user, group or role. Names are unique per account and
// kind regardless of case, as in IAM; lookups ignore case too.
type IAMEntity struct {
	Account   string
	Kind      EntityKind
	Name      string // as created
	ID        string // AIDA… (user), AGPA… (group), AROA… (role); never reused
	Path      string // "/" by default
	CreatedAt time.Time
	// Roles only.
	TrustPolicy        string // AssumeRolePolicyDocument (JSON)
	MaxSessionDuration int    // seconds, 3600–43200
	Description        string
}

// InlinePolicy is a policy embedded in a user, group or role.
type InlinePolicy struct {
	Name     string
	Document string
}

// ManagedPolicy is a customer managed policy: a standalone document with
// an ARN (arn:aws:iam::ACCOUNT:policy{PATH}NAME) that entities attach.
type ManagedPolicy struct {
	Account     string
	Name        string
	ARN         string
	ID          string // ANPA…
	Path        string
	Document    string
	Description string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// AttachmentCount is filled by GetManagedPolicy and ListManagedPolicies.
	AttachmentCount int
}

// IAMStore is the part of Store that holds accounts and IAM identities.
// Every method is one transaction.
type IAMStore interface {
	// SetAccessKeySecret replaces the stored secret of an access key (to
	// encrypt it, or re-encrypt it under a new master key); ErrNotFound.
	SetAccessKeySecret(ctx context.Context, id, secret string) error

	// CreateAccount adds an account; ErrConflict if the ID exists.
	CreateAccount(ctx context.Context, a Account) error
	// GetAccount returns ErrNotFound for an unknown ID.
	GetAccount(ctx context.Context, id string) (Account, error)
	ListAccounts(ctx context.Context) ([]Account, error)

	// CreateIAMEntity adds a user, group or role; ErrConflict when one of
	// that kind and name (ignoring case) exists in the account. An empty
	// e.ID is replaced by a NewUniqueID of the kind's prefix: every stored
	// entity has a unique ID, and stores give one, at open, to entities
	// an earlier version stored without.
	CreateIAMEntity(ctx context.Context, e IAMEntity) error
	// GetIAMEntity finds an entity by name, ignoring case; ErrNotFound.
	GetIAMEntity(ctx context.Context, account string, kind EntityKind, name string) (IAMEntity, error)
	// ListIAMEntities lists an account's entities of a kind whose path
	// starts with pathPrefix ("" for all), by name.
	ListIAMEntities(ctx context.Context, account string, kind EntityKind, pathPrefix string) ([]IAMEntity, error)
	// UpdateIAMEntity changes TrustPolicy, MaxSessionDuration, Description
	// or Path through fn; ErrNotFound.
	UpdateIAMEntity(ctx context.Context, account string, kind EntityKind, name string, fn func(e *IAMEntity) error) error
	// DeleteIAMEntity removes an entity; ErrNotFound, or a
	// *DeleteConflictError while it has access keys, inline or attached
	// policies, group memberships (users) or members (groups).
	DeleteIAMEntity(ctx context.Context, account string, kind EntityKind, name string) error

	// AddUserToGroup is idempotent; ErrNotFound if either is missing.
	AddUserToGroup(ctx context.Context, account, group, user string) error
	// RemoveUserFromGroup returns ErrNotFound when the user is not a member.
	RemoveUserFromGroup(ctx context.Context, account, group, user string) error
	ListGroupsForUser(ctx context.Context, account, user string) ([]IAMEntity, error)
	ListGroupMembers(ctx context.Context, account, group string) ([]IAMEntity, error)

	// PutInlinePolicy creates or replaces an inline policy of an entity
	// (ErrNotFound if the entity is missing).
	PutInlinePolicy(ctx context.Context, account string, kind EntityKind, entity string, p InlinePolicy) error
	GetInlinePolicy(ctx context.Context, account string, kind EntityKind, entity, name string) (InlinePolicy, error)
	ListInlinePolicies(ctx context.Context, account string, kind EntityKind, entity string) ([]InlinePolicy, error)
	DeleteInlinePolicy(ctx context.Context, account string, kind EntityKind, entity, name string) error

	// CreateManagedPolicy adds a customer managed policy; ErrConflict if
	// the name exists in the account.
	CreateManagedPolicy(ctx context.Context, p ManagedPolicy) error
	// GetManagedPolicy finds a policy by ARN; ErrNotFound.
	GetManagedPolicy(ctx context.Context, arn string) (ManagedPolicy, error)
	ListManagedPolicies(ctx context.Context, account string) ([]ManagedPolicy, error)
	// DeleteManagedPolicy fails with a *DeleteConflictError while attached.
	DeleteManagedPolicy(ctx context.Context, arn string) error
	// AttachPolicy attaches a managed policy (any ARN: customer policies of
	// the account, or AWS managed policies the caller resolves) to an
	// entity; idempotent; ErrNotFound if the entity is missing.
	AttachPolicy(ctx context.Context, account string, kind EntityKind, entity, policyARN string) error
	// DetachPolicy returns ErrNotFound when the policy is not attached.
	DetachPolicy(ctx context.Context, account string, kind EntityKind, entity, policyARN string) error
	// ListAttachedPolicies returns the attached policy ARNs, sorted.
	ListAttachedPolicies(ctx context.Context, account string, kind EntityKind, entity string) ([]string, error)

	// IdentityPolicies returns, from one snapshot, every policy document
	// that applies to a user (its inline and attached policies and those of
	// its groups) or a role: docs holds the documents found in the store,
	// foreign the attached ARNs the store does not hold (AWS managed
	// policies). id is the unique ID the caller's credentials name:
	// ErrNotFound if the entity does not exist or its ID is not id (it was
	// deleted and another created under the same name), so that nothing
	// the later entity is granted reaches credentials of the earlier one.
	IdentityPolicies(ctx context.Context, account string, kind EntityKind, entity, id string) (docs []string, foreign []string, err error)
}
