package sigv4

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// PresignParams describe a presigned URL.
type PresignParams struct {
	Method string
	// URL is the request URL: scheme, host (with port when not the scheme's
	// default), path and any extra query parameters (e.g. x-id, versionId).
	URL *url.URL
	// Header holds headers, besides host, that the URL is bound to (e.g.
	// Content-Type, x-amz-meta-*); the user of the URL must send them.
	Header      http.Header
	Credentials Credentials
	// Region is the credential scope region (SigV4) or the region set
	// (SigV4A, default "*"); unused by SigV2.
	Region  string
	Service string
	// Time is the signing time; zero means time.Now().
	Time time.Time
	// Expires is how long the URL works: 1 second to 7 days (604800 s).
	Expires time.Duration
	// Algorithm is AlgorithmV4 (default), AlgorithmV4A or AlgorithmV2.
	Algorithm string
	// DoubleEncodePath signs the canonical URI encoded twice, as
	// aws-sdk-go-v2's SigV4A presigner does; S3 normally encodes once.
	DoubleEncodePath bool
	// NormalizePath removes dot segments and duplicate slashes from the
	// canonical URI (generic SigV4 services only, never S3).
	NormalizePath bool
	// PayloadHash is the payload line; "" means UnsignedPayload, as S3
	// presigned URLs use.
	PayloadHash string
	// OmitSessionToken adds X-Amz-Security-Token after signing, unsigned.
	OmitSessionToken bool
	// V2Resource is the SigV2 CanonicalizedResource path, e.g.
	// "/bucket/key" as sent (URL-encoded) for virtual-hosted requests;
	// "" means the URL's path. Subresources are appended from the query.
	V2Resource string
}

var errBadExpires = errors.New("sigv4: presign Expires must be between 1 second and 604800 seconds (7 days)")

// Presign returns the URL p describes, signed in the query string. The
// query carries the existing parameters plus X-Amz-Algorithm,
// X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders,
// X-Amz-Security-Token (with a session token), X-Amz-Region-Set (SigV4A)
// and X-Amz-Signature; for SigV2, AWSAccessKeyId, Expires and Signature.
// Expires must be 1..604800 seconds.
func Presign(p PresignParams) (string, error) {
	return presign(p, nil)
}

