package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

const adminUsage = `Usage: outpost admin RESOURCE COMMAND [arguments] [flags]

Administers an Outpost server through its public APIs (IAM, STS and
Outpost's admin actions on the IAM endpoint), with credentials found as the
AWS CLI finds them: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
AWS_SESSION_TOKEN, then the profile (--profile or AWS_PROFILE) in
~/.aws/credentials and ~/.aws/config. Everything acts in the account of the
credentials.

  whoami                                   who the credentials are (sts get-caller-identity)
  account create [--name N] [--email E] [--account-id ID]
                                           create an account and print its root keys
                                           (only the server's owning-account root may)
  account list
  user create NAME [--path /P/]  |  user get NAME  |  user list  |  user delete NAME
  key create [--user NAME]                 a new access key (the secret is shown once)
  key list [--user NAME]
  key activate|deactivate|delete KEY_ID [--user NAME]
  group create NAME  |  group list  |  group delete NAME
  group add-user GROUP USER  |  group remove-user GROUP USER
  role create NAME --trust DOC [--max-session-duration SECONDS]
  role get NAME  |  role list  |  role delete NAME  |  role trust NAME DOC
  policy put (--user|--group|--role) NAME --name POLICY DOC   inline policy
  policy get|delete (--user|--group|--role) NAME --name POLICY
  policy list (--user|--group|--role) NAME        inline and attached policies
  policy create NAME DOC [--path /P/]             customer managed policy
  policy attach|detach ARN (--user|--group|--role) NAME
  policy managed                                  list managed policies
  policy explain --principal ARN --action ACTION --resource ARN [--context KEY=VALUE]...
                                           which statement allows or denies, and why
  network list  |  network get VPC_ID  |  network delete VPC_ID
  network put VPC_ID DOC                   declare or replace a network (VPC): JSON
                                           {"cidrs":[…],"subnets":[{"subnetId","cidr"}],"onPremCidrs":[…]}
  network origin                           the network the caller's address falls in

DOC is a JSON document, @FILE, or - for standard input. policy explain runs
on the server (Outpost's ExplainPolicy action), with exactly the policies
the server would use: identity policies (user, groups, managed), the
bucket policy and, for an access point ARN, the access point policy. Give
every condition key the request would carry with --context
(s3-outposts:authType=REST-QUERY-STRING, aws:SourceIp=10.1.2.3, …).

Flags (anywhere on the line):
  --endpoint-url URL   the server (default: AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL,
                       or the profile's endpoint_url)
  --region REGION      signing region (default: the profile's, else us-east-1)
  --profile NAME       named profile
`

// adminFlags are the flags every admin command accepts.
type adminFlags struct {
	endpoint, region, profile string
	user, group, role         string
	name, email, accountID    string
	path, trust               string
	maxSession                int
	principal, action, res    string
	context                   []string
}

type multiFlag struct{ v *[]string }

func (m multiFlag) String() string     { return "" }
func (m multiFlag) Set(s string) error { *m.v = append(*m.v, s); return nil }

func runAdmin(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f adminFlags
	fs := flag.NewFlagSet("admin", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.endpoint, "endpoint-url", "", "")
	fs.StringVar(&f.region, "region", "", "")
	fs.StringVar(&f.profile, "profile", "", "")
	fs.StringVar(&f.user, "user", "", "")
	fs.StringVar(&f.group, "group", "", "")
	fs.StringVar(&f.role, "role", "", "")
	fs.StringVar(&f.name, "name", "", "")
	fs.StringVar(&f.email, "email", "", "")
	fs.StringVar(&f.accountID, "account-id", "", "")
	fs.StringVar(&f.path, "path", "", "")
	fs.StringVar(&f.trust, "trust", "", "")
	fs.IntVar(&f.maxSession, "max-session-duration", 0, "")
	fs.StringVar(&f.principal, "principal", "", "")
	fs.StringVar(&f.action, "action", "", "")
	fs.StringVar(&f.res, "resource", "", "")
	fs.Var(multiFlag{&f.context}, "context", "")
	var pos []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(stdout, adminUsage)
				return 0
			}
			fmt.Fprintf(stderr, "outpost admin: %v\n\n%s", err, adminUsage)
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(pos) == 0 || pos[0] == "help" {
		fmt.Fprint(stdout, adminUsage)
		return 0
	}
	a, err := newAdmin(ctx, f, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "outpost admin:", err)
		return 1
	}
	if err := a.run(ctx, pos); err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "outpost admin: %s\n\n%s", ue, adminUsage)
			return 2
		}
		fmt.Fprintln(stderr, "outpost admin:", explainAPIError(err))
		return 1
	}
	return 0
}

