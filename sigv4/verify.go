package sigv4

import (
	"context"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// VerifierConfig configures a Verifier.
type VerifierConfig struct {
	Keys KeyStore
	// Region is the server's region; a SigV4 scope region must equal it and
	// a SigV4A region set must contain it (or "*").
	Region string
	// Services are the accepted scope services, e.g. {"s3", "s3-outposts"};
	// empty means {"s3", "s3-outposts"}.
	Services []string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MaxSkew is the largest difference allowed between the clock and the
	// date of a header-signed request (default 15 minutes). Presigned URLs are
	// only checked against their validity window, with MaxSkew of tolerance
	// for a X-Amz-Date in the future.
	MaxSkew time.Duration
	// KeyCacheSize bounds the number of derived keys cached (default 4096).
	KeyCacheSize int
}

// Verifier authenticates requests; it is safe for concurrent use.
type Verifier struct {
	keys     KeyStore
	region   string
	services []string
	now      func() time.Time
	maxSkew  time.Duration
	cache    *keyCache
}

// NewVerifier returns a Verifier for cfg.
func NewVerifier(cfg VerifierConfig) *Verifier {
	v := &Verifier{keys: cfg.Keys, region: cfg.Region, services: cfg.Services, now: cfg.Now,
		maxSkew: cfg.MaxSkew, cache: newKeyCache(cfg.KeyCacheSize)}
	if len(v.services) == 0 {
		v.services = []string{"s3", "s3-outposts"}
	}
	if v.now == nil {
		v.now = time.Now
	}
	if v.maxSkew <= 0 {
		v.maxSkew = 15 * time.Minute
	}
	return v
}

// VerifyOptions are per-request inputs of Verify.
type VerifyOptions struct {
	// Host is the host (with port when sent) the signature must cover;
	// "" means r.Host.
	Host string
	// V2Resources are candidate SigV2 CanonicalizedResource paths, URL-encoded
	// as sent, e.g. "/bucket/key" for a virtual-hosted request and "/key".
	// Verify appends the subresources of the query. Empty means the request
	// path as sent.
	V2Resources []string
}

// newVerified allocates a Verified together with room for n signed-header
// names (Verified.SignedHeaders points into the same object). The box comes
// in a few sizes, each filling an allocation size class, so that common
// requests (a handful of signed headers) allocate a small object: the
// allocation, its zeroing and the garbage collector's work all grow with
// its size. Beyond 16 names the list gets an allocation of its own.
func newVerified(n int) (*Verified, []string) {
	switch {
	case n <= 1: // presigned URLs sign just host
		b := new(struct {
			v     Verified
			names [1]string
		})
		return &b.v, b.names[:0]
	case n <= 3:
		b := new(struct {
			v     Verified
			names [3]string
		})
		return &b.v, b.names[:0]
	case n <= 5:
		b := new(struct {
			v     Verified
			names [5]string
		})
		return &b.v, b.names[:0]
	case n <= 8:
		b := new(struct {
			v     Verified
			names [8]string
		})
		return &b.v, b.names[:0]
	case n <= 16:
		b := new(struct {
			v     Verified
			names [16]string
		})
		return &b.v, b.names[:0]
	}
	return new(Verified), make([]string, 0, n)
}

// countSignedHeaders is an upper bound of the names splitSignedHeaders
// finds in s.
func countSignedHeaders(s string) int { return strings.Count(s, ";") + 1 }

// Verify authenticates r. A request without any authentication gives an
// anonymous Verified; a request with bad authentication gives an *Error.
// The returned Verified.Body must be read instead of r.Body.
func (v *Verifier) Verify(ctx context.Context, r *http.Request, opt VerifyOptions) (*Verified, error) {
	host := opt.Host
	if host == "" {
		host = r.Host
	}
	authValues := r.Header["Authorization"]
	auth := ""
	if len(authValues) > 0 {
		auth = authValues[0]
	}
	if len(authValues) > 1 {
		// A proxy in front may read another copy than we do; refuse
		// rather than guess which one the client meant.
		return nil, newErr(CodeInvalidArgument, http.StatusBadRequest,
			"Only one auth mechanism allowed; the Authorization header must appear once.",
			Field{"ArgumentName", "Authorization"})
	}
	// The query is split (and its encoding checked) once, here: the
	// authentication parameters are found in these pairs, and the SigV4
	// paths build the canonical query from them. They live on this stack
	// (a longer query spills to the heap) rather than in a pooled slice,
	// which would need clearing so as not to keep the request's strings
	// alive. (Skipping X-Amz-Signature only matters to presigned URLs: with
	// it in the query, a header-signed request is refused below.)
	var pairBuf [16]queryPair
	pairs := splitQuery(pairBuf[:0], r.URL.RawQuery, "X-Amz-Signature")
	qv4, qv2, repeated := scanAuthParams(pairs, r.URL.RawQuery)
	if repeated != "" {
		return nil, newErr(CodeAuthorizationQueryParametersError, http.StatusBadRequest,
			"Query-string authentication parameters must appear once: "+repeated+" is repeated.")
	}
	if auth != "" && (qv4 || qv2) {
		return nil, newErr(CodeInvalidArgument, http.StatusBadRequest,
			"Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified",
			Field{"ArgumentName", "Authorization"}, Field{"ArgumentValue", auth})
	}
	switch {
	case auth != "":
		if strings.HasPrefix(auth, AlgorithmV2+" ") {
			return v.verifyHeaderV2(ctx, r, auth, opt)
		}
		return v.verifyHeaderV4(ctx, pairs, r, auth, host)
	case qv4:
		return v.verifyQueryV4(ctx, pairs, r, host)
	case qv2:
		return v.verifyQueryV2(ctx, r, opt)
	}
	body := r.Body
	if body == nil {
		body = http.NoBody
	}
	return &Verified{AuthType: AuthAnonymous, Body: body, DecodedLength: r.ContentLength}, nil
}

// authParams are the query parameters of presigned URLs (SigV4, SigV4A, SigV2).
var authParams = []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
	"X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token", "X-Amz-Region-Set",
	"AWSAccessKeyId", "Signature", "Expires"}

