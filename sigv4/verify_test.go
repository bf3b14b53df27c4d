package sigv4

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	t0    = time.Date(2026, 11, 29, 0, 30, 48, 0, time.UTC)
	creds = Credentials{AccessKeyID: testAKID, SecretAccessKey: testSecret}
)

func verifierAt(now time.Time, keys KeyStore) *Verifier {
	if keys == nil {
		keys = fixedKeys(creds)
	}
	return NewVerifier(VerifierConfig{Keys: keys, Region: "us-east-1",
		Services: []string{"s3", "s3-outposts"}, Now: func() time.Time { return now }})
}

func presignAt(t testing.TB, p PresignParams) string {
	t.Helper()
	if p.URL == nil {
		p.URL = &url.URL{Scheme: "https", Host: benchHost, Path: "/dir/a b.txt", RawQuery: "x-id=GetObject"}
	}
	if p.Method == "" {
		p.Method = "GET"
	}
	if p.Credentials.AccessKeyID == "" {
		p.Credentials = creds
	}
	if p.Region == "" && p.Algorithm != AlgorithmV4A {
		p.Region = "us-east-1"
	}
	if p.Service == "" {
		p.Service = "s3-outposts"
	}
	if p.Time.IsZero() {
		p.Time = t0
	}
	if p.Expires == 0 {
		p.Expires = time.Hour
	}
	s, err := Presign(p)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func errFields(err error) map[string]string {
	var e *Error
	m := map[string]string{}
	if errors.As(err, &e) {
		for _, f := range e.Fields {
			m[f.Name] = f.Value
		}
	}
	return m
}

func TestPresignedV4Rules(t *testing.T) {
	ctx := context.Background()
	good := presignAt(t, PresignParams{})
	replace := func(old, new string) string {
		if !strings.Contains(good, old) {
			t.Fatalf("%q not in %s", old, good)
		}
		return strings.Replace(good, old, new, 1)
	}
	tests := []struct {
		name    string
		url     string
		method  string
		now     time.Time
		header  http.Header
		code    string
		message string
	}{
		{name: "a fresh URL verifies", url: good, now: t0.Add(time.Minute)},
		{name: "a URL verifies until its last second", url: good, now: t0.Add(time.Hour)},
		{name: "an expired URL is refused", url: good, now: t0.Add(time.Hour + time.Second), code: CodeAccessDenied, message: "Request has expired"},
		{name: "a URL from the future is refused", url: good, now: t0.Add(-20 * time.Minute), code: CodeAccessDenied, message: "Request is not yet valid"},
		{name: "a slightly early clock is tolerated", url: good, now: t0.Add(-time.Minute)},
		{name: "X-Amz-Expires above a week is refused", url: replace("X-Amz-Expires=3600", "X-Amz-Expires=604801"), now: t0,
			code: CodeAuthorizationQueryParametersError, message: "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds"},
		{name: "X-Amz-Expires of zero is refused", url: replace("X-Amz-Expires=3600", "X-Amz-Expires=0"), now: t0,
			code: CodeAuthorizationQueryParametersError, message: "X-Amz-Expires must be greater than 0"},
		{name: "negative X-Amz-Expires is refused", url: replace("X-Amz-Expires=3600", "X-Amz-Expires=-1"), now: t0,
			code: CodeAuthorizationQueryParametersError, message: "X-Amz-Expires must be non-negative"},
		{name: "non-numeric X-Amz-Expires is refused", url: replace("X-Amz-Expires=3600", "X-Amz-Expires=abc"), now: t0,
			code: CodeAuthorizationQueryParametersError, message: "X-Amz-Expires should be a number"},
		{name: "a missing parameter is refused", url: replace("&X-Amz-SignedHeaders=host", ""), now: t0,
			code: CodeAuthorizationQueryParametersError, message: "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."},
		{name: "a changed expiry breaks the signature", url: replace("X-Amz-Expires=3600", "X-Amz-Expires=3601"), now: t0, code: CodeSignatureDoesNotMatch},
		{name: "a changed method breaks the signature", url: good, method: "PUT", now: t0, code: CodeSignatureDoesNotMatch},
		{name: "a changed path breaks the signature", url: replace("/dir/a%20b.txt", "/dir/a%20c.txt"), now: t0, code: CodeSignatureDoesNotMatch},
		{name: "a changed query value breaks the signature", url: replace("x-id=GetObject", "x-id=PutObject"), now: t0, code: CodeSignatureDoesNotMatch},
		{name: "an added query parameter breaks the signature", url: good + "&versionId=1", now: t0, code: CodeSignatureDoesNotMatch},
		{name: "a changed host breaks the signature", url: replace("my-ap-", "my-ap2-"), now: t0, code: CodeSignatureDoesNotMatch},
		{name: "a changed signature is refused", url: good[:len(good)-1] + "0", now: t0, code: CodeSignatureDoesNotMatch},
		{name: "the wrong region is refused", url: replace("%2Fus-east-1%2F", "%2Fus-west-2%2F"), now: t0,
			code: CodeAuthorizationQueryParametersError, message: "Error parsing the X-Amz-Credential parameter; the region 'us-west-2' is wrong; expecting 'us-east-1'"},
		{name: "an unknown service is refused", url: replace("s3-outposts%2F", "ec2%2F"), now: t0, code: CodeAuthorizationQueryParametersError},
		{name: "an unsigned x-amz header is refused", url: good, now: t0, header: http.Header{"X-Amz-Acl": {"public-read"}},
			code: CodeAccessDenied, message: "There were headers present in the request which were not signed"},
		{name: "an unsigned x-amz-content-sha256 is tolerated", url: good, now: t0, header: http.Header{"X-Amz-Content-Sha256": {UnsignedPayload}}},
		{name: "an unknown access key is refused", url: replace("AKIDEXAMPLE", "AKIDOTHER"), now: t0, code: CodeInvalidAccessKeyID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.method
			if m == "" {
				m = "GET"
			}
			r := requestFor(t, m, tc.url, tc.header)
			vd, err := verifierAt(tc.now, nil).Verify(ctx, r, VerifyOptions{})
			if tc.code == "" {
				if err != nil {
					t.Fatalf("Verify = %v %v", err, errFields(err))
				}
				if vd.AuthType != AuthQuery || vd.PayloadHash != UnsignedPayload || !vd.Expires.Equal(t0.Add(time.Hour)) {
					t.Errorf("Verified = %+v", vd)
				}
				return
			}
			wantCode(t, err, tc.code)
			if tc.message != "" && err.(*Error).Message != tc.message {
				t.Errorf("message %q, want %q", err.(*Error).Message, tc.message)
			}
		})
	}
}

