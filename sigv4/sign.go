package sigv4

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"
)

// SignOptions configure [Sign]. The zero value of every flag gives what S3
// requires; the flags exist for generic (non-S3) AWS services and the AWS
// signing test suites.
type SignOptions struct {
	// Algorithm is AlgorithmV4 (default) or AlgorithmV4A.
	Algorithm string
	// Region is the credential scope region (SigV4) or the region set
	// (SigV4A, sent as X-Amz-Region-Set: "*" or "us-east-1,us-west-2").
	Region  string
	Service string
	// PayloadHash is the payload hash line: hex SHA-256 of the body,
	// UnsignedPayload or a STREAMING-* value. "" means the hash of an empty body.
	PayloadHash string
	// Time is the signing time (X-Amz-Date); zero means time.Now().
	Time time.Time
	// ContentSHA256Header sets X-Amz-Content-Sha256 to PayloadHash; S3 requires it.
	ContentSHA256Header bool
	// NormalizePath removes "." / ".." segments and duplicate slashes from the
	// canonical URI (generic SigV4; never for S3).
	NormalizePath bool
	// DoubleEncodePath encodes the canonical URI twice (generic SigV4, and what
	// aws-sdk-go-v2's SigV4A presigner does for S3).
	DoubleEncodePath bool
	// OmitSessionToken adds X-Amz-Security-Token after signing, unsigned, as
	// some services expect (aws-c-auth "omit_session_token").
	OmitSessionToken bool
}

// ignoredSignHeaders are never signed: they are changed by proxies or added
// by the transport (the list of aws-sdk-go-v2's v4 signer).
var ignoredSignHeaders = []string{"authorization", "user-agent", "x-amzn-trace-id", "expect", "transfer-encoding"}

// SignRequest signs r in place with SigV4 (AWS4-HMAC-SHA256) in the
// Authorization header. It sets X-Amz-Date, X-Amz-Security-Token (when c has
// a session token), X-Amz-Content-Sha256 (for services s3 and s3-outposts)
// and Authorization. payloadHash is the hex SHA-256 of the body, or
// UnsignedPayload, or a STREAMING-* value ("" means an empty body).
func SignRequest(r *http.Request, c Credentials, region, service, payloadHash string, t time.Time) error {
	return Sign(r, c, SignOptions{Region: region, Service: service, PayloadHash: payloadHash, Time: t,
		ContentSHA256Header: isS3Service(service)})
}

// SignRequestV4A signs r in place with SigV4A (AWS4-ECDSA-P256-SHA256) in the
// Authorization header; regionSet ("*" when empty) is sent as X-Amz-Region-Set.
func SignRequestV4A(r *http.Request, c Credentials, regionSet, service, payloadHash string, t time.Time) error {
	if regionSet == "" {
		regionSet = "*"
	}
	return Sign(r, c, SignOptions{Algorithm: AlgorithmV4A, Region: regionSet, Service: service,
		PayloadHash: payloadHash, Time: t, ContentSHA256Header: isS3Service(service)})
}

func isS3Service(s string) bool { return s == "s3" || s == "s3-outposts" }

// signResult is what a signature computation produced; tests compare it
// with the AWS vectors.
type signResult struct {
	canonicalRequest, stringToSign, signature, signedHeaders, scope string
}

// Sign signs r in place in the Authorization header as o describes.
func Sign(r *http.Request, c Credentials, o SignOptions) error {
	_, err := signHeader(r, c, o)
	return err
}

func signHeader(r *http.Request, c Credentials, o SignOptions) (signResult, error) {
	var res signResult
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return res, errors.New("sigv4: credentials need an access key ID and a secret")
	}
	if o.Service == "" {
		return res, errors.New("sigv4: service is required")
	}
	alg := o.Algorithm
	if alg == "" {
		alg = AlgorithmV4
	}
	if alg != AlgorithmV4 && alg != AlgorithmV4A {
		return res, errors.New("sigv4: unsupported algorithm " + alg)
	}
	if alg == AlgorithmV4 && o.Region == "" {
		return res, errors.New("sigv4: region is required")
	}
	t := o.Time
	if t.IsZero() {
		t = time.Now()
	}
	t = t.UTC()
	payload := o.PayloadHash
	if payload == "" {
		payload = EmptySHA256
	}
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	host := signingHost(r)
	amzDate := string(appendAmzDate(nil, t))
	r.Header.Del("Authorization")
	r.Header.Set("X-Amz-Date", amzDate)
	if alg == AlgorithmV4A {
		r.Header.Set("X-Amz-Region-Set", o.Region)
	}
	if c.SessionToken != "" && !o.OmitSessionToken {
		r.Header.Set("X-Amz-Security-Token", c.SessionToken)
	}
	if o.ContentSHA256Header {
		r.Header.Set("X-Amz-Content-Sha256", payload)
	}
	names := signableHeaderNames(r, nil)
	scope := credentialScope(t, alg, o.Region, o.Service)

	ws := getWS()
	defer putWS(ws)
	ws.pairs = parseQueryPairs(ws.pairs[:0], r.URL.RawQuery, "", &ws.scratch)
	creq, ok := ws.buildCanonicalRequest(viewOf(r), nil, r.Method, host, names, ws.pairs, "",
		pathOptions{normalize: o.NormalizePath, double: o.DoubleEncodePath}, payload)
	if !ok {
		return res, errors.New("sigv4: a signed header has no value")
	}
	res.canonicalRequest = string(creq)
	res.stringToSign = string(ws.buildStringToSign(alg, amzDate, scope))
	sig, err := ws.signStringToSign(alg, c, t, o.Region, o.Service)
	if err != nil {
		return res, err
	}
	res.signature = sig
	res.signedHeaders = strings.Join(names, ";")
	res.scope = scope
	r.Header.Set("Authorization", alg+" Credential="+c.AccessKeyID+"/"+scope+
		", SignedHeaders="+res.signedHeaders+", Signature="+sig)
	if c.SessionToken != "" && o.OmitSessionToken {
		r.Header.Set("X-Amz-Security-Token", c.SessionToken)
	}
	return res, nil
}