// authParamIndex returns the index in authParams of the query key k, or -1.
// A switch compiles to a search on length and content, much cheaper than
// comparing k with every name in turn.
func authParamIndex(k string) int {
	switch k {
	case "X-Amz-Algorithm":
		return 0
	case "X-Amz-Credential":
		return 1
	case "X-Amz-Date":
		return 2
	case "X-Amz-Expires":
		return 3
	case "X-Amz-SignedHeaders":
		return 4
	case "X-Amz-Signature":
		return 5
	case "X-Amz-Security-Token":
		return 6
	case "X-Amz-Region-Set":
		return 7
	case "AWSAccessKeyId":
		return 8
	case "Signature":
		return 9
	case "Expires":
		return 10
	}
	return -1
}

// Bits of authParamIndex results that make a query SigV4 or SigV2 signed.
const (
	v4QueryKeys = 1<<0 | 1<<1 | 1<<5 // X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature
	v2QueryKeys = 1<<8 | 1<<9        // AWSAccessKeyId, Signature
)

// scanAuthParams looks at the authentication parameters of a query, split
// into ps by splitQuery. qv4 reports a SigV4/SigV4A presigned query
// (X-Amz-Algorithm, X-Amz-Credential or X-Amz-Signature present, as sent);
// qv2, when not qv4, a SigV2 one (Signature or AWSAccessKeyId present, as
// sent). repeated is the first authentication
// parameter (compared after query-decoding the key) that occurs more than
// once, or "".
func scanAuthParams(ps []queryPair, raw string) (qv4, qv2 bool, repeated string) {
	hasAmz := strings.Contains(raw, "X-Amz-")
	if !hasAmz && !strings.Contains(raw, "Signature") && !strings.Contains(raw, "AWSAccessKeyId") {
		return false, false, ""
	}
	var present, seen int // bits of authParamIndex: raw keys, decoded keys
	for i := range ps {
		k := ps[i].rawKey
		j := authParamIndex(k)
		if j >= 0 {
			present |= 1 << j
		}
		// An escaped key may decode to a parameter name (a name never
		// contains '%' or '+', so a key that matched as sent has neither).
		if j < 0 && (strings.IndexByte(k, '%') >= 0 || strings.IndexByte(k, '+') >= 0) {
			dk, _ := url.QueryUnescape(k)
			j = authParamIndex(dk)
		}
		if j >= 0 {
			if seen&(1<<j) != 0 {
				return false, false, authParams[j]
			}
			seen |= 1 << j
		}
	}
	qv4 = hasAmz && present&v4QueryKeys != 0
	// Any SigV2 parameter makes the query SigV2, so a link missing one is
	// refused (as AWS does) rather than served as an anonymous request.
	qv2 = !qv4 && present&v2QueryKeys != 0
	return qv4, qv2, ""
}