type usageError string

func (u usageError) Error() string { return string(u) }

type admin struct {
	f        adminFlags
	cfg      aws.Config
	endpoint string
	iam      *iam.Client
	sts      *sts.Client
	out      io.Writer
}

func newAdmin(ctx context.Context, f adminFlags, out io.Writer) (*admin, error) {
	var opts []func(*config.LoadOptions) error
	if f.profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(f.profile))
	}
	if f.region != "" {
		opts = append(opts, config.WithRegion(f.region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	ep := f.endpoint
	for _, v := range []string{"AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL"} {
		if ep == "" {
			ep = os.Getenv(v)
		}
	}
	if ep == "" && cfg.BaseEndpoint != nil {
		ep = *cfg.BaseEndpoint
	}
	if ep == "" {
		return nil, errors.New("no endpoint: pass --endpoint-url http://HOST:9000 (or set AWS_ENDPOINT_URL)")
	}
	a := &admin{f: f, cfg: cfg, endpoint: strings.TrimSuffix(ep, "/"), out: out}
	a.iam = iam.NewFromConfig(cfg, func(o *iam.Options) { o.BaseEndpoint = aws.String(a.endpoint) })
	a.sts = sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = aws.String(a.endpoint) })
	return a, nil
}

// explainAPIError turns an API error into one line.
func explainAPIError(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	return err.Error()
}

func need(args []string, n int, what string) error {
	if len(args) < n {
		return usageError("missing " + what)
	}
	return nil
}

// document reads a policy argument: JSON, @FILE or - (standard input).
func document(arg string) (string, error) {
	switch {
	case arg == "-":
		b, err := io.ReadAll(os.Stdin)
		return string(b), err
	case strings.HasPrefix(arg, "@"):
		b, err := os.ReadFile(arg[1:])
		return string(b), err
	}
	return arg, nil
}

func (a *admin) printf(format string, args ...any) { fmt.Fprintf(a.out, format, args...) }

func (a *admin) run(ctx context.Context, pos []string) error {
	res, cmd, args := pos[0], "", pos[1:]
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch res {
	case "whoami":
		out, err := a.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return err
		}
		a.printf("account %s\narn     %s\nuserid  %s\n", aws.ToString(out.Account), aws.ToString(out.Arn), aws.ToString(out.UserId))
		return nil
	case "account", "accounts":
		return a.account(ctx, cmd)
	case "user", "users":
		return a.user(ctx, cmd, args)
	case "key", "keys":
		return a.key(ctx, cmd, args)
	case "group", "groups":
		return a.group(ctx, cmd, args)
	case "role", "roles":
		return a.roleCmd(ctx, cmd, args)
	case "policy", "policies":
		return a.policy(ctx, cmd, args)
	case "network", "networks":
		return a.network(ctx, cmd, args)
	}
	return usageError("unknown resource " + strconv.Quote(res))
}

// call runs one of Outpost's admin actions on the IAM endpoint: a form
// POST signed for service iam, as IAM requests are.
func (a *admin) call(ctx context.Context, action string, params url.Values, out any) error {
	params.Set("Action", action)
	params.Set("Version", "2010-05-08")
	body := params.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.endpoint+"/", strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	resp, b, err := a.send(ctx, req, []byte(body), "iam")
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		var e struct {
			Code    string `xml:"Error>Code"`
			Message string `xml:"Error>Message"`
		}
		if xml.Unmarshal(b, &e) == nil && e.Code != "" {
			return &smithy.GenericAPIError{Code: e.Code, Message: e.Message}
		}
		return fmt.Errorf("%s: HTTP %d: %s", action, resp.StatusCode, bytes.TrimSpace(b))
	}
	return xml.Unmarshal(b, out)
}