// presign implements Presign; when capture is non-nil it records the
// canonical request and string to sign (for the test vectors).
func presign(p PresignParams, capture *signResult) (string, error) {
	if p.URL == nil {
		return "", errors.New("sigv4: presign needs a URL")
	}
	exp := int64(p.Expires / time.Second)
	if exp < 1 || exp > MaxPresignExpires || p.Expires%time.Second != 0 && exp == 0 {
		return "", errBadExpires
	}
	c := p.Credentials
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return "", errors.New("sigv4: credentials need an access key ID and a secret")
	}
	method := p.Method
	if method == "" {
		method = http.MethodGet
	}
	t := p.Time
	if t.IsZero() {
		t = time.Now()
	}
	t = t.UTC()
	alg := p.Algorithm
	switch alg {
	case "", AlgorithmV4:
		alg = AlgorithmV4
		if p.Region == "" {
			return "", errors.New("sigv4: region is required")
		}
	case AlgorithmV4A:
	case AlgorithmV2:
		return presignV2(p, method, t, exp)
	default:
		return "", errors.New("sigv4: unsupported algorithm " + alg)
	}
	if p.Service == "" {
		return "", errors.New("sigv4: service is required")
	}
	region := p.Region
	if alg == AlgorithmV4A && region == "" {
		region = "*"
	}
	payload := p.PayloadHash
	if payload == "" {
		payload = UnsignedPayload
	}
	host := stripDefaultPort(p.URL.Scheme, p.URL.Host)

	ws := getWS()
	defer putWS(ws)
	// Runs before putWS: drop the references to the header names.
	defer clear(ws.names[:])

	// Signed header names: host plus p.Header, lower-case, sorted.
	names := ws.names[:0]
	names = append(names, "host")
	for k := range p.Header {
		lk := k
		if hasUpper(k) {
			lk = strings.ToLower(k)
		}
		if lk == "host" {
			continue
		}
		names = append(names, lk)
	}
	sortStrings(names)

	// The X-Amz-* values, canonically encoded, in one buffer whose capacity
	// is reserved first so the strings viewing it stay valid.
	var dateBuf [16]byte
	amzDate := appendAmzDate(dateBuf[:0], t)
	token := c.SessionToken
	if p.OmitSessionToken {
		token = ""
	}
	need := 3*(len(c.AccessKeyID)+len(region)+len(p.Service)+len(token)) + 64
	for _, n := range names {
		need += len(n) + 3
	}
	if cap(ws.tmp) < need {
		ws.tmp = make([]byte, 0, need)
	}
	vals := ws.tmp[:0]
	mark := func() int { return len(vals) }
	view := func(start int) string { return unsafeString(vals[start:]) }

	s := mark()
	vals = appendURIEncode(vals, c.AccessKeyID, false)
	vals = append(vals, "%2F"...)
	vals = append(vals, amzDate[:8]...)
	vals = append(vals, "%2F"...)
	if alg == AlgorithmV4 {
		vals = appendURIEncode(vals, region, false)
		vals = append(vals, "%2F"...)
	}
	vals = appendURIEncode(vals, p.Service, false)
	vals = append(vals, "%2Faws4_request"...)
	credential := view(s)
	s = mark()
	vals = append(vals, amzDate...)
	date := view(s)
	s = mark()
	vals = strconv.AppendInt(vals, exp, 10)
	expires := view(s)
	s = mark()
	for i, n := range names {
		if i > 0 {
			vals = append(vals, "%3B"...)
		}
		vals = appendURIEncode(vals, n, false)
	}
	signed := view(s)
	var regionSet, tok string
	if alg == AlgorithmV4A {
		s = mark()
		vals = appendURIEncode(vals, region, false)
		regionSet = view(s)
	}
	if token != "" {
		s = mark()
		vals = appendURIEncode(vals, token, false)
		tok = view(s)
	}
	ws.tmp = vals

	pairs := parseQueryPairs(ws.pairs[:0], p.URL.RawQuery, "", &ws.scratch)
	pairs = append(pairs,
		queryPair{key: "X-Amz-Algorithm", value: alg},
		queryPair{key: "X-Amz-Credential", value: credential},
		queryPair{key: "X-Amz-Date", value: date},
		queryPair{key: "X-Amz-Expires", value: expires},
		queryPair{key: "X-Amz-SignedHeaders", value: signed},
	)
	if regionSet != "" {
		pairs = append(pairs, queryPair{key: "X-Amz-Region-Set", value: regionSet})
	}
	if tok != "" {
		pairs = append(pairs, queryPair{key: "X-Amz-Security-Token", value: tok})
	}
	ws.pairs = pairs

	rv := reqView{header: p.Header, contentLength: -1, path: p.URL.Path, rawPath: p.URL.RawPath}
	creq, ok := ws.buildCanonicalRequest(rv, nil, method, host, names, pairs, "",
		pathOptions{normalize: p.NormalizePath, double: p.DoubleEncodePath}, payload)
	if !ok {
		return "", errors.New("sigv4: a signed header has no value")
	}
	// The canonical query is the third line of the canonical request.
	q1 := strings.IndexByte(unsafeString(creq), '\n')
	q1 += 1 + strings.IndexByte(unsafeString(creq[q1+1:]), '\n') + 1
	q2 := q1 + strings.IndexByte(unsafeString(creq[q1:]), '\n')
	query := creq[q1:q2]

	var scope [128]byte
	sc := append(scope[:0], amzDate[:8]...)
	sc = append(sc, '/')
	if alg == AlgorithmV4 {
		sc = append(sc, region...)
		sc = append(sc, '/')
	}
	sc = append(sc, p.Service...)
	sc = append(sc, "/aws4_request"...)
	ws.buildStringToSign(alg, unsafeString(amzDate), unsafeString(sc))
	if capture != nil {
		capture.canonicalRequest, capture.stringToSign = string(ws.creq), string(ws.sts)
	}

	var sigHex []byte
	var hexBuf [64]byte
	if alg == AlgorithmV4A {
		sig, err := ws.signStringToSign(alg, c, t, region, p.Service)
		if err != nil {
			return "", err
		}
		sigHex = []byte(sig)
	} else {
		key := signerCache.signingKey(ws, c.AccessKeyID, c.SecretAccessKey, unsafeString(amzDate[:8]), region, p.Service)
		var sum [32]byte
		ws.hmac(&key, ws.sts, &sum)
		sigHex = appendHex(hexBuf[:0], sum[:])
	}

	if capture != nil {
		capture.signature = string(sigHex)
	}
	var out strings.Builder
	out.Grow(len(p.URL.Scheme) + 3 + len(host) + 3*len(p.URL.Path) + 2 + len(query) + 40 + len(sigHex) + 1)
	out.WriteString(p.URL.Scheme)
	out.WriteString("://")
	out.WriteString(host)
	s = len(ws.scratch)
	ws.scratch = appendCanonicalURI(ws.scratch, p.URL.Path, p.URL.RawPath, pathOptions{})
	out.Write(ws.scratch[s:])
	out.WriteByte('?')
	out.Write(query)
	out.WriteString("&X-Amz-Signature=")
	out.Write(sigHex)
	if c.SessionToken != "" && p.OmitSessionToken {
		out.WriteString("&X-Amz-Security-Token=")
		out.WriteString(URIEncode(c.SessionToken, false))
	}
	return out.String(), nil
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

// sortStrings is an insertion sort: header lists are short and this keeps
// the slice on the caller's stack.
func sortStrings(a []string) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}