// IsSigV2 reports whether r carries Signature Version 2 authentication, as
// Verify decides it: an "AWS AKID:signature" Authorization header, or an
// AWSAccessKeyId or Signature query parameter in a query with none of
// X-Amz-Algorithm, X-Amz-Credential and X-Amz-Signature (names as sent).
// It does not check the signature, so a server can refuse SigV2 where it
// requires SigV4 whether or not the signature is valid. It costs a few
// substring searches and does not allocate.
func IsSigV2(r *http.Request) bool {
	if a := r.Header.Get("Authorization"); a != "" {
		return strings.HasPrefix(a, AlgorithmV2+" ")
	}
	raw := r.URL.RawQuery
	if !hasRawKey(raw, "AWSAccessKeyId") && !hasRawKey(raw, "Signature") {
		return false
	}
	return !hasRawKey(raw, "X-Amz-Algorithm") && !hasRawKey(raw, "X-Amz-Credential") && !hasRawKey(raw, "X-Amz-Signature")
}

// hasRawKey reports whether the query raw has a parameter named k, as sent.
func hasRawKey(raw, k string) bool {
	for i := 0; i < len(raw); {
		j := strings.Index(raw[i:], k)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(k)
		if (j == 0 || raw[j-1] == '&') && (end == len(raw) || raw[end] == '=' || raw[end] == '&') {
			return true
		}
		i = j + 1
	}
	return false
}

// authHeaderV4 is a parsed SigV4/SigV4A Authorization header.
type authHeaderV4 struct {
	algorithm     string
	credential    string
	signedHeaders string
	signature     string
}

const msgThreeComponents = "the authorization header requires three components: Credential, SignedHeaders, and Signature."

// parseAuthorization parses "ALG Credential=…, SignedHeaders=…, Signature=…".
func parseAuthorization(s string) (authHeaderV4, *Error) {
	var a authHeaderV4
	alg, rest, ok := strings.Cut(s, " ")
	if !ok || (alg != AlgorithmV4 && alg != AlgorithmV4A) {
		return a, newErr(CodeInvalidArgument, http.StatusBadRequest, "Unsupported Authorization Type",
			Field{"ArgumentName", "Authorization"}, Field{"ArgumentValue", s})
	}
	a.algorithm = alg
	for rest != "" {
		var part string
		if i := strings.IndexByte(rest, ','); i >= 0 {
			part, rest = rest[:i], rest[i+1:]
		} else {
			part, rest = rest, ""
		}
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, val, ok := strings.Cut(part, "=")
		if !ok {
			return a, headerMalformed("the authorization component \"" + part + "\" is malformed.")
		}
		switch k {
		case "Credential":
			a.credential = val
		case "SignedHeaders":
			a.signedHeaders = val
		case "Signature":
			a.signature = val
		default:
			return a, headerMalformed("the authorization component \"" + part + "\" is malformed.")
		}
	}
	if a.credential == "" || a.signedHeaders == "" || a.signature == "" {
		return a, headerMalformed(msgThreeComponents)
	}
	return a, nil
}

// scopeV4 is a parsed Credential value.
type scopeV4 struct {
	akid, date, region, service, terminal string
	v4a                                   bool // no region component
}

// appendScope appends the credential scope, everything after "akid/":
// date/region/service/terminal (SigV4) or date/service/terminal (SigV4A).
// It is rebuilt from the parts because a presigned credential arrives with
// its slashes escaped, and the parts are all that is kept of it.
func (s *scopeV4) appendScope(dst []byte) []byte {
	dst = append(dst, s.date...)
	dst = append(dst, '/')
	if !s.v4a {
		dst = append(dst, s.region...)
		dst = append(dst, '/')
	}
	dst = append(dst, s.service...)
	dst = append(dst, '/')
	return append(dst, s.terminal...)
}

// parseCredential splits AKID/date/region/service/aws4_request (SigV4) or
// AKID/date/service/aws4_request (SigV4A). The access key is what precedes
// the last 4 (3) components.
func parseCredential(cred, alg string) (scopeV4, bool) {
	parts := scopeParts(alg)
	end := len(cred)
	var comps [4]string
	for i := parts - 1; i >= 0; i-- {
		j := strings.LastIndexByte(cred[:end], '/')
		if j < 0 {
			return scopeV4{}, false
		}
		comps[i] = cred[j+1 : end]
		end = j
	}
	return newScope(cred[:end], comps[:parts], alg)
}

// scopeParts is the number of components after the access key.
func scopeParts(alg string) int {
	if alg == AlgorithmV4A {
		return 3
	}
	return 4
}

