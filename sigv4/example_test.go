package sigv4_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/outpost-s3/outpost/sigv4"
)

// ExamplePresign presigns a GET of an object behind an S3 on Outposts access
// point, then verifies the URL as the server does.
func ExamplePresign() {
	creds := sigv4.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	signedAt := time.Date(2026, 11, 29, 0, 30, 48, 0, time.UTC)
	u, err := sigv4.Presign(sigv4.PresignParams{
		Method:      http.MethodGet,
		URL:         &url.URL{Scheme: "https", Host: "my-ap-123456789012.op-01ac5d28a6a232904.s3.example.internal:8443", Path: "/dir/a b.txt"},
		Credentials: creds,
		Region:      "us-east-1",
		Service:     "s3-outposts",
		Time:        signedAt,
		Expires:     time.Hour,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(u)

	v := sigv4.NewVerifier(sigv4.VerifierConfig{
		Keys:   keys{creds},
		Region: "us-east-1",
		Now:    func() time.Time { return signedAt.Add(10 * time.Minute) },
	})
	r, _ := http.NewRequest(http.MethodGet, u, nil)
	verified, err := v.Verify(context.Background(), r, sigv4.VerifyOptions{})
	fmt.Println(verified.AuthType, verified.Algorithm, verified.Expires.Format(time.RFC3339), err)
	// Output:
	// https://my-ap-123456789012.op-01ac5d28a6a232904.s3.example.internal:8443/dir/a%20b.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20261129%2Fus-east-1%2Fs3-outposts%2Faws4_request&X-Amz-Date=20261129T003048Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=89af3fc1eb2ad2d0b3e5a4bafda5290c1effa67a1e8064dac85790e60fbc4b2e
	// REST-QUERY-STRING AWS4-HMAC-SHA256 2026-11-29T01:30:48Z <nil>
}

type keys struct{ c sigv4.Credentials }

func (k keys) LookupKey(_ context.Context, akid, _ string) (sigv4.Key, error) {
	if akid != k.c.AccessKeyID {
		return sigv4.Key{}, sigv4.ErrInvalidAccessKeyID(akid)
	}
	return sigv4.Key{AccessKeyID: akid, Secret: k.c.SecretAccessKey}, nil
}
