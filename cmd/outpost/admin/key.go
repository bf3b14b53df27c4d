package admin

import (
	"context"
	"net/url"
)

// keyParams names the user of --user (none: the caller) and, when id is
// not empty, the access key.
func (a *admin) keyParams(id string) url.Values {
	return optional(optional(url.Values{}, "UserName", a.f.user), "AccessKeyId", id)
}

func (a *admin) key(ctx context.Context, cmd string, args []string) error {
	switch cmd {
	case "create":
		var res struct {
			ID     string `xml:"AccessKey>AccessKeyId"`
			Secret string `xml:"AccessKey>SecretAccessKey"`
		}
		if err := a.iam(ctx, "CreateAccessKey", a.keyParams(""), &res); err != nil {
			return err
		}
		a.printf("access key:  %s\nsecret key:  %s\n(the secret key is shown only now)\n", res.ID, res.Secret)
		return nil
	case "list":
		keys, err := members[struct{ AccessKeyId, Status, CreateDate string }](ctx, a, "ListAccessKeys", a.keyParams(""))
		if err != nil {
			return err
		}
		for _, k := range keys {
			a.printf("%s\t%s\t%s\n", k.AccessKeyId, k.Status, isoTime(k.CreateDate))
		}
		return nil
	case "activate", "deactivate":
		if err := need(args, 1, "access key ID"); err != nil {
			return err
		}
		p := a.keyParams(args[0])
		p.Set("Status", "Active")
		if cmd == "deactivate" {
			p.Set("Status", "Inactive")
		}
		return a.iam(ctx, "UpdateAccessKey", p, nil)
	case "delete":
		if err := need(args, 1, "access key ID"); err != nil {
			return err
		}
		return a.iam(ctx, "DeleteAccessKey", a.keyParams(args[0]), nil)
	}
	return usageError("key: want create, list, activate, deactivate or delete")
}