// newScope checks and assembles the access key and the scope components
// (date, region unless SigV4A, service, terminal).
func newScope(akid string, comps []string, alg string) (scopeV4, bool) {
	s := scopeV4{akid: akid, date: comps[0]}
	if alg == AlgorithmV4A {
		s.v4a = true
		s.service, s.terminal = comps[1], comps[2]
	} else {
		s.region, s.service, s.terminal = comps[1], comps[2], comps[3]
	}
	if s.akid == "" || s.date == "" || s.service == "" || (alg == AlgorithmV4 && s.region == "") {
		return s, false
	}
	return s, true
}

// parseQueryCredential is parseCredential(queryUnescape(raw), alg) for a
// raw X-Amz-Credential query value. Clients escape the slashes and nothing
// else ("AKID%2F20261129%2Fus-east-1%2Fs3%2Faws4_request"): when raw has
// no '/' or '+' and its only escapes are exactly as many "%2F" as there
// are separators, the parts are cut between them as they stand, substrings
// of the query, with nothing decoded or allocated. Anything else takes the
// general path.
func parseQueryCredential(raw, alg string) (scopeV4, bool) {
	parts := scopeParts(alg)
	if strings.IndexByte(raw, '/') < 0 && strings.IndexByte(raw, '+') < 0 {
		var seps [4]int // offsets of the "%2F"
		n := 0
		for i := 0; ; i += 3 {
			j := strings.IndexByte(raw[i:], '%')
			if j < 0 {
				break
			}
			i += j
			if n == parts || i+2 >= len(raw) || raw[i+1] != '2' || raw[i+2]|0x20 != 'f' {
				n = -1 // not the simple form
				break
			}
			seps[n] = i
			n++
		}
		if n == parts {
			var comps [4]string
			for k := range parts {
				end := len(raw)
				if k+1 < parts {
					end = seps[k+1]
				}
				comps[k] = raw[seps[k]+3 : end]
			}
			return newScope(raw[:seps[0]], comps[:parts], alg)
		}
	}
	return parseCredential(queryUnescape(raw), alg)
}

// checkScope validates a parsed scope against the server, returning the
// message tail shared by header and query errors.
func (v *Verifier) checkScope(s scopeV4, alg string) (string, []Field) {
	if s.terminal != "aws4_request" {
		return "incorrect terminal \"" + s.terminal + "\". This endpoint uses \"aws4_request\".", nil
	}
	if alg == AlgorithmV4 && v.region != "" && s.region != v.region {
		return "the region '" + s.region + "' is wrong; expecting '" + v.region + "'", []Field{{"Region", v.region}}
	}
	if !slices.Contains(v.services, s.service) {
		return "incorrect service \"" + s.service + "\". This endpoint belongs to \"" + v.services[0] + "\".", nil
	}
	return "", nil
}

// regionSetMatches reports whether a SigV4A region set ("*", "us-east-1,
// eu-*") contains region.
func regionSetMatches(set, region string) bool {
	for set != "" {
		var r string
		if i := strings.IndexByte(set, ','); i >= 0 {
			r, set = set[:i], set[i+1:]
		} else {
			r, set = set, ""
		}
		r = strings.TrimSpace(r)
		if r == "*" || r == region {
			return true
		}
		if strings.HasSuffix(r, "*") && strings.HasPrefix(region, r[:len(r)-1]) {
			return true
		}
	}
	return false
}

// splitSignedHeaders splits "a;b;c" into dst.
func splitSignedHeaders(dst []string, s string) []string {
	for s != "" {
		var n string
		if i := strings.IndexByte(s, ';'); i >= 0 {
			n, s = s[:i], s[i+1:]
		} else {
			n, s = s, ""
		}
		dst = append(dst, n)
	}
	return dst
}

// hasAmzPrefix reports whether the header name k starts with "x-amz-", in
// any case (as strings.EqualFold(k[:6], "x-amz-") does).
func hasAmzPrefix(k string) bool {
	// ORing 0x20 lower-cases an ASCII letter and maps no other byte to one
	// (and none of x, a, m, z is a Unicode fold of a non-ASCII letter).
	return len(k) >= 6 && k[0]|0x20 == 'x' && k[1] == '-' && k[2]|0x20 == 'a' && k[3]|0x20 == 'm' &&
		k[4]|0x20 == 'z' && k[5] == '-'
}

// lookupKey calls the KeyStore and checks the session token and expiry.
func (v *Verifier) lookupKey(ctx context.Context, akid, token string, now time.Time) (Key, error) {
	if v.keys == nil {
		return Key{}, ErrInvalidAccessKeyID(akid)
	}
	k, err := v.keys.LookupKey(ctx, akid, token)
	if err != nil {
		return Key{}, err
	}
	if k.SessionToken != "" && subtle.ConstantTimeCompare([]byte(k.SessionToken), []byte(token)) != 1 {
		return Key{}, errInvalidToken()
	}
	if !k.Expires.IsZero() && now.After(k.Expires) {
		return Key{}, errExpiredToken()
	}
	if k.AccessKeyID == "" {
		k.AccessKeyID = akid
	}
	return k, nil
}