// send signs req (SigV4 for service, over body) with the admin's
// credentials, sends it and reads the whole answer.
func (a *admin) send(ctx context.Context, req *http.Request, body []byte, service string) (*http.Response, []byte, error) {
	creds, err := a.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("credentials: %w", err)
	}
	sum := sha256.Sum256(body)
	payload := hex.EncodeToString(sum[:])
	if service == "s3" {
		req.Header.Set("X-Amz-Content-Sha256", payload)
	}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, payload, service, a.cfg.Region, time.Now()); err != nil {
		return nil, nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func (a *admin) account(ctx context.Context, cmd string) error {
	switch cmd {
	case "create":
		p := url.Values{}
		for k, v := range map[string]string{"AccountName": a.f.name, "Email": a.f.email, "AccountId": a.f.accountID} {
			if v != "" {
				p.Set(k, v)
			}
		}
		var res struct {
			AccountID string `xml:"CreateAccountResult>Account>AccountId"`
			KeyID     string `xml:"CreateAccountResult>AccessKey>AccessKeyId"`
			Secret    string `xml:"CreateAccountResult>AccessKey>SecretAccessKey"`
		}
		if err := a.call(ctx, "CreateAccount", p, &res); err != nil {
			return err
		}
		a.printf("account ID:  %s\naccess key:  %s\nsecret key:  %s\n(the secret key of the account's root user is shown only now; keep it safe)\n", res.AccountID, res.KeyID, res.Secret)
		return nil
	case "list":
		var res struct {
			Accounts []struct {
				ID   string `xml:"AccountId"`
				Name string `xml:"AccountName"`
				Date string `xml:"CreateDate"`
			} `xml:"ListAccountsResult>Accounts>member"`
		}
		if err := a.call(ctx, "ListAccounts", url.Values{}, &res); err != nil {
			return err
		}
		for _, ac := range res.Accounts {
			a.printf("%s\t%s\t%s\n", ac.ID, ac.Date, ac.Name)
		}
		return nil
	}
	return usageError("account: want create or list")
}

func (a *admin) user(ctx context.Context, cmd string, args []string) error {
	switch cmd {
	case "create":
		if err := need(args, 1, "user name"); err != nil {
			return err
		}
		in := &iam.CreateUserInput{UserName: aws.String(args[0])}
		if a.f.path != "" {
			in.Path = aws.String(a.f.path)
		}
		out, err := a.iam.CreateUser(ctx, in)
		if err != nil {
			return err
		}
		a.printf("%s\t%s\n", aws.ToString(out.User.Arn), aws.ToString(out.User.UserId))
		return nil
	case "get":
		if err := need(args, 1, "user name"); err != nil {
			return err
		}
		out, err := a.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(args[0])})
		if err != nil {
			return err
		}
		a.printf("%s\t%s\t%s\n", aws.ToString(out.User.Arn), aws.ToString(out.User.UserId), aws.ToTime(out.User.CreateDate).Format(time.RFC3339))
		return nil
	case "list":
		out, err := a.iam.ListUsers(ctx, &iam.ListUsersInput{})
		if err != nil {
			return err
		}
		for _, u := range out.Users {
			a.printf("%s\t%s\n", aws.ToString(u.UserName), aws.ToString(u.Arn))
		}
		return nil
	case "delete":
		if err := need(args, 1, "user name"); err != nil {
			return err
		}
		_, err := a.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String(args[0])})
		return err
	}
	return usageError("user: want create, get, list or delete")
}

func (a *admin) userPtr() *string {
	if a.f.user == "" {
		return nil
	}
	return aws.String(a.f.user)
}

func (a *admin) key(ctx context.Context, cmd string, args []string) error {
	switch cmd {
	case "create":
		out, err := a.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: a.userPtr()})
		if err != nil {
			return err
		}
		a.printf("access key:  %s\nsecret key:  %s\n(the secret key is shown only now)\n", aws.ToString(out.AccessKey.AccessKeyId), aws.ToString(out.AccessKey.SecretAccessKey))
		return nil
	case "list":
		out, err := a.iam.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: a.userPtr()})
		if err != nil {
			return err
		}
		for _, k := range out.AccessKeyMetadata {
			a.printf("%s\t%s\t%s\n", aws.ToString(k.AccessKeyId), k.Status, aws.ToTime(k.CreateDate).Format(time.RFC3339))
		}
		return nil
	case "activate", "deactivate":
		if err := need(args, 1, "access key ID"); err != nil {
			return err
		}
		st := iamtypes.StatusTypeActive
		if cmd == "deactivate" {
			st = iamtypes.StatusTypeInactive
		}
		_, err := a.iam.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: a.userPtr(), AccessKeyId: aws.String(args[0]), Status: st})
		return err
	case "delete":
		if err := need(args, 1, "access key ID"); err != nil {
			return err
		}
		_, err := a.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: a.userPtr(), AccessKeyId: aws.String(args[0])})
		return err
	}
	return usageError("key: want create, list, activate, deactivate or delete")
}

