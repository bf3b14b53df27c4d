package admin

import (
	"context"
	"net/url"
	"strconv"
)

func (a *admin) role(ctx context.Context, cmd string, args []string) error {
	switch cmd {
	case "create":
		if err := need(args, 1, "role name"); err != nil {
			return err
		}
		if a.f.trust == "" {
			return usageError("role create needs --trust DOC (the trust policy)")
		}
		doc, err := document(a.f.trust)
		if err != nil {
			return err
		}
		p := url.Values{"RoleName": {args[0]}, "AssumeRolePolicyDocument": {doc}}
		if a.f.maxSession > 0 {
			p.Set("MaxSessionDuration", strconv.Itoa(a.f.maxSession))
		}
		var res struct {
			Arn string `xml:"Role>Arn"`
		}
		if err := a.iam(ctx, "CreateRole", p, &res); err != nil {
			return err
		}
		a.printf("%s\n", res.Arn)
		return nil
	case "get":
		if err := need(args, 1, "role name"); err != nil {
			return err
		}
		var res struct {
			Arn        string `xml:"Role>Arn"`
			MaxSession int    `xml:"Role>MaxSessionDuration"`
			Trust      string `xml:"Role>AssumeRolePolicyDocument"`
		}
		if err := a.iam(ctx, "GetRole", url.Values{"RoleName": {args[0]}}, &res); err != nil {
			return err
		}
		// IAM returns policy documents URL-encoded.
		trust, _ := url.QueryUnescape(res.Trust)
		a.printf("%s\nmax session duration: %ds\ntrust policy: %s\n", res.Arn, res.MaxSession, trust)
		return nil
	case "list":
		roles, err := members[struct{ RoleName, Arn string }](ctx, a, "ListRoles", nil)
		if err != nil {
			return err
		}
		for _, r := range roles {
			a.printf("%s\t%s\n", r.RoleName, r.Arn)
		}
		return nil
	case "delete":
		if err := need(args, 1, "role name"); err != nil {
			return err
		}
		return a.iam(ctx, "DeleteRole", url.Values{"RoleName": {args[0]}}, nil)
	case "trust":
		if err := need(args, 2, "role name and trust policy"); err != nil {
			return err
		}
		doc, err := document(args[1])
		if err != nil {
			return err
		}
		return a.iam(ctx, "UpdateAssumeRolePolicy", url.Values{"RoleName": {args[0]}, "PolicyDocument": {doc}}, nil)
	}
	return usageError("role: want create, get, list, delete or trust")
}
