package iam_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// TestListOpenIDConnectProvidersIsEmpty (issue 12, item 14): SDK tooling
// probes ListOpenIDConnectProviders; Outpost federates no OIDC providers and
// answers the empty list (it used to answer InvalidAction). A user without
// the permission is refused.
func TestListOpenIDConnectProvidersIsEmpty(t *testing.T) {
	srv, _ := start(t)
	out, err := iamClient(srv, rootCreds).ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
	must(t, "ListOpenIDConnectProviders", err)
	if len(out.OpenIDConnectProviderList) != 0 {
		t.Fatalf("providers: %+v", out.OpenIDConnectProviderList)
	}
	c := iamClient(srv, newUser(t, srv, rootCreds, "nobody"))
	_, err = c.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
	wantCode(t, "ListOpenIDConnectProviders without permission", err, "AccessDenied")
}
