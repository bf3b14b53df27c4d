package authz

import (
	"context"
	"errors"

	"github.com/outpost-s3/outpost/internal/iam"
	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/policy"
)

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
func (a *Authorizer) identityPolicies(ctx context.Context, p *iam.Principal) (ids, sess []*policy.Policy, err error) {
	if p.Anonymous() {
		return nil, nil, nil
	}
	switch p.Type {
	case policy.PrincipalAssumedRole:
		if a.iam == nil {
			return nil, nil, iam.ErrNoSuchPrincipal
		}
		ids, err = iam.LoadIdentityPolicies(ctx, a.iam, &a.policies, p.Account, meta.KindRole, p.RoleName, p.EntityID())
	case policy.PrincipalUser:
		if a.iam == nil {
			return nil, nil, iam.ErrNoSuchPrincipal
		}
		ids, err = iam.LoadIdentityPolicies(ctx, a.iam, &a.policies, p.Account, meta.KindUser, p.UserName, p.EntityID())
	default:
		ids = []*policy.Policy{allowAll}
	}
	if err != nil {
		return nil, nil, err
	}
	if p.Session != nil && (p.Session.Policy != "" || len(p.Session.PolicyArns) > 0) {
		sess = []*policy.Policy{} // non-nil: the session is bounded
		if p.Session.Policy != "" {
			sp, perr := a.policies.Identity(p.Session.Policy)
			if perr != nil {
				return nil, nil, perr
			}
			sess = append(sess, sp)
		}
		// Managed session policies are read at each request, like the
		// role's own: a policy deleted since grants nothing.
		for _, arn := range p.Session.PolicyArns {
			doc, err := iam.ManagedPolicyDocument(ctx, a.iam, arn)
			if errors.Is(err, meta.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, nil, err
			}
			if sp, perr := a.policies.Identity(doc); perr == nil {
				sess = append(sess, sp)
			}
		}
	}
	return ids, sess, nil
}
