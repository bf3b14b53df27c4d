package admin

import (
	"context"
	"net/url"
)

// iamUser is the User element of IAM's CreateUser, GetUser and ListUsers.
type iamUser struct {
	UserName   string `xml:"UserName"`
	UserID     string `xml:"UserId"`
	Arn        string `xml:"Arn"`
	CreateDate string `xml:"CreateDate"`
}

func (a *admin) user(ctx context.Context, cmd string, args []string) error {
	switch cmd {
	case "create":
		if err := need(args, 1, "user name"); err != nil {
			return err
		}
		var res struct {
			User iamUser `xml:"User"`
		}
		if err := a.iam(ctx, "CreateUser", optional(url.Values{"UserName": {args[0]}}, "Path", a.f.path), &res); err != nil {
			return err
		}
		a.printf("%s\t%s\n", res.User.Arn, res.User.UserID)
		return nil
	case "get":
		if err := need(args, 1, "user name"); err != nil {
			return err
		}
		var res struct {
			User iamUser `xml:"User"`
		}
		if err := a.iam(ctx, "GetUser", url.Values{"UserName": {args[0]}}, &res); err != nil {
			return err
		}
		a.printf("%s\t%s\t%s\n", res.User.Arn, res.User.UserID, isoTime(res.User.CreateDate))
		return nil
	case "list":
		users, err := members[iamUser](ctx, a, "ListUsers", nil)
		if err != nil {
			return err
		}
		for _, u := range users {
			a.printf("%s\t%s\n", u.UserName, u.Arn)
		}
		return nil
	case "delete":
		if err := need(args, 1, "user name"); err != nil {
			return err
		}
		return a.iam(ctx, "DeleteUser", url.Values{"UserName": {args[0]}}, nil)
	}
	return usageError("user: want create, get, list or delete")
}