func TestPresignWeekLongURL(t *testing.T) {
	u := presignAt(t, PresignParams{Expires: 7 * 24 * time.Hour})
	if !strings.Contains(u, "X-Amz-Expires=604800") {
		t.Fatal(u)
	}
	// No 15-minute rule for query auth: six days later it still works.
	mustVerify(t, verifierAt(t0.Add(6*24*time.Hour), nil), requestFor(t, "GET", u, nil), VerifyOptions{})
	if _, err := Presign(PresignParams{URL: &url.URL{Scheme: "https", Host: "h"}, Credentials: creds, Region: "r",
		Service: "s3", Expires: 7*24*time.Hour + time.Second}); err == nil {
		t.Error("Presign accepted more than 604800 s")
	}
	if _, err := Presign(PresignParams{URL: &url.URL{Scheme: "https", Host: "h"}, Credentials: creds, Region: "r",
		Service: "s3", Expires: 0}); err == nil {
		t.Error("Presign accepted 0 s")
	}
}

func TestExpiredErrorFields(t *testing.T) {
	u := presignAt(t, PresignParams{Expires: 300 * time.Second})
	_, err := verifierAt(t0.Add(time.Hour), nil).Verify(context.Background(), requestFor(t, "GET", u, nil), VerifyOptions{})
	wantCode(t, err, CodeAccessDenied)
	e := err.(*Error)
	if e.Status != 403 || len(e.Fields) != 3 || e.Fields[0] != (Field{"X-Amz-Expires", "300"}) ||
		e.Fields[1] != (Field{"Expires", "2026-11-29T00:35:48Z"}) || e.Fields[2] != (Field{"ServerTime", "2026-11-29T01:30:48Z"}) {
		t.Errorf("fields %+v", e.Fields)
	}
}

