package hostile_test

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/outpost-s3/outpost/internal/testserver"
	"github.com/outpost-s3/outpost/sigv4"
)

// Rows of issue 12, item 13: what the holder of a presigned link tries with
// encryption headers its signer did not sign: an x-amz-* header a link
// does not sign is refused (403 AccessDenied, "There were headers present
// in the request which were not signed", as AWS), and nothing is stored.
func init() { moreRows = append(moreRows, sseRows) }

func sseRows() []row {
	link := func(method, key string, extra ...string) func(e *env) *http.Request {
		return func(e *env) *http.Request {
			u, _ := url.Parse(e.url("/" + bucket + "/" + key))
			s, err := sigv4.Presign(sigv4.PresignParams{Method: method, URL: u, Credentials: creds, Region: testserver.Region, Service: "s3", Expires: time.Hour})
			if err != nil {
				panic(err)
			}
			body := ""
			if method == "PUT" {
				body = "x"
			}
			r, _ := http.NewRequest(method, s, strings.NewReader(body))
			for i := 0; i+1 < len(extra); i += 2 {
				r.Header.Set(extra[i], extra[i+1])
			}
			return r
		}
	}
	ssec := []string{"x-amz-server-side-encryption-customer-algorithm", "AES256",
		"x-amz-server-side-encryption-customer-key", "U1NFSE9TVElMRUtFWVNTRUhPU1RJTEVLRVkwMTIzNDU=",
		"x-amz-server-side-encryption-customer-key-MD5", "bogus"}
	return []row{
		{name: "sse: presigned PUT link with SSE-KMS added", req: link("PUT", "sse-kms", "x-amz-server-side-encryption", "aws:kms"), status: 403, code: "AccessDenied", key: "sse-kms"},
		{name: "sse: presigned PUT link with a KMS key ID added", req: link("PUT", "sse-kms-id", "x-amz-server-side-encryption-aws-kms-key-id", "alias/evil"), status: 403, code: "AccessDenied", key: "sse-kms-id"},
		{name: "sse: presigned PUT link with SSE-C added over plain HTTP", req: link("PUT", "sse-c-http", ssec...), status: 403, code: "AccessDenied", key: "sse-c-http"},
		{name: "sse: presigned PUT link with an unknown encryption added", req: link("PUT", "sse-bad", "x-amz-server-side-encryption", "ROT13"), status: 403, code: "AccessDenied", key: "sse-bad"},
		{name: "sse: presigned GET link of an SSE-S3 object with SSE-C added", req: link("GET", "existing", ssec...), status: 403, code: "AccessDenied"},
	}
}