func (a *admin) group(ctx context.Context, cmd string, args []string) error {
	switch cmd {
	case "create":
		if err := need(args, 1, "group name"); err != nil {
			return err
		}
		out, err := a.iam.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String(args[0])})
		if err != nil {
			return err
		}
		a.printf("%s\n", aws.ToString(out.Group.Arn))
		return nil
	case "list":
		out, err := a.iam.ListGroups(ctx, &iam.ListGroupsInput{})
		if err != nil {
			return err
		}
		for _, g := range out.Groups {
			a.printf("%s\t%s\n", aws.ToString(g.GroupName), aws.ToString(g.Arn))
		}
		return nil
	case "delete":
		if err := need(args, 1, "group name"); err != nil {
			return err
		}
		_, err := a.iam.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String(args[0])})
		return err
	case "add-user", "remove-user":
		if err := need(args, 2, "group and user names"); err != nil {
			return err
		}
		var err error
		if cmd == "add-user" {
			_, err = a.iam.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String(args[0]), UserName: aws.String(args[1])})
		} else {
			_, err = a.iam.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String(args[0]), UserName: aws.String(args[1])})
		}
		return err
	}
	return usageError("group: want create, list, delete, add-user or remove-user")
}

func (a *admin) roleCmd(ctx context.Context, cmd string, args []string) error {
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
		in := &iam.CreateRoleInput{RoleName: aws.String(args[0]), AssumeRolePolicyDocument: aws.String(doc)}
		if a.f.maxSession > 0 {
			in.MaxSessionDuration = aws.Int32(int32(a.f.maxSession))
		}
		out, err := a.iam.CreateRole(ctx, in)
		if err != nil {
			return err
		}
		a.printf("%s\n", aws.ToString(out.Role.Arn))
		return nil
	case "get":
		if err := need(args, 1, "role name"); err != nil {
			return err
		}
		out, err := a.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(args[0])})
		if err != nil {
			return err
		}
		trust, _ := url.QueryUnescape(aws.ToString(out.Role.AssumeRolePolicyDocument))
		a.printf("%s\nmax session duration: %ds\ntrust policy: %s\n", aws.ToString(out.Role.Arn), aws.ToInt32(out.Role.MaxSessionDuration), trust)
		return nil
	case "list":
		out, err := a.iam.ListRoles(ctx, &iam.ListRolesInput{})
		if err != nil {
			return err
		}
		for _, r := range out.Roles {
			a.printf("%s\t%s\n", aws.ToString(r.RoleName), aws.ToString(r.Arn))
		}
		return nil
	case "delete":
		if err := need(args, 1, "role name"); err != nil {
			return err
		}
		_, err := a.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(args[0])})
		return err
	case "trust":
		if err := need(args, 2, "role name and trust policy"); err != nil {
			return err
		}
		doc, err := document(args[1])
		if err != nil {
			return err
		}
		_, err = a.iam.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(args[0]), PolicyDocument: aws.String(doc)})
		return err
	}
	return usageError("role: want create, get, list, delete or trust")
}

// target is the entity a policy command names with --user, --group or --role.
func (a *admin) target(args []string) (kind, name string, rest []string, err error) {
	switch {
	case a.f.user != "":
		return "user", a.f.user, args, nil
	case a.f.group != "":
		return "group", a.f.group, args, nil
	case a.f.role != "":
		return "role", a.f.role, args, nil
	}
	return "", "", nil, usageError("name the entity with --user, --group or --role")
}

