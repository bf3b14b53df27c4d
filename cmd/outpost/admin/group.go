package admin

import (
	"context"
	"net/url"
)

func (a *admin) group(ctx context.Context, cmd string, args []string) error {
	switch cmd {
	case "create":
		if err := need(args, 1, "group name"); err != nil {
			return err
		}
		var res struct {
			Arn string `xml:"Group>Arn"`
		}
		if err := a.iam(ctx, "CreateGroup", url.Values{"GroupName": {args[0]}}, &res); err != nil {
			return err
		}
		a.printf("%s\n", res.Arn)
		return nil
	case "list":
		groups, err := members[struct{ GroupName, Arn string }](ctx, a, "ListGroups", nil)
		if err != nil {
			return err
		}
		for _, g := range groups {
			a.printf("%s\t%s\n", g.GroupName, g.Arn)
		}
		return nil
	case "delete":
		if err := need(args, 1, "group name"); err != nil {
			return err
		}
		return a.iam(ctx, "DeleteGroup", url.Values{"GroupName": {args[0]}}, nil)
	case "add-user", "remove-user":
		if err := need(args, 2, "group and user names"); err != nil {
			return err
		}
		action := "AddUserToGroup"
		if cmd == "remove-user" {
			action = "RemoveUserFromGroup"
		}
		return a.iam(ctx, action, url.Values{"GroupName": {args[0]}, "UserName": {args[1]}}, nil)
	}
	return usageError("group: want create, list, delete, add-user or remove-user")
}
