// Package admin is `outpost admin`: day-to-day administration of an
// Outpost server (accounts, users, keys, groups, roles, policies, policy
// explanations, networks) through the same public APIs any SDK uses: the
// IAM and STS query protocol, Outpost's admin actions on the IAM endpoint
// and the networks admin API. Every request is signed with the project's
// own sigv4 package, as `outpost presign` and the server are.
//
// Each resource has its own file; client.go holds the flags, the
// credentials and the signed call.
package admin

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
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

// Run executes `outpost admin ARGS` and returns the process exit code: 0
// on success, 1 when the server or the credentials refuse, 2 for a usage
// error.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
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

func (a *admin) run(ctx context.Context, pos []string) error {
	res, cmd, args := pos[0], "", pos[1:]
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch res {
	case "whoami":
		return a.whoami(ctx)
	case "account", "accounts":
		return a.account(ctx, cmd)
	case "user", "users":
		return a.user(ctx, cmd, args)
	case "key", "keys":
		return a.key(ctx, cmd, args)
	case "group", "groups":
		return a.group(ctx, cmd, args)
	case "role", "roles":
		return a.role(ctx, cmd, args)
	case "policy", "policies":
		return a.policy(ctx, cmd, args)
	case "network", "networks":
		return a.network(ctx, cmd, args)
	}
	return usageError("unknown resource " + strconv.Quote(res))
}