func (a *admin) policy(ctx context.Context, cmd string, args []string) error {
	switch cmd {
	case "explain":
		return a.explain(ctx)
	case "managed":
		out, err := a.iam.ListPolicies(ctx, &iam.ListPoliciesInput{})
		if err != nil {
			return err
		}
		for _, p := range out.Policies {
			a.printf("%s\t%d attachments\n", aws.ToString(p.Arn), aws.ToInt32(p.AttachmentCount))
		}
		return nil
	case "create":
		if err := need(args, 2, "policy name and document"); err != nil {
			return err
		}
		doc, err := document(args[1])
		if err != nil {
			return err
		}
		in := &iam.CreatePolicyInput{PolicyName: aws.String(args[0]), PolicyDocument: aws.String(doc)}
		if a.f.path != "" {
			in.Path = aws.String(a.f.path)
		}
		out, err := a.iam.CreatePolicy(ctx, in)
		if err != nil {
			return err
		}
		a.printf("%s\n", aws.ToString(out.Policy.Arn))
		return nil
	}
	kind, name, args, err := a.target(args)
	if err != nil {
		return err
	}
	n := aws.String(name)
	pn := aws.String(a.f.name)
	switch cmd {
	case "put":
		if err := need(args, 1, "policy document"); err != nil {
			return err
		}
		if a.f.name == "" {
			return usageError("policy put needs --name POLICY")
		}
		doc, err := document(args[0])
		if err != nil {
			return err
		}
		d := aws.String(doc)
		switch kind {
		case "user":
			_, err = a.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: n, PolicyName: pn, PolicyDocument: d})
		case "group":
			_, err = a.iam.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: n, PolicyName: pn, PolicyDocument: d})
		default:
			_, err = a.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: n, PolicyName: pn, PolicyDocument: d})
		}
		return err
	case "get":
		var doc *string
		switch kind {
		case "user":
			out, err := a.iam.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: n, PolicyName: pn})
			if err != nil {
				return err
			}
			doc = out.PolicyDocument
		case "group":
			out, err := a.iam.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: n, PolicyName: pn})
			if err != nil {
				return err
			}
			doc = out.PolicyDocument
		default:
			out, err := a.iam.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: n, PolicyName: pn})
			if err != nil {
				return err
			}
			doc = out.PolicyDocument
		}
		s, _ := url.QueryUnescape(aws.ToString(doc))
		a.printf("%s\n", s)
		return nil
	case "delete":
		switch kind {
		case "user":
			_, err = a.iam.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: n, PolicyName: pn})
		case "group":
			_, err = a.iam.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: n, PolicyName: pn})
		default:
			_, err = a.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: n, PolicyName: pn})
		}
		return err
	case "attach", "detach":
		if err := need(args, 1, "policy ARN"); err != nil {
			return err
		}
		p := aws.String(args[0])
		switch kind + " " + cmd {
		case "user attach":
			_, err = a.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: n, PolicyArn: p})
		case "group attach":
			_, err = a.iam.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: n, PolicyArn: p})
		case "role attach":
			_, err = a.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: n, PolicyArn: p})
		case "user detach":
			_, err = a.iam.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: n, PolicyArn: p})
		case "group detach":
			_, err = a.iam.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: n, PolicyArn: p})
		default:
			_, err = a.iam.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: n, PolicyArn: p})
		}
		return err
	case "list":
		var inline []string
		var attached []iamtypes.AttachedPolicy
		switch kind {
		case "user":
			i, err := a.iam.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: n})
			if err != nil {
				return err
			}
			m, err := a.iam.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: n})
			if err != nil {
				return err
			}
			inline, attached = i.PolicyNames, m.AttachedPolicies
		case "group":
			i, err := a.iam.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: n})
			if err != nil {
				return err
			}
			m, err := a.iam.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: n})
			if err != nil {
				return err
			}
			inline, attached = i.PolicyNames, m.AttachedPolicies
		default:
			i, err := a.iam.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: n})
			if err != nil {
				return err
			}
			m, err := a.iam.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: n})
			if err != nil {
				return err
			}
			inline, attached = i.PolicyNames, m.AttachedPolicies
		}
		for _, p := range inline {
			a.printf("inline\t%s\n", p)
		}
		for _, p := range attached {
			a.printf("attached\t%s\n", aws.ToString(p.PolicyArn))
		}
		return nil
	}
	return usageError("policy: want put, get, delete, list, create, attach, detach, managed or explain")
}

func (a *admin) explain(ctx context.Context) error {
	if a.f.principal == "" || a.f.action == "" || a.f.res == "" {
		return usageError("policy explain needs --principal, --action and --resource")
	}
	p := url.Values{"PrincipalArn": {a.f.principal}, "ActionName": {a.f.action}, "ResourceArn": {a.f.res}}
	for i, kv := range a.f.context {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return usageError("--context wants KEY=VALUE, got " + strconv.Quote(kv))
		}
		p.Set("Context.member."+strconv.Itoa(i+1)+".Key", k)
		p.Set("Context.member."+strconv.Itoa(i+1)+".Value", v)
	}
	var res struct {
		Text string `xml:"ExplainPolicyResult>Text"`
	}
	if err := a.call(ctx, "ExplainPolicy", p, &res); err != nil {
		return err
	}
	a.printf("%s", res.Text)
	return nil
}
