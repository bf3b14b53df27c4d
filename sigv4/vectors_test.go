package sigv4

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// The AWS signing test suites live beside this repository: ../../shared from
// the package directory (see shared/sigv4-vectors/README.md).
const vectorsDir = "../../shared/sigv4-vectors"

func requireVectors(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(vectorsDir); err != nil {
		t.Fatalf("AWS signing vectors not found at %s (from %s): clone the shared/ tree beside main/: %v",
			vectorsDir, mustGetwd(), err)
	}
	return vectorsDir
}

func mustGetwd() string { d, _ := os.Getwd(); return d }

// parsedRequest is a request.txt / .req file.
type parsedRequest struct {
	method, target string
	host           string
	header         http.Header
	order          []string // header names in file order
	body           []byte
}

// parseRawRequest parses the suites' HTTP/1.1 text: the request line may
// hold spaces in the path, and header lines starting with whitespace
// continue the previous value (obs-fold).
func parseRawRequest(t *testing.T, data []byte) parsedRequest {
	t.Helper()
	var pr parsedRequest
	pr.header = make(http.Header)
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	head, body, _ := strings.Cut(text, "\n\n")
	pr.body = []byte(body)
	lines := strings.Split(head, "\n")
	first := lines[0]
	sp1 := strings.IndexByte(first, ' ')
	sp2 := strings.LastIndexByte(first, ' ')
	pr.method, pr.target = first[:sp1], first[sp1+1:sp2]
	var last string
	for _, l := range lines[1:] {
		if l == "" {
			continue
		}
		if l[0] == ' ' || l[0] == '\t' {
			vs := pr.header[last]
			vs[len(vs)-1] += " " + l
			continue
		}
		k, v, ok := strings.Cut(l, ":")
		v = strings.TrimSpace(v)
		if !ok {
			t.Fatalf("bad header line %q", l)
		}
		if strings.EqualFold(k, "host") {
			pr.host = v
			continue
		}
		last = http.CanonicalHeaderKey(k)
		pr.header[last] = append(pr.header[last], v)
		pr.order = append(pr.order, last)
	}
	return pr
}

func (pr parsedRequest) httpRequest() *http.Request {
	rawPath, rawQuery, _ := strings.Cut(pr.target, "?")
	u := &url.URL{Scheme: "https", Host: pr.host, Path: pathUnescape(rawPath), RawQuery: rawQuery}
	if strings.Contains(rawPath, "%") {
		u.RawPath = rawPath
	}
	r := &http.Request{Method: pr.method, URL: u, Host: pr.host, Header: pr.header.Clone(),
		Body: io.NopCloser(strings.NewReader(string(pr.body))), ContentLength: int64(len(pr.body))}
	return r
}

type vectorContext struct {
	Credentials struct {
		AccessKeyID     string `json:"access_key_id"`
		SecretAccessKey string `json:"secret_access_key"`
		Token           string `json:"token"`
	} `json:"credentials"`
	Expiration       int64  `json:"expiration_in_seconds"`
	Normalize        bool   `json:"normalize"`
	Region           string `json:"region"`
	Service          string `json:"service"`
	SignBody         bool   `json:"sign_body"`
	Timestamp        string `json:"timestamp"`
	OmitSessionToken bool   `json:"omit_session_token"`
}

func readOpt(t *testing.T, path string) (string, bool) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", false
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimRight(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n"), true
}

func readMust(t *testing.T, path string) string {
	t.Helper()
	s, ok := readOpt(t, path)
	if !ok {
		t.Fatalf("missing %s", path)
	}
	return s
}

// vectorTally counts vectors per outcome, reported at the end.
type vectorTally struct {
	passed  int
	skipped map[string]string // name → reason
}

func (vt *vectorTally) skip(t *testing.T, name, reason string) {
	if vt.skipped == nil {
		vt.skipped = map[string]string{}
	}
	vt.skipped[name] = reason
	t.Skip(reason)
}

func (vt *vectorTally) report(t *testing.T, suite string) {
	names := make([]string, 0, len(vt.skipped))
	for n := range vt.skipped {
		names = append(names, n)
	}
	sort.Strings(names)
	t.Logf("%s: %d vectors passed, %d skipped", suite, vt.passed, len(names))
	for _, n := range names {
		t.Logf("  skipped %s: %s", n, vt.skipped[n])
	}
}

func loadCase(t *testing.T, dir string) (vectorContext, parsedRequest) {
	var vc vectorContext
	if err := json.Unmarshal([]byte(readMust(t, filepath.Join(dir, "context.json"))), &vc); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "request.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return vc, parseRawRequest(t, raw)
}

