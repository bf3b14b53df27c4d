package iam_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/outpost-s3/outpost/sigv4"
)

// TestPresignedQueryRequestRunsOnlyItsSignedAction is issue 10's hole 5. A
// presigned URL for an IAM or STS action signs its query string only (the
// body is UNSIGNED-PAYLOAD). Posting it with a form body that names another
// action used to run the body's action: a presigned GetCallerIdentity (how
// many systems prove an identity) handed out the signer's temporary
// credentials, and a presigned IAM call created users. Now the parameters of
// such a request come from the signed query alone and a body that adds or
// changes one is refused with SignatureDoesNotMatch, nothing done.
func TestPresignedQueryRequestRunsOnlyItsSignedAction(t *testing.T) {
	srv, _ := start(t)

	host := strings.TrimPrefix(srv.URL, "http://")
	presignQuery := func(service, query string) string {
		t.Helper()
		u, err := sigv4.Presign(sigv4.PresignParams{
			Method:      "POST",
			URL:         &url.URL{Scheme: "http", Host: host, Path: "/", RawQuery: query},
			Credentials: rootCreds, Region: region, Service: service, Expires: time.Hour,
		})
		must(t, "presign "+service, err)
		return u
	}
	send := func(method, u, body string) (int, string) {
		t.Helper()
		r, err := http.NewRequest(method, u, strings.NewReader(body))
		must(t, "request", err)
		if body != "" {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := http.DefaultClient.Do(r)
		must(t, "send", err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	// A presigned GetCallerIdentity (the identity proof), used as signed.
	gci := presignQuery("sts", "Action=GetCallerIdentity&Version=2011-06-15")
	if st, b := send("POST", gci, ""); st != 200 || !strings.Contains(b, "<Arn>arn:aws:iam::"+account+":root</Arn>") {
		t.Fatalf("presigned GetCallerIdentity as signed: %d %s", st, b)
	}

	// The same URL with a body asking for a session: refused, no credentials.
	st, b := send("POST", gci, "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=900")
	if st != 403 || !strings.Contains(b, "<Code>SignatureDoesNotMatch</Code>") || strings.Contains(b, "SecretAccessKey") {
		t.Fatalf("presigned GetCallerIdentity with a GetSessionToken body: %d %s", st, b)
	}
	// A body repeating a signed parameter with another value: refused too.
	st, b = send("POST", gci, "Action=GetSessionToken")
	if st != 403 || !strings.Contains(b, "<Code>SignatureDoesNotMatch</Code>") {
		t.Fatalf("body overriding Action: %d %s", st, b)
	}

	// A presigned IAM ListUsers (service iam) posted with CreateUser.
	u := presignQuery("iam", "Action=ListUsers&Version=2010-05-08")
	if st, b := send("POST", u, ""); st != 200 || !strings.Contains(b, "ListUsersResponse") {
		t.Fatalf("presigned ListUsers as signed: %d %s", st, b)
	}
	st, b = send("POST", u, "Action=CreateUser&Version=2010-05-08&UserName=smuggled")
	if st != 403 || !strings.Contains(b, "<Code>SignatureDoesNotMatch</Code>") {
		t.Fatalf("presigned ListUsers with a CreateUser body: %d %s", st, b)
	}
	_, err := iamClient(srv, rootCreds).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("smuggled")})
	wantCode(t, "GetUser smuggled", err, "NoSuchEntity")

	// A header-signed request with UNSIGNED-PAYLOAD leaves its body open in
	// the same way: its parameters come from the signed query only.
	r, err := http.NewRequest("POST", srv.URL+"/?Action=ListUsers&Version=2010-05-08", strings.NewReader("Action=CreateUser&Version=2010-05-08&UserName=smuggled2"))
	must(t, "request", err)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("X-Amz-Content-Sha256", sigv4.UnsignedPayload)
	must(t, "sign", sigv4.SignRequest(r, rootCreds, region, "iam", sigv4.UnsignedPayload, time.Now()))
	resp, err := http.DefaultClient.Do(r)
	must(t, "send", err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(string(body), "<Code>SignatureDoesNotMatch</Code>") {
		t.Fatalf("UNSIGNED-PAYLOAD header-signed request with a CreateUser body: %d %s", resp.StatusCode, body)
	}
	_, err = iamClient(srv, rootCreds).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("smuggled2")})
	wantCode(t, "GetUser smuggled2", err, "NoSuchEntity")

	// The SDK's own calls (the body is the form and is signed) still work.
	_, err = iamClient(srv, rootCreds).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("honest")})
	must(t, "CreateUser through the SDK", err)
}
