package hostile_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/outpost-s3/outpost/internal/testserver"
	"github.com/outpost-s3/outpost/sigv4"
)

// Rows of issue 10: what the holder of one link tried to do that its signer
// did not sign (holes 4 and 5; the SigV2, session and authorization holes
// have rows of their own files).
func init() { moreRows = append(moreRows, linkRows) }

func linkRows() []row {
	var rows []row
	add := func(r row) { rows = append(rows, r) }

	// Hole 4: a SigV4 link for key "link%41" (path link%2541) sent to the
	// path of key "linkA", which the double-encoded reading would name.
	for _, m := range []string{"PUT", "GET", "DELETE"} {
		add(row{name: "link: SigV4 " + m + " link for link%41 sent to linkA", req: func(e *env) *http.Request {
			u, _ := url.Parse(e.url("/"))
			u.Path = "/" + bucket + "/link%41" // the key, literally
			s, err := sigv4.Presign(sigv4.PresignParams{Method: m, URL: u, Credentials: creds, Region: testserver.Region, Service: "s3", Expires: time.Hour})
			if err != nil {
				panic(err)
			}
			if !strings.Contains(s, "/link%2541?") {
				panic("the link does not name key link%41: " + s)
			}
			s = strings.Replace(s, "/link%2541?", "/link%41?", 1)
			var body *strings.Reader
			if m == "PUT" {
				body = strings.NewReader("x")
			} else {
				body = strings.NewReader("")
			}
			r, _ := http.NewRequest(m, s, body)
			return r
		}, status: 403, code: "SignatureDoesNotMatch", key: "linkA"})
	}

	// Hole 5: a presigned IAM/STS call posted with a body naming another
	// action (the body is UNSIGNED-PAYLOAD: the signature does not cover it).
	queryLink := func(service, query, body string) func(e *env) *http.Request {
		return func(e *env) *http.Request {
			u, _ := url.Parse(e.url("/?" + query))
			s, err := sigv4.Presign(sigv4.PresignParams{Method: "POST", URL: u, Credentials: creds, Region: testserver.Region, Service: service, Expires: time.Hour})
			if err != nil {
				panic(err)
			}
			r, _ := http.NewRequest("POST", s, strings.NewReader(body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}
	}
	refusedQuery := func(t *testing.T, resp *http.Response, body []byte) {
		if !strings.Contains(string(body), "<Code>SignatureDoesNotMatch</Code>") || strings.Contains(string(body), "SecretAccessKey") {
			t.Errorf("want an IAM/STS SignatureDoesNotMatch, got %s", body)
		}
	}
	for _, c := range []struct{ name, service, query, body string }{
		{"presigned GetCallerIdentity posted with GetSessionToken", "sts", "Action=GetCallerIdentity&Version=2011-06-15", "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=900"},
		{"presigned GetCallerIdentity posted with AssumeRole", "sts", "Action=GetCallerIdentity&Version=2011-06-15", "Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::" + testserver.AccountID + ":role/x&RoleSessionName=s"},
		{"presigned ListUsers posted with CreateUser", "iam", "Action=ListUsers&Version=2010-05-08", "Action=CreateUser&Version=2010-05-08&UserName=hostile"},
		{"presigned ListUsers posted with CreateAccessKey", "iam", "Action=ListUsers&Version=2010-05-08", "Action=CreateAccessKey&Version=2010-05-08"},
		{"presigned ListUsers with a body repeating Action", "iam", "Action=ListUsers&Version=2010-05-08", "Action=ListUsers&Action=CreateUser&Version=2010-05-08&UserName=hostile"},
		{"presigned ListUsers posted with an extra parameter", "iam", "Action=ListUsers&Version=2010-05-08", "PathPrefix=/x/"},
	} {
		add(row{name: "link: " + c.name, req: queryLink(c.service, c.query, c.body), status: 403, check: refusedQuery})
	}
	add(row{name: "link: UNSIGNED-PAYLOAD header-signed ListUsers posted with CreateUser", req: func(e *env) *http.Request {
		r, _ := http.NewRequest("POST", e.url("/?Action=ListUsers&Version=2010-05-08"), strings.NewReader("Action=CreateUser&Version=2010-05-08&UserName=hostile"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("X-Amz-Content-Sha256", sigv4.UnsignedPayload)
		sigv4.SignRequest(r, creds, testserver.Region, "iam", sigv4.UnsignedPayload, time.Now())
		return r
	}, status: 403, check: refusedQuery})
	return rows
}