func (vc vectorContext) creds(withToken bool) Credentials {
	c := Credentials{AccessKeyID: vc.Credentials.AccessKeyID, SecretAccessKey: vc.Credentials.SecretAccessKey}
	if withToken {
		c.SessionToken = vc.Credentials.Token
	}
	return c
}

func (vc vectorContext) time(t *testing.T) time.Time {
	ts, err := time.Parse(time.RFC3339, vc.Timestamp)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func (vc vectorContext) payload(pr parsedRequest) string {
	if vc.SignBody {
		h := sha256.Sum256(pr.body)
		return hex.EncodeToString(h[:])
	}
	return EmptySHA256
}

// presignCapture signs the query form and returns the URL, canonical request and string to sign.
func presignCapture(t *testing.T, p PresignParams) (string, signResult) {
	t.Helper()
	var res signResult
	u, err := presign(p, &res)
	if err != nil {
		t.Fatal(err)
	}
	return u, res
}

func headersBesidesHost(h http.Header) http.Header {
	out := h.Clone()
	out.Del("Host")
	return out
}

func fixedKeys(c Credentials) KeyStore {
	return keyStoreFunc(func(_ context.Context, akid, _ string) (Key, error) {
		if akid != c.AccessKeyID {
			return Key{}, ErrInvalidAccessKeyID(akid)
		}
		return Key{AccessKeyID: c.AccessKeyID, Secret: c.SecretAccessKey, SessionToken: c.SessionToken}, nil
	})
}

type keyStoreFunc func(ctx context.Context, akid, token string) (Key, error)

func (f keyStoreFunc) LookupKey(ctx context.Context, akid, token string) (Key, error) {
	return f(ctx, akid, token)
}

// parseSignedRequest reads a *-signed-request.txt back into an http.Request.
func parseSignedRequest(t *testing.T, path string) *http.Request {
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return parseRawRequest(t, raw).httpRequest()
}

func TestAWSCAuthV4Vectors(t *testing.T) {
	root := filepath.Join(requireVectors(t), "aws-c-auth/aws-signing-test-suite/v4")
	dirs, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var tally vectorTally
	defer tally.report(t, "aws-c-auth v4")
	for _, d := range dirs {
		dir := filepath.Join(root, d.Name())
		t.Run(d.Name(), func(t *testing.T) {
			vc, pr := loadCase(t, dir)
			ts := vc.time(t)
			payload := vc.payload(pr)

			// Header form.
			r := pr.httpRequest()
			res, err := signHeader(r, vc.creds(true), SignOptions{
				Region: vc.Region, Service: vc.Service, PayloadHash: payload, Time: ts,
				NormalizePath: vc.Normalize, OmitSessionToken: vc.OmitSessionToken,
				ContentSHA256Header: vc.SignBody,
			})
			if err != nil {
				t.Fatal(err)
			}
			checkEq(t, "header canonical request", res.canonicalRequest, readMust(t, filepath.Join(dir, "header-canonical-request.txt")))
			checkEq(t, "header string to sign", res.stringToSign, readMust(t, filepath.Join(dir, "header-string-to-sign.txt")))
			checkEq(t, "header signature", res.signature, readMust(t, filepath.Join(dir, "header-signature.txt")))
			sreq := parseSignedRequest(t, filepath.Join(dir, "header-signed-request.txt"))
			checkEq(t, "Authorization", r.Header.Get("Authorization"), sreq.Header.Get("Authorization"))

			// Query form.
			u := &url.URL{Scheme: "https", Host: pr.host}
			hr := pr.httpRequest()
			u.Path, u.RawPath, u.RawQuery = hr.URL.Path, hr.URL.RawPath, hr.URL.RawQuery
			signed, qres := presignCapture(t, PresignParams{
				Method: pr.method, URL: u, Header: headersBesidesHost(pr.header),
				Credentials: vc.creds(true), Region: vc.Region, Service: vc.Service, Time: ts,
				Expires: time.Duration(vc.Expiration) * time.Second, NormalizePath: vc.Normalize,
				PayloadHash: payload, OmitSessionToken: vc.OmitSessionToken,
			})
			checkEq(t, "query canonical request", qres.canonicalRequest, readMust(t, filepath.Join(dir, "query-canonical-request.txt")))
			checkEq(t, "query string to sign", qres.stringToSign, readMust(t, filepath.Join(dir, "query-string-to-sign.txt")))
			wantSig := readMust(t, filepath.Join(dir, "query-signature.txt"))
			checkEq(t, "query signature", qres.signature, wantSig)
			su, _ := url.Parse(signed)
			checkEq(t, "X-Amz-Signature in URL", su.Query().Get("X-Amz-Signature"), wantSig)

			// The S3 verifier accepts the header-signed request when S3 rules
			// give the same canonical request (no normalisation needed).
			if t.Failed() {
				return
			}
			verifyVectorHeader(t, vc, dir, sreq)
			tally.passed++
		})
	}
}

// verifyVectorHeader runs the suite's signed request through Verify with the
// vector's service and region. S3 never normalises paths, so vectors whose
// path changes under normalisation must fail with SignatureDoesNotMatch.
func verifyVectorHeader(t *testing.T, vc vectorContext, dir string, sreq *http.Request) {
	t.Helper()
	ts := vc.time(t)
	v := NewVerifier(VerifierConfig{Keys: fixedKeys(vc.creds(true)), Region: vc.Region,
		Services: []string{vc.Service}, Now: func() time.Time { return ts }})
	_, err := v.Verify(context.Background(), sreq, VerifyOptions{})
	rawPath := sreq.URL.Path
	if sreq.URL.RawPath != "" {
		rawPath = pathUnescape(sreq.URL.RawPath)
	}
	var e *Error
	switch {
	case vc.Normalize && normalizePath(rawPath) != rawPath && rawPath != "":
		if !errors.As(err, &e) || e.Code != CodeSignatureDoesNotMatch {
			t.Errorf("normalised-path vector verified under S3 rules: %v", err)
		}
	case vc.OmitSessionToken && vc.Credentials.Token != "":
		// The token header is present but unsigned: S3 rejects unsigned x-amz-* headers.
		if !errors.As(err, &e) || e.Code != CodeAccessDenied {
			t.Errorf("unsigned X-Amz-Security-Token accepted: %v", err)
		}
	default:
		if err != nil {
			t.Errorf("Verify(header-signed-request) = %v", err)
		}
	}
}

func checkEq(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s:\n got: %q\nwant: %q", what, got, want)
	}
}

