package admin

import (
	"context"
	"net/url"
)

// target is the entity a policy command names with --user, --group or
// --role, as IAM spells it in action and parameter names ("User":
// PutUserPolicy, UserName).
func (a *admin) target() (kind, name string, err error) {
	switch {
	case a.f.user != "":
		return "User", a.f.user, nil
	case a.f.group != "":
		return "Group", a.f.group, nil
	case a.f.role != "":
		return "Role", a.f.role, nil
	}
	return "", "", usageError("name the entity with --user, --group or --role")
}

func (a *admin) policy(ctx context.Context, cmd string, args []string) error {
	switch cmd {
	case "explain":
		return a.explain(ctx)
	case "managed":
		policies, err := members[struct {
			Arn             string
			AttachmentCount int
		}](ctx, a, "ListPolicies", nil)
		if err != nil {
			return err
		}
		for _, p := range policies {
			a.printf("%s\t%d attachments\n", p.Arn, p.AttachmentCount)
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
		var res struct {
			Arn string `xml:"Policy>Arn"`
		}
		p := optional(url.Values{"PolicyName": {args[0]}, "PolicyDocument": {doc}}, "Path", a.f.path)
		if err := a.iam(ctx, "CreatePolicy", p, &res); err != nil {
			return err
		}
		a.printf("%s\n", res.Arn)
		return nil
	}
	kind, name, err := a.target()
	if err != nil {
		return err
	}
	entity := url.Values{kind + "Name": {name}}
	inline := url.Values{kind + "Name": {name}, "PolicyName": {a.f.name}}
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
		inline.Set("PolicyDocument", doc)
		return a.iam(ctx, "Put"+kind+"Policy", inline, nil)
	case "get":
		var res struct {
			Doc string `xml:"PolicyDocument"`
		}
		if err := a.iam(ctx, "Get"+kind+"Policy", inline, &res); err != nil {
			return err
		}
		// IAM returns policy documents URL-encoded.
		s, _ := url.QueryUnescape(res.Doc)
		a.printf("%s\n", s)
		return nil
	case "delete":
		return a.iam(ctx, "Delete"+kind+"Policy", inline, nil)
	case "attach", "detach":
		if err := need(args, 1, "policy ARN"); err != nil {
			return err
		}
		entity.Set("PolicyArn", args[0])
		action := "Attach"
		if cmd == "detach" {
			action = "Detach"
		}
		return a.iam(ctx, action+kind+"Policy", entity, nil)
	case "list":
		inline, err := members[string](ctx, a, "List"+kind+"Policies", entity)
		if err != nil {
			return err
		}
		attached, err := members[struct{ PolicyArn string }](ctx, a, "ListAttached"+kind+"Policies", entity)
		if err != nil {
			return err
		}
		for _, p := range inline {
			a.printf("inline\t%s\n", p)
		}
		for _, p := range attached {
			a.printf("attached\t%s\n", p.PolicyArn)
		}
		return nil
	}
	return usageError("policy: want put, get, delete, list, create, attach, detach, managed or explain")
}