func TestSignatureMismatchFields(t *testing.T) {
	u := presignAt(t, PresignParams{})
	r := requestFor(t, "PUT", u, nil)
	_, err := verifierAt(t0, nil).Verify(context.Background(), r, VerifyOptions{})
	wantCode(t, err, CodeSignatureDoesNotMatch)
	e := err.(*Error)
	names := []string{}
	for _, f := range e.Fields {
		names = append(names, f.Name)
	}
	if strings.Join(names, ",") != "AWSAccessKeyId,StringToSign,SignatureProvided,StringToSignBytes,CanonicalRequest,CanonicalRequestBytes" {
		t.Fatalf("fields %v", names)
	}
	f := errFields(err)
	if !strings.HasPrefix(f["CanonicalRequest"], "PUT\n/dir/a%20b.txt\n") || !strings.HasPrefix(f["StringToSignBytes"], "41 57 53 34 2d") {
		t.Errorf("fields %+v", f)
	}
	if e.Message != MsgSignatureDoesNotMatch || e.Status != 403 {
		t.Errorf("%+v", e)
	}
}

func TestSessionTokens(t *testing.T) {
	ctx := context.Background()
	session := Credentials{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: testSecret, SessionToken: "tok+/="}
	end := t0.Add(30 * time.Minute)
	keys := keyStoreFunc(func(_ context.Context, akid, token string) (Key, error) {
		return Key{AccessKeyID: akid, Secret: testSecret, SessionToken: "tok+/=", Expires: end}, nil
	})
	u := presignAt(t, PresignParams{Credentials: session, Expires: 2 * time.Hour})
	mustVerify(t, verifierAt(t0.Add(time.Minute), keys), requestFor(t, "GET", u, nil), VerifyOptions{})
	// The URL outlives the session: ExpiredToken once the session ended.
	_, err := verifierAt(end.Add(time.Second), keys).Verify(ctx, requestFor(t, "GET", u, nil), VerifyOptions{})
	wantCode(t, err, CodeExpiredToken)
	// A different token.
	bad := presignAt(t, PresignParams{Credentials: Credentials{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: testSecret, SessionToken: "other"}})
	_, err = verifierAt(t0, keys).Verify(ctx, requestFor(t, "GET", bad, nil), VerifyOptions{})
	wantCode(t, err, CodeInvalidToken)
	// Header auth too.
	r, _ := http.NewRequest("GET", "https://"+benchHost+"/k", nil)
	if err := SignRequest(r, session, "us-east-1", "s3-outposts", EmptySHA256, t0); err != nil {
		t.Fatal(err)
	}
	mustVerify(t, verifierAt(t0, keys), r, VerifyOptions{})
	shortKeys := keyStoreFunc(func(_ context.Context, akid, token string) (Key, error) {
		return Key{AccessKeyID: akid, Secret: testSecret, SessionToken: "tok+/=", Expires: t0.Add(time.Minute)}, nil
	})
	_, err = verifierAt(t0.Add(2*time.Minute), shortKeys).Verify(ctx, r, VerifyOptions{})
	wantCode(t, err, CodeExpiredToken)
}

