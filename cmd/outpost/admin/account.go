package admin

import (
	"context"
	"net/url"
)

// whoami prints who the credentials are (sts:GetCallerIdentity).
func (a *admin) whoami(ctx context.Context) error {
	var res struct {
		Account string `xml:"Account"`
		Arn     string `xml:"Arn"`
		UserID  string `xml:"UserId"`
	}
	if err := a.query(ctx, "sts", stsVersion, "GetCallerIdentity", nil, &res); err != nil {
		return err
	}
	a.printf("account %s\narn     %s\nuserid  %s\n", res.Account, res.Arn, res.UserID)
	return nil
}

// account runs Outpost's account actions (CreateAccount, ListAccounts) on
// the IAM endpoint; only the root user of the server's owning account may.
func (a *admin) account(ctx context.Context, cmd string) error {
	switch cmd {
	case "create":
		p := url.Values{}
		optional(p, "AccountName", a.f.name)
		optional(p, "Email", a.f.email)
		optional(p, "AccountId", a.f.accountID)
		var res struct {
			AccountID string `xml:"Account>AccountId"`
			KeyID     string `xml:"AccessKey>AccessKeyId"`
			Secret    string `xml:"AccessKey>SecretAccessKey"`
		}
		if err := a.iam(ctx, "CreateAccount", p, &res); err != nil {
			return err
		}
		a.printf("account ID:  %s\naccess key:  %s\nsecret key:  %s\n(the secret key of the account's root user is shown only now; keep it safe)\n", res.AccountID, res.KeyID, res.Secret)
		return nil
	case "list":
		accounts, err := members[struct{ AccountId, AccountName, CreateDate string }](ctx, a, "ListAccounts", nil)
		if err != nil {
			return err
		}
		for _, ac := range accounts {
			a.printf("%s\t%s\t%s\n", ac.AccountId, ac.CreateDate, ac.AccountName)
		}
		return nil
	}
	return usageError("account: want create or list")
}
