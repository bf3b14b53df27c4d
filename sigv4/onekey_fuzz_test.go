package sigv4

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// FuzzPresignedPathNamesOneKey compares the object key a presigned SigV4 or
// SigV4A signature was verified for with the key the router acts on (the
// request path, decoded): a link signed for one key, sent to the path of
// another, must verify for at most one of the two, and a SigV4 (HMAC) link
// only for the key it was signed for.
func FuzzPresignedPathNamesOneKey(f *testing.F) {
	f.Add("a%20b", "a b", false, false)
	f.Add("a b", "a%20b", true, true)
	f.Add("a%20b", "a b", true, false)
	f.Add("x%41y", "xAy", true, true)
	f.Add("dir/é (1).txt", "dir/%C3%A9 (1).txt", true, true)
	f.Add("100%", "100%25", false, false)
	f.Fuzz(func(t *testing.T, signed, other string, v4a, double bool) {
		if signed == "" || other == "" || strings.ContainsAny(signed+other, "?#\x00\r\n") {
			return
		}
		alg := AlgorithmV4
		if v4a {
			alg = AlgorithmV4A
		} else if double {
			return // no HMAC signer double-encodes
		}
		u, err := Presign(PresignParams{
			Method: "GET", Algorithm: alg, DoubleEncodePath: double, Credentials: creds, Time: t0, Expires: time.Hour,
			Region: map[bool]string{false: "us-east-1", true: "*"}[v4a], Service: "s3",
			URL: &url.URL{Scheme: "https", Host: benchHost, Path: "/b/" + signed, RawQuery: "x-id=GetObject"},
		})
		if err != nil {
			return
		}
		signedRaw := (&url.URL{Path: "/b/" + signed}).EscapedPath()
		otherRaw := (&url.URL{Path: "/b/" + other}).EscapedPath()
		var verified []string
		for _, raw := range []string{signedRaw, otherRaw} {
			sent := strings.Replace(u, signedRaw+"?", raw+"?", 1)
			r, err := http.NewRequest("GET", sent, nil)
			if err != nil {
				continue
			}
			if _, err := verifierAt(t0, nil).Verify(context.Background(), r, VerifyOptions{}); err == nil {
				// The key the router acts on.
				key, _ := url.PathUnescape(strings.TrimPrefix(r.URL.EscapedPath(), "/b/"))
				if len(verified) == 0 || verified[0] != key {
					verified = append(verified, key)
				}
			}
		}
		if len(verified) > 1 {
			t.Fatalf("one %s signature (double=%v) verified for two keys %q", alg, double, verified)
		}
		if !v4a && len(verified) == 1 && verified[0] != signed {
			t.Fatalf("a SigV4 link for %q verified for %q", signed, verified[0])
		}
		if !v4a && len(verified) == 0 {
			t.Fatalf("a SigV4 link for %q did not verify on its own key", signed)
		}
	})
}