func signedHeaderRequest(t testing.TB, method, target string, body []byte, mut func(*http.Request)) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if mut != nil {
		mut(r)
	}
	if err := SignRequest(r, creds, "us-east-1", "s3", hexSHA256(body), t0); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestHeaderV4Rules(t *testing.T) {
	ctx := context.Background()
	body := []byte("hello world")
	target := "https://s3.example.internal:8443/bucket/dir/a%20b.txt?acl=&versionId=v1"
	tests := []struct {
		name   string
		now    time.Time
		mut    func(r *http.Request) // after signing
		code   string
		msg    string
		status int
	}{
		{name: "a signed request verifies", now: t0},
		{name: "14 minutes of skew are tolerated", now: t0.Add(14 * time.Minute)},
		{name: "16 minutes of skew are refused", now: t0.Add(16 * time.Minute), code: CodeRequestTimeTooSkewed, status: 403},
		{name: "a request from the future is refused", now: t0.Add(-16 * time.Minute), code: CodeRequestTimeTooSkewed},
		{name: "a missing x-amz-content-sha256 is refused", now: t0, mut: func(r *http.Request) { r.Header.Del("X-Amz-Content-Sha256") },
			code: CodeInvalidRequest, msg: "Missing required header for this request: x-amz-content-sha256", status: 400},
		{name: "an invalid x-amz-content-sha256 is refused", now: t0, mut: func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", "nope") },
			code: CodeInvalidArgument, status: 400},
		{name: "an unsigned x-amz header is refused", now: t0, mut: func(r *http.Request) { r.Header.Set("X-Amz-Meta-A", "b") }, code: CodeAccessDenied},
		{name: "a changed query is refused", now: t0, mut: func(r *http.Request) { r.URL.RawQuery = "acl=&versionId=v2" }, code: CodeSignatureDoesNotMatch},
		{name: "a changed host is refused", now: t0, mut: func(r *http.Request) { r.Host = "s3.example.internal" }, code: CodeSignatureDoesNotMatch},
		{name: "a missing Credential is malformed", now: t0, mut: func(r *http.Request) {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00")
		}, code: CodeAuthorizationHeaderMalformed, msg: "The authorization header is malformed; " + msgThreeComponents, status: 400},
		{name: "a bad terminator is malformed", now: t0, mut: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "aws4_request", "aws4_reqest", 1))
		}, code: CodeAuthorizationHeaderMalformed, msg: "The authorization header is malformed; incorrect terminal \"aws4_reqest\". This endpoint uses \"aws4_request\"."},
		{name: "a wrong region is malformed", now: t0, mut: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "us-east-1", "eu-west-1", 1))
		}, code: CodeAuthorizationHeaderMalformed, msg: "The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-1'"},
		{name: "a scope date unlike X-Amz-Date is malformed", now: t0, mut: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/20261129/", "/20261128/", 1))
		}, code: CodeAuthorizationHeaderMalformed},
		{name: "a missing date is refused", now: t0, mut: func(r *http.Request) { r.Header.Del("X-Amz-Date") }, code: CodeAccessDenied},
		{name: "an unknown algorithm is refused", now: t0, mut: func(r *http.Request) {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA512 "+strings.SplitN(r.Header.Get("Authorization"), " ", 2)[1])
		}, code: CodeInvalidArgument},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := signedHeaderRequest(t, "PUT", target, body, func(r *http.Request) { r.Header.Set("X-Amz-Meta-Color", "blue") })
			if tc.mut != nil {
				tc.mut(r)
			}
			vd, err := verifierAt(tc.now, nil).Verify(ctx, r, VerifyOptions{})
			if tc.code == "" {
				if err != nil {
					t.Fatalf("%v %v", err, errFields(err))
				}
				got, err := io.ReadAll(vd.Body)
				if err != nil || !bytes.Equal(got, body) || vd.AuthType != AuthHeader || vd.Region != "us-east-1" {
					t.Fatalf("%q %v %+v", got, err, vd)
				}
				return
			}
			wantCode(t, err, tc.code)
			e := err.(*Error)
			if tc.msg != "" && e.Message != tc.msg {
				t.Errorf("message %q, want %q", e.Message, tc.msg)
			}
			if tc.status != 0 && e.Status != tc.status {
				t.Errorf("status %d, want %d", e.Status, tc.status)
			}
		})
	}
}

func TestSkewErrorFields(t *testing.T) {
	r := signedHeaderRequest(t, "GET", "https://h/k", nil, nil)
	_, err := verifierAt(t0.Add(time.Hour), nil).Verify(context.Background(), r, VerifyOptions{})
	f := errFields(err)
	if f["RequestTime"] != "20261129T003048Z" || f["ServerTime"] != "2026-11-29T01:30:48Z" || f["MaxAllowedSkewMilliseconds"] != "900000" {
		t.Errorf("%v", f)
	}
}

func TestAnonymous(t *testing.T) {
	r, _ := http.NewRequest("PUT", "https://h/k", strings.NewReader("abc"))
	vd := mustVerify(t, verifierAt(t0, nil), r, VerifyOptions{})
	if vd.AuthType != AuthAnonymous || vd.Body == nil || vd.DecodedLength != 3 {
		t.Errorf("%+v", vd)
	}
}

func TestSigV4AHeaderAndRegionSet(t *testing.T) {
	ctx := context.Background()
	for _, set := range []string{"*", "us-east-1", "us-west-2,us-east-1", "us-*"} {
		r, _ := http.NewRequest("GET", "https://"+benchHost+"/dir/a%20b.txt", nil)
		if err := SignRequestV4A(r, creds, set, "s3-outposts", EmptySHA256, t0); err != nil {
			t.Fatal(err)
		}
		vd := mustVerify(t, verifierAt(t0, nil), r, VerifyOptions{})
		if vd.Algorithm != AlgorithmV4A || vd.Region != "" {
			t.Errorf("%+v", vd)
		}
		u := presignAt(t, PresignParams{Algorithm: AlgorithmV4A, Region: set})
		mustVerify(t, verifierAt(t0, nil), requestFor(t, "GET", u, nil), VerifyOptions{})
	}
	r, _ := http.NewRequest("GET", "https://"+benchHost+"/k", nil)
	SignRequestV4A(r, creds, "eu-west-1", "s3-outposts", EmptySHA256, t0)
	_, err := verifierAt(t0, nil).Verify(ctx, r, VerifyOptions{})
	wantCode(t, err, CodeAuthorizationHeaderMalformed)
	u := presignAt(t, PresignParams{Algorithm: AlgorithmV4A, Region: "eu-west-1"})
	_, err = verifierAt(t0, nil).Verify(ctx, requestFor(t, "GET", u, nil), VerifyOptions{})
	wantCode(t, err, CodeAccessDenied)
	// Tampering with a SigV4A URL.
	u = presignAt(t, PresignParams{Algorithm: AlgorithmV4A})
	_, err = verifierAt(t0, nil).Verify(ctx, requestFor(t, "DELETE", u, nil), VerifyOptions{})
	wantCode(t, err, CodeSignatureDoesNotMatch)
	// aws-sdk-go-v2's double encoding, and single encoding, both verify.
	for _, double := range []bool{false, true} {
		u = presignAt(t, PresignParams{Algorithm: AlgorithmV4A, DoubleEncodePath: double})
		mustVerify(t, verifierAt(t0, nil), requestFor(t, "GET", u, nil), VerifyOptions{})
	}
}

