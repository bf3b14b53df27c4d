package sigv4

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// v2Link presigns a SigV2 GET of /b/k whose query is signedQuery and
// returns the request a holder makes after replacing that query with
// sentQuery (the authentication parameters kept as signed).
func v2Link(t testing.TB, signedQuery, sentQuery string) (*http.Request, error) {
	t.Helper()
	s, err := Presign(PresignParams{Method: "GET", Algorithm: AlgorithmV2, Credentials: creds, Time: t0, Expires: time.Hour,
		URL: &url.URL{Scheme: "http", Host: "127.0.0.1:9000", Path: "/b/k", RawQuery: signedQuery}})
	if err != nil {
		return nil, err
	}
	// The URL is "http://127.0.0.1:9000/b/k?" + signedQuery + "&" + auth,
	// cut by hand: signedQuery may hold anything, '#' included.
	auth := strings.TrimPrefix(s, "http://127.0.0.1:9000/b/k?")
	if signedQuery != "" {
		auth = auth[len(signedQuery)+1:]
	}
	q := auth
	if sentQuery != "" {
		q = sentQuery + "&" + auth
	}
	return &http.Request{Method: "GET", Host: "127.0.0.1:9000", Header: http.Header{},
		URL: &url.URL{Scheme: "http", Host: "127.0.0.1:9000", Path: "/b/k", RawQuery: q}}, nil
}

func TestSigV2SignsSubresourcesAsTheRouterDecodesThem(t *testing.T) {
	for _, tc := range []struct {
		name, signed, sent, code string
	}{
		{name: "the link as signed verifies", signed: "versionId=v1", sent: "versionId=v1"},
		{name: "a percent-encoded acl added to an object link is refused", sent: "%61cl", code: CodeSignatureDoesNotMatch},
		{name: "a percent-encoded tagging added is refused", sent: "%74agging", code: CodeSignatureDoesNotMatch},
		{name: "a second, percent-encoded versionId is refused", signed: "versionId=new", sent: "versionId=new&%76ersionId=old", code: CodeSignatureDoesNotMatch},
		{name: "a response override added percent-encoded is refused", sent: "response-content-type%3D=x&%72esponse-content-type=text%2Fhtml", code: CodeSignatureDoesNotMatch},
		{name: "a plus where the signer sent %2B is refused (the router reads a space)", signed: "response-content-type=a%2Bb", sent: "response-content-type=a+b", code: CodeSignatureDoesNotMatch},
		{name: "an escaped value equal once decoded verifies", signed: "versionId=v%201", sent: "versionId=v%201"},
		{name: "a query parameter SigV2 does not sign may be added", signed: "versionId=v1", sent: "versionId=v1&x-id=GetObject"},
		{name: "an x-amz parameter added percent-encoded is refused", sent: "%78-amz-checksum-crc32=AAAAAA%3D%3D", code: CodeSignatureDoesNotMatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := v2Link(t, tc.signed, tc.sent)
			if err != nil {
				t.Fatal(err)
			}
			_, err = verifierAt(t0, nil).Verify(context.Background(), r, VerifyOptions{})
			if tc.code == "" {
				if err != nil {
					t.Fatalf("refused %q: %v", r.URL.RawQuery, err)
				}
				return
			}
			wantCode(t, err, tc.code)
		})
	}
}

func TestSigV2SignerRefusesAmbiguousValues(t *testing.T) {
	// "x&tagging" would sign the same string as a separate tagging subresource.
	if _, err := v2Link(t, "response-content-disposition=x%26tagging", ""); err == nil {
		t.Fatal("presigned a SigV2 value holding '&'")
	}
	r, _ := http.NewRequest("GET", "http://h/b/k?response-content-type=a%26acl", nil)
	if err := SignRequestV2(r, creds, "", t0); err == nil {
		t.Fatal("signed a SigV2 header request with a value holding '&'")
	}
	if _, err := v2Link(t, "response-content-disposition=attachment%3B%20filename%3D%22a%20b.txt%22", ""); err != nil {
		t.Fatalf("refused an ordinary value: %v", err)
	}
}