func firstHeader(h http.Header, canonicalKey string) string {
	if v := h[canonicalKey]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	// OR the table values together: any non-digit sets the 0xf0 bits, so
	// one test after the loop replaces a branch per byte. Eight digits per
	// round keep the loop overhead small.
	var acc byte
	for i := 0; i < 64; i += 8 {
		d := s[i : i+8]
		acc |= hexValue[d[0]] | hexValue[d[1]] | hexValue[d[2]] | hexValue[d[3]] |
			hexValue[d[4]] | hexValue[d[5]] | hexValue[d[6]] | hexValue[d[7]]
	}
	return acc&0xf0 == 0
}

// verifyHeaderV4 verifies a SigV4 or SigV4A Authorization header; pairs
// holds the split query.
func (v *Verifier) verifyHeaderV4(ctx context.Context, pairs []queryPair, r *http.Request, auth, host string) (*Verified, error) {
	a, perr := parseAuthorization(auth)
	if perr != nil {
		return nil, perr
	}
	sc, ok := parseCredential(a.credential, a.algorithm)
	if !ok {
		if i := strings.IndexByte(a.credential, '/'); i <= 0 {
			return nil, headerMalformed("a non-empty Access Key (AKID) must be provided in the credential.")
		}
		return nil, headerMalformed("the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
	}
	if msg, fields := v.checkScope(sc, a.algorithm); msg != "" {
		return nil, headerMalformed(msg, fields...)
	}
	regionSet := ""
	if a.algorithm == AlgorithmV4A {
		regionSet = firstHeader(r.Header, "X-Amz-Region-Set")
		if regionSet == "" {
			return nil, headerMalformed("the X-Amz-Region-Set header is required for " + AlgorithmV4A + ".")
		}
		if v.region != "" && !regionSetMatches(regionSet, v.region) {
			return nil, headerMalformed("the region set '"+regionSet+"' does not include '"+v.region+"'",
				Field{"Region", v.region})
		}
	}

	// One pass over the headers finds the values of the signed ones and
	// of those read here, and the x-amz-* headers not signed.
	vd, names := newVerified(countSignedHeaders(a.signedHeaders))
	names = splitSignedHeaders(names, a.signedHeaders)
	var hs headerScan
	hs.scan(r.Header, names)

	// Request date: X-Amz-Date, else Date.
	now := v.now()
	rawDate := hs.amzDate
	var t time.Time
	amzDate := rawDate
	if rawDate != "" {
		t, ok = parseAmzDate(rawDate)
	} else if d := firstHeader(r.Header, "Date"); d != "" {
		rawDate = d
		t, ok = parseHTTPDate(d)
		amzDate = t.UTC().Format(amzDateFormat)
	}
	if !ok || rawDate == "" {
		return nil, accessDenied("AWS authentication requires a valid Date or x-amz-date header")
	}
	if amzDate[:8] != sc.date {
		return nil, headerMalformed("Invalid credential date. Date is not the same as X-Amz-Date.")
	}
	if d := now.Sub(t); d > v.maxSkew || d < -v.maxSkew {
		return nil, errSkewed(rawDate, now, v.maxSkew)
	}

	payload := hs.contentSHA
	if payload == "" {
		if isS3Service(sc.service) {
			return nil, newErr(CodeInvalidRequest, http.StatusBadRequest,
				"Missing required header for this request: x-amz-content-sha256")
		}
		payload = EmptySHA256
	} else if !validPayloadHash(payload) {
		return nil, errInvalidContentSHA256(payload)
	}

	if !slices.Contains(names, "host") {
		return nil, errUnsignedHeaders("host")
	}
	if list := hs.unsignedList(); list != "" {
		return nil, errUnsignedHeaders(list)
	}

	key, err := v.lookupKey(ctx, sc.akid, hs.token, now)
	if err != nil {
		return nil, err
	}

	ws := getWS()
	defer putWS(ws)
	reencodePairs(pairs, &ws.scratch)
	ws.buildCanonicalRequest(viewOf(r), &hs, r.Method, host, names, pairs, "", pathOptions{}, payload)
	ws.buildStringToSignScope(a.algorithm, amzDate, &sc)
	if a.algorithm == AlgorithmV4A {
		if err := v.checkECDSA(ws, sc.akid, key.Secret, a.signature); err != nil {
			return nil, err
		}
	} else if !v.checkHMAC(ws, key.Secret, sc, a.signature) {
		return nil, errSignatureV4(sc.akid, string(ws.sts), a.signature, string(ws.creq))
	}

	*vd = Verified{
		Key: key, AuthType: AuthHeader, Algorithm: a.algorithm, Service: sc.service, SignedAt: t,
		PayloadHash: payload, SignedHeaders: names, DecodedLength: r.ContentLength,
	}
	if a.algorithm == AlgorithmV4 {
		vd.Region = sc.region
	}
	if err := v.attachBody(ws, vd, r, key, sc, a.algorithm, amzDate, a.signature, regionSet); err != nil {
		return nil, err
	}
	return vd, nil
}

func validPayloadHash(p string) bool {
	switch p {
	case UnsignedPayload, StreamingPayload, StreamingPayloadTrailer, StreamingUnsignedPayloadTrailer,
		StreamingECDSAPayload, StreamingECDSAPayloadTrailer:
		return true
	}
	return isHex64(p)
}

// checkHMAC compares the provided hex signature with HMAC(signingKey, sts).
func (v *Verifier) checkHMAC(ws *workspace, secret string, sc scopeV4, provided string) bool {
	key := v.cache.signingKey(ws, sc.akid, secret, sc.date, sc.region, sc.service)
	ws.hmac(&key, ws.sts, &ws.mac)
	var got [32]byte
	if !decodeHex32(provided, &got) {
		return false
	}
	return hmac.Equal(ws.mac[:], got[:])
}

func (v *Verifier) checkECDSA(ws *workspace, akid, secret, provided string) error {
	priv, err := v.cache.ecdsaKey(akid, secret)
	if err != nil {
		return err
	}
	if verifyECDSA(&priv.PublicKey, ws.sts, provided) {
		return nil
	}
	return errSignatureV4(akid, string(ws.sts), provided, string(ws.creq))
}

func verifyECDSA(pub *ecdsa.PublicKey, sts []byte, provided string) bool {
	sig, err := hex.DecodeString(strings.TrimRight(provided, "*"))
	if err != nil {
		return false
	}
	digest := sha256.Sum256(sts)
	return ecdsa.VerifyASN1(pub, digest[:], sig)
}

// attachBody sets vd.Body (and DecodedLength) for the payload hash.
func (v *Verifier) attachBody(ws *workspace, vd *Verified, r *http.Request, key Key, sc scopeV4,
	alg, amzDate, seed, regionSet string) error {
	body := r.Body
	if body == nil {
		body = http.NoBody
	}
	vd.Body = body
	p := vd.PayloadHash
	switch {
	case p == UnsignedPayload:
	case isHex64(p):
		// The exact comparison first: EqualFold is slow on 64 bytes, and
		// clients send lower-case hex.
		if r.ContentLength == 0 && (p == EmptySHA256 || strings.EqualFold(p, EmptySHA256)) {
			break
		}
		var want [32]byte
		decodeHex32(p, &want)
		vd.Body = &sha256Reader{r: body, h: sha256.New(), want: want, declared: p}
	default: // STREAMING-*
		dl := firstHeader(r.Header, "X-Amz-Decoded-Content-Length")
		n, err := strconv.ParseInt(dl, 10, 64)
		if dl == "" || err != nil || n < 0 {
			return newErr(CodeMissingContentLength, http.StatusLengthRequired,
				"You must provide the Content-Length HTTP header.")
		}
		vd.DecodedLength = n
		cfg := chunkConfig{
			payload:       p,
			decodedLength: n,
			amzDate:       amzDate,
			scope:         string(sc.appendScope(nil)),
			seed:          seed,
			trailer:       firstHeader(r.Header, "X-Amz-Trailer"),
		}
		if p == StreamingPayload || p == StreamingPayloadTrailer {
			if alg != AlgorithmV4 {
				return errInvalidContentSHA256(p)
			}
			cfg.hmacKey = v.cache.signingKey(ws, sc.akid, key.Secret, sc.date, sc.region, sc.service).raw
		} else if p == StreamingECDSAPayload || p == StreamingECDSAPayloadTrailer {
			if alg != AlgorithmV4A {
				return errInvalidContentSHA256(p)
			}
			priv, err := v.cache.ecdsaKey(sc.akid, key.Secret)
			if err != nil {
				return err
			}
			cfg.ecdsaKey = &priv.PublicKey
		}
		dec, err := newChunkedReader(body, cfg)
		if err != nil {
			return err
		}
		vd.Body = dec
		vd.Trailers = dec.trailers
	}
	return nil
}

// sha256Reader checks the SHA-256 of what it reads against the declared
// x-amz-content-sha256 when the body ends.
type sha256Reader struct {
	r io.Reader
	h interface {
		Write([]byte) (int, error)
		Sum([]byte) []byte
	}
	want     [32]byte
	declared string
	err      error
}

func (s *sha256Reader) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.r.Read(p)
	s.h.Write(p[:n])
	if err == io.EOF {
		var got [32]byte
		s.h.Sum(got[:0])
		if subtle.ConstantTimeCompare(got[:], s.want[:]) != 1 {
			s.err = newErr(CodeXAmzContentSHA256Mismatch, http.StatusBadRequest,
				"The provided 'x-amz-content-sha256' header does not match what was computed.",
				Field{"ClientComputedContentSHA256", s.declared},
				Field{"S3ComputedContentSHA256", hex.EncodeToString(got[:])})
			return n, s.err
		}
	}
	if err != nil {
		s.err = err
	}
	return n, err
}