func TestSigV2(t *testing.T) {
	ctx := context.Background()
	u := presignAt(t, PresignParams{Algorithm: AlgorithmV2, URL: &url.URL{Scheme: "http", Host: "127.0.0.1:9000",
		Path: "/bucket/a b", RawQuery: "versionId=3&x-id=GetObject"}})
	if !strings.Contains(u, "AWSAccessKeyId=") || !strings.Contains(u, "Expires="+strconv.FormatInt(t0.Unix()+3600, 10)) {
		t.Fatal(u)
	}
	vd := mustVerify(t, verifierAt(t0, nil), requestFor(t, "GET", u, nil), VerifyOptions{})
	if vd.Algorithm != AlgorithmV2 || vd.AuthType != AuthQuery {
		t.Errorf("%+v", vd)
	}
	// Virtual-hosted: the resource includes the bucket, given by the router.
	vh := presignAt(t, PresignParams{Algorithm: AlgorithmV2, V2Resource: "/bucket/a%20b",
		URL: &url.URL{Scheme: "http", Host: "bucket.s3.local", Path: "/a b"}})
	_, err := verifierAt(t0, nil).Verify(ctx, requestFor(t, "GET", vh, nil), VerifyOptions{})
	wantCode(t, err, CodeSignatureDoesNotMatch)
	if f := errFields(err); len(f) != 4 || f["StringToSign"] == "" {
		t.Errorf("SigV2 mismatch fields %v", f)
	}
	mustVerify(t, verifierAt(t0, nil), requestFor(t, "GET", vh, nil), VerifyOptions{V2Resources: []string{"/a%20b", "/bucket/a%20b"}})
	// Expired: only Expires and ServerTime.
	_, err = verifierAt(t0.Add(2*time.Hour), nil).Verify(ctx, requestFor(t, "GET", u, nil), VerifyOptions{})
	wantCode(t, err, CodeAccessDenied)
	if e := err.(*Error); len(e.Fields) != 2 || e.Fields[0].Name != "Expires" || e.Fields[1].Name != "ServerTime" {
		t.Errorf("%+v", e.Fields)
	}
	// A changed subresource breaks it; an unrelated parameter does not count.
	_, err = verifierAt(t0, nil).Verify(ctx, requestFor(t, "GET", strings.Replace(u, "versionId=3", "versionId=4", 1), nil), VerifyOptions{})
	wantCode(t, err, CodeSignatureDoesNotMatch)

	// Header SigV2.
	r, _ := http.NewRequest("PUT", "http://127.0.0.1:9000/bucket/k?acl", strings.NewReader("x"))
	r.Header.Set("Content-Type", "text/plain")
	r.Header.Set("X-Amz-Meta-A", "b")
	if err := SignRequestV2(r, creds, "", t0); err != nil {
		t.Fatal(err)
	}
	mustVerify(t, verifierAt(t0, nil), r, VerifyOptions{})
	r.Header.Set("X-Amz-Meta-A", "c")
	_, err = verifierAt(t0, nil).Verify(ctx, r, VerifyOptions{})
	wantCode(t, err, CodeSignatureDoesNotMatch)
}