func TestSigV2LinkLifetimeIsBoundedFromTheMomentOfUse(t *testing.T) {
	link := func(exp time.Duration) *http.Request {
		s := presignAt(t, PresignParams{Algorithm: AlgorithmV2, Expires: exp})
		return requestFor(t, "GET", s, nil)
	}
	// Presign caps Expires at 7 days; a hand-made link can say anything.
	far := link(time.Hour)
	q := far.URL.Query()
	q.Set("Expires", "4102444800") // 2100-01-01
	far.URL.RawQuery = q.Encode()
	huge := link(time.Hour)
	q.Set("Expires", "9223372036854775807") // time.Unix overflows
	huge.URL.RawQuery = q.Encode()
	for _, tc := range []struct {
		name string
		r    *http.Request
		now  time.Time
		code string
	}{
		{name: "a 7-day link verifies at once", r: link(7 * 24 * time.Hour), now: t0},
		{name: "a link ending 604801 s after use is refused", r: link(7 * 24 * time.Hour), now: t0.Add(-time.Second), code: CodeAuthorizationQueryParametersError},
		{name: "a link expiring in the year 2100 is refused before its signature is checked", r: far, now: t0, code: CodeAuthorizationQueryParametersError},
		{name: "a link expiring at the largest int64 is refused, not taken as expired", r: huge, now: t0, code: CodeAuthorizationQueryParametersError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := verifierAt(tc.now, nil).Verify(context.Background(), tc.r, VerifyOptions{})
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantCode(t, err, tc.code)
			if f := errFields(err); f["Expires"] == "" || f["ServerTime"] == "" {
				t.Errorf("fields %v, want Expires and ServerTime", f)
			}
		})
	}
}

func TestSigV2LinkMissingAParameterIsRefusedAsAWSDoes(t *testing.T) {
	for _, drop := range []string{"Signature", "AWSAccessKeyId", "Expires"} {
		r := requestFor(t, "GET", presignAt(t, PresignParams{Algorithm: AlgorithmV2}), nil)
		q := r.URL.Query()
		q.Del(drop)
		r.URL.RawQuery = q.Encode()
		if !IsSigV2(r) {
			t.Errorf("without %s: not seen as SigV2", drop)
		}
		_, err := verifierAt(t0, nil).Verify(context.Background(), r, VerifyOptions{})
		if err == nil {
			t.Fatalf("without %s: verified %s", drop, r.URL)
		}
		wantCode(t, err, CodeAccessDenied)
		if e := err.(*Error); e.Status != http.StatusForbidden || e.Message != "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters" {
			t.Errorf("without %s: %d %q", drop, e.Status, e.Message)
		}
	}
}

func TestIsSigV2(t *testing.T) {
	for _, tc := range []struct {
		name, auth, query string
		want              bool
	}{
		{name: "an AWS Authorization header", auth: "AWS AKID:sig", want: true},
		{name: "a SigV4 Authorization header", auth: "AWS4-HMAC-SHA256 Credential=x", query: "AWSAccessKeyId=a"},
		{name: "SigV2 query parameters", query: "AWSAccessKeyId=a&Expires=1&Signature=s", want: true},
		{name: "a Signature alone", query: "Signature=s", want: true},
		{name: "an escaped AWSAccessKeyId alone (Verify: anonymous)", query: "%41WSAccessKeyId=a"},
		{name: "Signature only inside a value", query: "response-content-disposition=Signature"},
		{name: "a key ending in Signature", query: "MySignature=x"},
		{name: "an empty Signature last", query: "acl&Signature", want: true},
		{name: "a repeated Signature", query: "Signature=a&Signature=b", want: true},
		{name: "SigV4 query parameters", query: "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=c&X-Amz-Signature=s"},
		{name: "SigV4 with a stray Signature", query: "X-Amz-Signature=s&Signature=t"},
		{name: "an escaped SigV4 name does not hide SigV2 (Verify reads it as SigV2)", query: "%58-Amz-Algorithm=AWS4-HMAC-SHA256&AWSAccessKeyId=a&Expires=1&Signature=s", want: true},
		{name: "no authentication", query: "acl&versionId=1"},
		{name: "an Expires alone", query: "Expires=1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &http.Request{Header: http.Header{}, URL: &url.URL{RawQuery: tc.query}}
			if tc.auth != "" {
				r.Header.Set("Authorization", tc.auth)
			}
			if got := IsSigV2(r); got != tc.want {
				t.Fatalf("IsSigV2 = %v, want %v", got, tc.want)
			}
		})
	}
}

