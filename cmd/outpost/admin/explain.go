package admin

import (
	"context"
	"net/url"
	"strconv"
	"strings"
)

// explain runs Outpost's ExplainPolicy action: which statement allows or
// denies the action, evaluated on the server with the policies it would use.
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
		Text string `xml:"Text"`
	}
	if err := a.iam(ctx, "ExplainPolicy", p, &res); err != nil {
		return err
	}
	a.printf("%s", res.Text)
	return nil
}
