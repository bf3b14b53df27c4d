package sigv4

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func FuzzParseAuthorization(f *testing.F) {
	r := signedHeaderRequest(f, "GET", "https://h/k", nil, nil)
	f.Add(r.Header.Get("Authorization"))
	f.Add("AWS4-ECDSA-P256-SHA256 Credential=AKID/20150830/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=3045")
	f.Add("AWS4-HMAC-SHA256 Credential=/, SignedHeaders=, Signature=")
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/e/f/g,,,,")
	f.Add("AWS AKID:sig")
	f.Fuzz(func(t *testing.T, auth string) {
		a, err := parseAuthorization(auth)
		if err == nil {
			if a.credential == "" || a.signature == "" || a.signedHeaders == "" {
				t.Fatalf("accepted incomplete header %q", auth)
			}
			parseCredential(a.credential, a.algorithm)
		}
		// The whole header path must not panic either.
		req, _ := http.NewRequest("GET", "https://h/k", nil)
		req.Header.Set("Authorization", auth)
		req.Header.Set("X-Amz-Date", "20261129T003048Z")
		req.Header.Set("X-Amz-Content-Sha256", EmptySHA256)
		req.Header.Set("X-Amz-Region-Set", "*")
		verifierAt(t0, nil).Verify(context.Background(), req, VerifyOptions{})
	})
}

func FuzzVerifyQuery(f *testing.F) {
	u, _ := url.Parse(presignAt(f, PresignParams{}))
	f.Add(u.Path, u.RawQuery)
	u, _ = url.Parse(presignAt(f, PresignParams{Algorithm: AlgorithmV4A}))
	f.Add(u.Path, u.RawQuery)
	f.Add("/a%zz", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=99999999999999999999999")
	f.Add("/", "X-Amz-Credential=%2F%2F%2F%2F&X-Amz-Signature=&&&=&%")
	f.Fuzz(func(t *testing.T, path, rawQuery string) {
		r, err := http.NewRequest("GET", "https://"+benchHost+"/", nil)
		if err != nil {
			return
		}
		r.URL.RawPath, r.URL.Path, r.URL.RawQuery = path, pathUnescape(path), rawQuery
		vd, err := verifierAt(t0.Add(time.Minute), nil).Verify(context.Background(), r, VerifyOptions{})
		if err == nil && vd.AuthType == AuthQuery && !strings.Contains(rawQuery, "Signature") {
			t.Fatalf("verified without a signature: %q", rawQuery)
		}
	})
}

func FuzzSigV2(f *testing.F) {
	u, _ := url.Parse(presignAt(f, PresignParams{Algorithm: AlgorithmV2}))
	f.Add(u.RawQuery, "")
	f.Add("acl&versionId=%&AWSAccessKeyId=&Signature=&Expires=-1", "AWS :")
	f.Add("", "AWS AKIDEXAMPLE:abc=")
	f.Fuzz(func(t *testing.T, rawQuery, auth string) {
		r, _ := http.NewRequest("GET", "https://"+benchHost+"/dir/a%20b.txt", nil)
		r.URL.RawQuery = rawQuery
		if auth != "" {
			r.Header.Set("Authorization", auth)
			r.Header.Set("Date", t0.Format(http.TimeFormat))
		}
		verifierAt(t0, nil).Verify(context.Background(), r, VerifyOptions{V2Resources: []string{"/x", rawQuery}})
		appendV2Subresources(nil, rawQuery)
	})
}