// routerSubresources is what the server's router (url.ParseQuery) acts on
// among the SigV2 subresources and response-* parameters.
func routerSubresources(q url.Values) map[string][]string {
	out := map[string][]string{}
	for k, vs := range q {
		if v2Subresources[k] {
			out[k] = vs
		}
	}
	return out
}

func sameSubresources(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, vs := range a {
		if !slices.Equal(vs, b[k]) {
			return false
		}
	}
	return true
}

// FuzzSigV2SignedSubresourcesMatchRouter holds the SigV2 verifier to what
// the router acts on. Any query Verify reads as SigV2 is one IsSigV2
// reports. For any query the router accepts, the subresources
// of the CanonicalizedResource, read back, are exactly those url.ParseQuery
// yields, with the same decoded values. And a link signed for one query
// and sent with another verifies only if the router sees the same
// subresources in both.
func FuzzSigV2SignedSubresourcesMatchRouter(f *testing.F) {
	for _, s := range [][2]string{
		{"", "%61cl"},
		{"", "%74agging"},
		{"versionId=new", "versionId=new&%76ersionId=old"},
		{"versionId=new", "%76ersionId=old"},
		{"response-content-type=a%2Bb", "response-content-type=a+b"},
		{"acl", "acl="},
		{"acl", "ACL"},
		{"uploadId=u&partNumber=1", "partNumber=1&uploadId=u"},
		{"", "x-amz-acl=public-read"},
		{"", "%78-amz-checksum-crc32=AAAAAA%3D%3D"},
		{"tagging", "tagging&tagging"},
		{"response-content-disposition=a%26acl", "response-content-disposition=a&acl"},
		{"", "acl%00"},
		{"", "+acl"},
		{"", "versionId%3Dx"},
		{"", "%58-Amz-Algorithm=AWS4-HMAC-SHA256&Signature=s"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, signed, sent string) {
		// 0. Whatever Verify would check as SigV2, IsSigV2 reports as SigV2
		// (servers refuse SigV2 on access points by it).
		if _, qv2, _ := scanAuthParams(splitQuery(nil, sent, "X-Amz-Signature"), sent); qv2 &&
			!IsSigV2(&http.Request{Header: http.Header{}, URL: &url.URL{RawQuery: sent}}) {
			t.Fatalf("Verify reads %q as SigV2, IsSigV2 does not", sent)
		}
		routed, err := url.ParseQuery(sent)
		if err != nil {
			return // the router answers InvalidURI before any signature check
		}
		want := routerSubresources(routed)
		ambiguous := false
		for _, vs := range want {
			for _, v := range vs {
				ambiguous = ambiguous || strings.IndexByte(v, '&') >= 0
			}
		}
		// 1. The canonical resource names what the router acts on.
		if res := string(appendV2Subresources(nil, sent)); !ambiguous {
			got := map[string][]string{}
			if res != "" {
				for _, part := range strings.Split(res[1:], "&") {
					k, v, _ := strings.Cut(part, "=")
					got[k] = append(got[k], v)
				}
			}
			if !sameSubresources(got, want) {
				t.Fatalf("query %q: signed subresources %q, router acts on %v", sent, res, want)
			}
		}
		// 2. A link verifies with another query only if the router sees the
		// subresources that were signed.
		signedQ, err := url.ParseQuery(signed)
		if err != nil {
			return
		}
		r, err := v2Link(t, signed, sent)
		if err != nil {
			return // the signer refused the query
		}
		if _, err := verifierAt(t0, nil).Verify(context.Background(), r, VerifyOptions{}); err != nil {
			return
		}
		if !sameSubresources(routerSubresources(signedQ), want) {
			t.Fatalf("a link signed for %q verified when sent with %q: signed %v, router acts on %v",
				signed, sent, routerSubresources(signedQ), want)
		}
	})
}

// BenchmarkIsSigV2 is the cost of telling SigV2 apart without verifying,
// on a SigV4 presigned URL (a long query that is not SigV2).
func BenchmarkIsSigV2(b *testing.B) {
	u, _ := url.Parse(presignAt(b, PresignParams{}))
	r := &http.Request{Header: http.Header{}, URL: u}
	b.ReportAllocs()
	for b.Loop() {
		if IsSigV2(r) {
			b.Fatal("SigV4 taken for SigV2")
		}
	}
}