func TestAWSCAuthV4AVectors(t *testing.T) {
	root := filepath.Join(requireVectors(t), "aws-c-auth/aws-signing-test-suite/v4a")
	dirs, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var tally vectorTally
	defer tally.report(t, "aws-c-auth v4a")
	for _, d := range dirs {
		dir := filepath.Join(root, d.Name())
		t.Run(d.Name(), func(t *testing.T) {
			vc, pr := loadCase(t, dir)
			ts := vc.time(t)
			payload := vc.payload(pr)
			priv, err := deriveV4AKey(vc.Credentials.AccessKeyID, vc.Credentials.SecretAccessKey)
			if err != nil {
				t.Fatal(err)
			}
			pub := &priv.PublicKey

			if pk, ok := readOpt(t, filepath.Join(dir, "public-key.json")); ok {
				var want struct{ X, Y string }
				if err := json.Unmarshal([]byte(pk), &want); err != nil {
					t.Fatal(err)
				}
				raw, _ := pub.Bytes() // 0x04 || X || Y
				checkEq(t, "public key X", hex.EncodeToString(raw[1:33]), want.X)
				checkEq(t, "public key Y", hex.EncodeToString(raw[33:]), want.Y)
			}

			// Header form: deterministic canonical request and string to
			// sign; ECDSA signatures verified with the derived public key.
			r := pr.httpRequest()
			res, err := signHeader(r, vc.creds(true), SignOptions{
				Algorithm: AlgorithmV4A, Region: vc.Region, Service: vc.Service, PayloadHash: payload,
				Time: ts, NormalizePath: vc.Normalize, OmitSessionToken: vc.OmitSessionToken,
				ContentSHA256Header: vc.SignBody,
			})
			if err != nil {
				t.Fatal(err)
			}
			if !verifyECDSA(pub, []byte(res.stringToSign), res.signature) {
				t.Error("own header signature does not verify")
			}
			u := &url.URL{Scheme: "https", Host: pr.host}
			hr := pr.httpRequest()
			u.Path, u.RawPath, u.RawQuery = hr.URL.Path, hr.URL.RawPath, hr.URL.RawQuery
			_, qres := presignCapture(t, PresignParams{
				Method: pr.method, URL: u, Header: headersBesidesHost(pr.header), Algorithm: AlgorithmV4A,
				Credentials: vc.creds(true), Region: vc.Region, Service: vc.Service, Time: ts,
				Expires: time.Duration(vc.Expiration) * time.Second, NormalizePath: vc.Normalize,
				PayloadHash: payload, OmitSessionToken: vc.OmitSessionToken,
			})
			if !verifyECDSA(pub, []byte(qres.stringToSign), qres.signature) {
				t.Error("own query signature does not verify")
			}

			wantCR, ok := readOpt(t, filepath.Join(dir, "header-canonical-request.txt"))
			if !ok {
				// aws-c-auth ships only context.json and request.txt for this case.
				if t.Failed() {
					return
				}
				tally.skip(t, d.Name(), "the suite has no expected outputs for this case (only request.txt/context.json); own signatures were checked to verify")
			}
			checkEq(t, "header canonical request", res.canonicalRequest, wantCR)
			hsts := readMust(t, filepath.Join(dir, "header-string-to-sign.txt"))
			checkEq(t, "header string to sign", res.stringToSign, hsts)
			if !verifyECDSA(pub, []byte(hsts), readMust(t, filepath.Join(dir, "header-signature.txt"))) {
				t.Error("suite header-signature.txt does not verify")
			}
			checkEq(t, "query canonical request", qres.canonicalRequest, readMust(t, filepath.Join(dir, "query-canonical-request.txt")))
			qsts := readMust(t, filepath.Join(dir, "query-string-to-sign.txt"))
			checkEq(t, "query string to sign", qres.stringToSign, qsts)
			if !verifyECDSA(pub, []byte(qsts), readMust(t, filepath.Join(dir, "query-signature.txt"))) {
				t.Error("suite query-signature.txt does not verify")
			}
			// The signed requests carry other signatures over the same strings.
			sreq := parseSignedRequest(t, filepath.Join(dir, "header-signed-request.txt"))
			a, perr := parseAuthorization(sreq.Header.Get("Authorization"))
			if perr != nil {
				t.Fatal(perr)
			}
			if !verifyECDSA(pub, []byte(hsts), a.signature) {
				t.Error("header-signed-request.txt signature does not verify")
			}
			if !t.Failed() {
				verifyVectorHeader(t, vc, dir, sreq)
			}
			qreq := parseSignedRequest(t, filepath.Join(dir, "query-signed-request.txt"))
			if !verifyECDSA(pub, []byte(qsts), qreq.URL.Query().Get("X-Amz-Signature")) {
				t.Error("query-signed-request.txt signature does not verify")
			}
			if !t.Failed() {
				tally.passed++
			}
		})
	}
}