// signStringToSign signs ws.sts with the key of alg.
func (ws *workspace) signStringToSign(alg string, c Credentials, t time.Time, region, service string) (string, error) {
	if alg == AlgorithmV4A {
		priv, err := signerCache.ecdsaKey(c.AccessKeyID, c.SecretAccessKey)
		if err != nil {
			return "", err
		}
		return signECDSA(priv, ws.sts)
	}
	var date [8]byte
	key := signerCache.signingKey(ws, c.AccessKeyID, c.SecretAccessKey,
		string(t.AppendFormat(date[:0], "20060102")), region, service)
	var sig [32]byte
	ws.hmac(&key, ws.sts, &sig)
	var hx [64]byte
	return string(appendHex(hx[:0], sig[:])), nil
}

func signECDSA(priv *ecdsa.PrivateKey, sts []byte) (string, error) {
	digest := sha256.Sum256(sts)
	der, err := ecdsa.SignASN1(rand.Reader, priv, digest[:])
	if err != nil {
		return "", err
	}
	return string(appendHex(nil, der)), nil
}

// credentialScope is date/region/service/aws4_request (SigV4) or
// date/service/aws4_request (SigV4A).
func credentialScope(t time.Time, alg, region, service string) string {
	d := t.UTC().Format("20060102")
	if alg == AlgorithmV4A {
		return d + "/" + service + "/aws4_request"
	}
	return d + "/" + region + "/" + service + "/aws4_request"
}

// signingHost is the value of the host header a client sends: r.Host, else
// URL.Host, without the scheme's default port (as aws-sdk-go-v2 does).
func signingHost(r *http.Request) string {
	h := r.Host
	if h == "" {
		h = r.URL.Host
	}
	h2 := stripDefaultPort(r.URL.Scheme, h)
	if h2 != h || r.Host == "" {
		r.Host = h2
	}
	return h2
}

func stripDefaultPort(scheme, h string) string {
	if strings.HasSuffix(h, ":443") && scheme == "https" {
		return strings.TrimSuffix(h, ":443")
	}
	if strings.HasSuffix(h, ":80") && scheme == "http" {
		return strings.TrimSuffix(h, ":80")
	}
	return h
}

// signableHeaderNames lists the lower-case, sorted, de-duplicated header
// names a signer signs: host, content-length when known, and every header but
// the ignored ones. Names in only are signed exclusively when only != nil.
func signableHeaderNames(r *http.Request, only http.Header) []string {
	names := []string{"host"}
	src := r.Header
	if only != nil {
		src = only
	}
	for k := range src {
		lk := strings.ToLower(k)
		if lk == "host" || slices.Contains(ignoredSignHeaders, lk) {
			continue
		}
		names = append(names, lk)
	}
	if only == nil && r.ContentLength > 0 && headerValues(r.Header, "content-length") == nil {
		names = append(names, "content-length")
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// buildCanonicalRequest writes the canonical request into ws.creq:
// method, canonical URI, canonical query (pairs minus skipKey), canonical
// headers (values from scan when set, see appendCanonicalHeaders), signed
// headers and payload hash, each on its own line.
func (ws *workspace) buildCanonicalRequest(r reqView, scan *headerScan, method, host string, names []string,
	pairs []queryPair, skipKey string, po pathOptions, payload string) ([]byte, bool) {
	b := ws.creq[:0]
	b = append(b, method...)
	b = append(b, '\n')
	b = appendCanonicalURI(b, r.path, r.rawPath, po)
	b = append(b, '\n')
	b = appendCanonicalQuery(b, pairs, skipKey)
	b = append(b, '\n')
	b, ok := appendCanonicalHeaders(b, r, scan, host, names)
	b = append(b, '\n')
	b = appendSignedHeaders(b, names)
	b = append(b, '\n')
	b = append(b, payload...)
	ws.creq = b
	return b, ok
}

// buildStringToSign writes alg\namzDate\nscope\nhex(sha256(creq)) into ws.sts.
func (ws *workspace) buildStringToSign(alg, amzDate, scope string) []byte {
	sum := ws.sha256Of(ws.creq)
	b := ws.sts[:0]
	b = append(b, alg...)
	b = append(b, '\n')
	b = append(b, amzDate...)
	b = append(b, '\n')
	b = append(b, scope...)
	b = append(b, '\n')
	b = appendHex(b, sum[:])
	ws.sts = b
	return b
}

// buildStringToSignScope is buildStringToSign with the scope of a parsed
// credential.
func (ws *workspace) buildStringToSignScope(alg, amzDate string, sc *scopeV4) []byte {
	sum := ws.sha256Of(ws.creq)
	b := ws.sts[:0]
	b = append(b, alg...)
	b = append(b, '\n')
	b = append(b, amzDate...)
	b = append(b, '\n')
	b = sc.appendScope(b)
	b = append(b, '\n')
	b = appendHex(b, sum[:])
	ws.sts = b
	return b
}