// decodeHex32 decodes 64 hex digits (either case) into out.
func decodeHex32(s string, out *[32]byte) bool {
	if len(s) != 64 {
		return false
	}
	var acc byte // as in isHex64: any invalid digit leaves 0xf0 bits set
	for i := range out {
		h, l := hexValue[s[2*i]], hexValue[s[2*i+1]]
		acc |= h | l
		out[i] = h<<4 | l&0x0f
	}
	return acc&0xf0 == 0
}

// verifyQueryV4 verifies a SigV4 or SigV4A presigned URL; pairs holds the
// split query.
func (v *Verifier) verifyQueryV4(ctx context.Context, pairs []queryPair, r *http.Request, host string) (*Verified, error) {
	ws := getWS()
	defer putWS(ws)
	reencodePairs(pairs, &ws.scratch)
	var alg, cred, date, expires, signed, sig, token, regionSet, contentSHA string
	var seen int
	for i := range pairs {
		p := &pairs[i]
		switch p.rawKey {
		case "X-Amz-Algorithm":
			alg, seen = queryUnescape(p.rawValue), seen|1
		case "X-Amz-Credential":
			cred, seen = p.rawValue, seen|2 // still escaped: see parseQueryCredential
		case "X-Amz-Date":
			date, seen = queryUnescape(p.rawValue), seen|4
		case "X-Amz-Expires":
			expires, seen = queryUnescape(p.rawValue), seen|8
		case "X-Amz-SignedHeaders":
			signed, seen = queryUnescape(p.rawValue), seen|16
		case "X-Amz-Signature":
			sig, seen = queryUnescape(p.rawValue), seen|32
		case "X-Amz-Security-Token":
			token = queryUnescape(p.rawValue)
		case "X-Amz-Region-Set":
			regionSet = queryUnescape(p.rawValue)
		case "X-Amz-Content-Sha256":
			contentSHA = queryUnescape(p.rawValue)
		}
	}
	if seen != 63 {
		return nil, queryParamsError("Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
	}
	if alg != AlgorithmV4 && alg != AlgorithmV4A {
		return nil, queryParamsError("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256\"")
	}
	t, ok := parseAmzDate(date)
	if !ok {
		return nil, queryParamsError("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	exp, err := strconv.ParseInt(expires, 10, 64)
	switch {
	case err != nil && !errors.Is(err, strconv.ErrRange):
		return nil, queryParamsError("X-Amz-Expires should be a number")
	case exp < 0 || err != nil && strings.HasPrefix(expires, "-"):
		return nil, queryParamsError("X-Amz-Expires must be non-negative")
	case exp > MaxPresignExpires || err != nil:
		return nil, queryParamsError("X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds")
	case exp == 0:
		return nil, queryParamsError("X-Amz-Expires must be greater than 0")
	}
	sc, ok := parseQueryCredential(cred, alg)
	if !ok {
		return nil, queryParamsError("Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
	}
	if msg, fields := v.checkScope(sc, alg); msg != "" {
		return nil, queryParamsError("Error parsing the X-Amz-Credential parameter; "+msg, fields...)
	}
	if sc.date != date[:8] {
		return nil, queryParamsError("Invalid credential date \"" + sc.date + "\". This date is not the same as X-Amz-Date: \"" + date[:8] + "\".")
	}
	if alg == AlgorithmV4A {
		if regionSet == "" {
			return nil, queryParamsError("Query-string authentication version 4A requires the X-Amz-Region-Set parameter.")
		}
		if v.region != "" && !regionSetMatches(regionSet, v.region) {
			return nil, accessDenied("The region set '"+regionSet+"' does not include '"+v.region+"'",
				Field{"Region", v.region})
		}
	}

	now := v.now()
	expiresAt := t.Add(time.Duration(exp) * time.Second)
	if t.Sub(now) > v.maxSkew {
		return nil, accessDenied("Request is not yet valid",
			Field{"X-Amz-Date", strconv.FormatInt(t.UnixMilli(), 10)},
			Field{"Expires", rfc3339(expiresAt)},
			Field{"ServerTime", rfc3339(now)})
	}
	if now.After(expiresAt) {
		return nil, accessDenied("Request has expired",
			Field{"X-Amz-Expires", expires},
			Field{"Expires", rfc3339(expiresAt)},
			Field{"ServerTime", rfc3339(now)})
	}

	payload := UnsignedPayload
	if contentSHA != "" {
		if !validPayloadHash(contentSHA) {
			return nil, errInvalidContentSHA256(contentSHA)
		}
		payload = contentSHA
	}

	vd, names := newVerified(countSignedHeaders(signed))
	names = splitSignedHeaders(names, signed)
	if !slices.Contains(names, "host") {
		return nil, errUnsignedHeaders("host")
	}
	var hs headerScan
	hs.scan(r.Header, names)
	if list := hs.unsignedList(); list != "" {
		return nil, errUnsignedHeaders(list)
	}

	key, err := v.lookupKey(ctx, sc.akid, token, now)
	if err != nil {
		return nil, err
	}

	rv := viewOf(r)
	ws.buildCanonicalRequest(rv, &hs, r.Method, host, names, pairs, "X-Amz-Signature", pathOptions{}, payload)
	ws.buildStringToSignScope(alg, date, &sc)
	var sigErr error
	switch {
	case alg == AlgorithmV4A && singleEncodingAmbiguous(rv):
		// The single encoding of this path is the double encoding of
		// another one ("a%2520b" is key "a%20b" once, key "a b" twice), so
		// a SigV4A signature over it could name either key; only the
		// double-encoded reading below, which names this path alone, counts.
		sigErr = errSignatureV4(sc.akid, string(ws.sts), sig, string(ws.creq))
	case alg == AlgorithmV4A:
		sigErr = v.checkECDSA(ws, sc.akid, key.Secret, sig)
	case !v.checkHMAC(ws, key.Secret, sc, sig):
		sigErr = errSignatureV4(sc.akid, string(ws.sts), sig, string(ws.creq))
	}
	if sigErr != nil && alg == AlgorithmV4A && pathNeedsEscaping(rv.path, rv.rawPath) {
		// aws-sdk-go-v2's SigV4A presigner signs a double-encoded path; see
		// the package documentation. SigV4 (HMAC) never does, so it gets
		// no second reading.
		ws.buildCanonicalRequest(rv, &hs, r.Method, host, names, pairs, "X-Amz-Signature", pathOptions{double: true}, payload)
		ws.buildStringToSignScope(alg, date, &sc)
		if v.checkECDSA(ws, sc.akid, key.Secret, sig) == nil {
			sigErr = nil
		}
	}
	if sigErr != nil {
		return nil, sigErr
	}

	*vd = Verified{
		Key: key, AuthType: AuthQuery, Algorithm: alg, Service: sc.service, SignedAt: t,
		Expires: expiresAt, PayloadHash: payload, SignedHeaders: names, DecodedLength: r.ContentLength,
	}
	if alg == AlgorithmV4 {
		vd.Region = sc.region
	}
	if err := v.attachBody(ws, vd, r, key, sc, alg, date, sig, regionSet); err != nil {
		return nil, err
	}
	return vd, nil
}

// singleEncodingAmbiguous reports whether the decoded request path holds a
// '%' followed by two hex digits. Its single encoding ("%25" + hex) is then
// also the double encoding of the path with that escape decoded, so a
// signature over it does not name one object key.
func singleEncodingAmbiguous(rv reqView) bool {
	p := rv.path
	if rv.rawPath != "" {
		p = pathUnescape(rv.rawPath)
	}
	for i := strings.IndexByte(p, '%'); i >= 0 && i+2 < len(p); {
		if isHex(p[i+1]) && isHex(p[i+2]) {
			return true
		}
		j := strings.IndexByte(p[i+1:], '%')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// pathNeedsEscaping reports whether the canonical URI contains a '%' (so
// double encoding gives a different canonical request).
func pathNeedsEscaping(path, rawPath string) bool {
	p := path
	if rawPath != "" {
		p = rawPath
	}
	for i := 0; i < len(p); i++ {
		if !isUnreserved(p[i]) && p[i] != '/' {
			return true
		}
	}
	return false
}