// The classic AWS SigV4 suite as botocore ships it: header signing only,
// fixed credentials and time, generic (normalising) path rules.
func TestBotocoreAWS4Vectors(t *testing.T) {
	root := filepath.Join(requireVectors(t), "botocore/aws4_testsuite")
	var cases []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".req") {
			cases = append(cases, strings.TrimSuffix(p, ".req"))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no botocore vectors found")
	}
	var tally vectorTally
	defer tally.report(t, "botocore aws4_testsuite")
	ts := time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)
	for _, base := range cases {
		name, _ := filepath.Rel(root, base)
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(base + ".req")
			if err != nil {
				t.Fatal(err)
			}
			pr := parseRawRequest(t, raw)
			c := Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
			opts := SignOptions{Region: "us-east-1", Service: "service", Time: ts, NormalizePath: true}
			h := sha256.Sum256(pr.body)
			opts.PayloadHash = hex.EncodeToString(h[:])
			sreq := parseSignedRequest(t, base+".sreq")
			if tok := sreq.Header.Get("X-Amz-Security-Token"); tok != "" && pr.header.Get("X-Amz-Security-Token") == "" {
				// The signer adds the session token: signed, or, in the sts
				// "after" case, added after signing.
				c.SessionToken = tok
				opts.OmitSessionToken = strings.HasSuffix(name, "post-sts-header-after")
			}
			r := pr.httpRequest()
			r.Body = http.NoBody
			r.ContentLength = 0 // the suite does not sign Content-Length
			res, err := signHeader(r, c, opts)
			if err != nil {
				t.Fatal(err)
			}
			checkEq(t, "canonical request", res.canonicalRequest, readMust(t, base+".creq"))
			checkEq(t, "string to sign", res.stringToSign, readMust(t, base+".sts"))
			checkEq(t, "Authorization", r.Header.Get("Authorization"), readMust(t, base+".authz"))
			if !t.Failed() {
				tally.passed++
			}
		})
	}
}