func TestKeyCacheRotation(t *testing.T) {
	secret := testSecret
	keys := keyStoreFunc(func(_ context.Context, akid, _ string) (Key, error) {
		return Key{AccessKeyID: akid, Secret: secret}, nil
	})
	v := verifierAt(t0, keys)
	u := presignAt(t, PresignParams{})
	mustVerify(t, v, requestFor(t, "GET", u, nil), VerifyOptions{})
	secret = "rotated"
	_, err := v.Verify(context.Background(), requestFor(t, "GET", u, nil), VerifyOptions{})
	wantCode(t, err, CodeSignatureDoesNotMatch)
}

func TestBothAuthMechanismsRefused(t *testing.T) {
	u := presignAt(t, PresignParams{})
	r := requestFor(t, "GET", u, nil)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x")
	_, err := verifierAt(t0, nil).Verify(context.Background(), r, VerifyOptions{})
	wantCode(t, err, CodeInvalidArgument)
}

func TestCanonicalURI(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/", "/"},
		{"", "/"},
		{"/a%20b", "/a%20b"},
		{"/a b", "/a%20b"},
		{"/a+b", "/a%2Bb"},
		{"/%7Etilde", "/~tilde"},
		{"/a%2Fb/c", "/a%2Fb/c"},
		{"/%c3%a9", "/%C3%A9"},
		{"//double//", "//double//"},
		{"/./a/../b", "/./a/../b"},
		{"/100%", "/100%25"},
	} {
		if got := CanonicalURI(tc.in); got != tc.want {
			t.Errorf("CanonicalURI(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// A presigned link names exactly one key: the double-encoding reading (for
// aws-sdk-go-v2's SigV4A presigner) must never turn a link for key "a%20b"
// into one for key "a b".
func TestDoubleEncodedPathNamesOneKey(t *testing.T) {
	ctx := context.Background()
	at := func(rawPath string) *url.URL {
		u, err := url.Parse("https://" + benchHost + rawPath + "?x-id=GetObject")
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	for _, tc := range []struct {
		name           string
		alg            string
		double         bool
		signedFor      string // raw path the signer presigned
		sentTo         string // raw path the holder sends
		wantOK         bool
		wantCodeIfFail string
	}{
		{"SigV4 link for a%20b works on its own key", AlgorithmV4, false, "/pbx/a%2520b", "/pbx/a%2520b", true, ""},
		{"SigV4 link for a%20b refused on key a b", AlgorithmV4, false, "/pbx/a%2520b", "/pbx/a%20b", false, CodeSignatureDoesNotMatch},
		{"SigV4 link double-encoded is refused", AlgorithmV4, true, "/pbx/a%20b", "/pbx/a%20b", false, CodeSignatureDoesNotMatch},
		{"SigV4A link double-encoded (Go SDK) works", AlgorithmV4A, true, "/pbx/a%20b", "/pbx/a%20b", true, ""},
		{"SigV4A link single-encoded works", AlgorithmV4A, false, "/pbx/a%20b", "/pbx/a%20b", true, ""},
		// A SigV4A signature over "/pbx/a%2520b" is read as the Go SDK's
		// double encoding of key "a b": it names that key and no other.
		{"SigV4A signature over a%2520b names key a b", AlgorithmV4A, false, "/pbx/a%2520b", "/pbx/a%20b", true, ""},
		{"SigV4A signature over a%2520b does not also name key a%20b", AlgorithmV4A, false, "/pbx/a%2520b", "/pbx/a%2520b", false, CodeSignatureDoesNotMatch},
		{"SigV4A double-encoded link for a%20b works on its own key", AlgorithmV4A, true, "/pbx/a%2520b", "/pbx/a%2520b", true, ""},
		{"SigV4A double-encoded link for a%20b refused on key a b", AlgorithmV4A, true, "/pbx/a%2520b", "/pbx/a%20b", false, CodeSignatureDoesNotMatch},
		{"SigV4A single-encoded key with a lone percent works", AlgorithmV4A, false, "/pbx/100%25", "/pbx/100%25", true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := presignAt(t, PresignParams{Algorithm: tc.alg, DoubleEncodePath: tc.double, URL: at(tc.signedFor)})
			sent := strings.Replace(u, tc.signedFor+"?", tc.sentTo+"?", 1)
			if tc.signedFor != tc.sentTo && sent == u {
				t.Fatalf("path %s not found in %s", tc.signedFor, u)
			}
			_, err := verifierAt(t0, nil).Verify(ctx, requestFor(t, "GET", sent, nil), VerifyOptions{})
			if tc.wantOK {
				if err != nil {
					t.Fatalf("Verify(%s) = %v, want success", sent, err)
				}
				return
			}
			wantCode(t, err, tc.wantCodeIfFail)
		})
	}
}
