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

// verifiedBox allocates a Verified and its signed-header list together.
type verifiedBox struct {
	v     Verified
	names [12]string
	// cred holds a decoded X-Amz-Credential ("/" arrives as %2F), which
	// Verified.Region and Service point into: one allocation, not two.
	cred [128]byte
}

// unescapeCredential is queryUnescape into b.cred when it fits.
func (b *verifiedBox) unescapeCredential(s string) string {
	if len(s) > len(b.cred) || strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return queryUnescape(s)
	}
	d := appendQueryUnescape(b.cred[:0], s)
	return unsafeString(d)
}

// Verify authenticates r. A request without any authentication gives an
// anonymous Verified; a request with bad authentication gives an *Error.
// The returned Verified.Body must be read instead of r.Body.
func (v *Verifier) Verify(ctx context.Context, r *http.Request, opt VerifyOptions) (*Verified, error) {
	host := opt.Host
	if host == "" {
		host = r.Host
	}
	auth := ""
	if a := r.Header["Authorization"]; len(a) > 0 {
		auth = a[0]
	}
	if len(r.Header["Authorization"]) > 1 {
		// A proxy in front may read another copy than we do; refuse
		// rather than guess which one the client meant.
		return nil, newErr(CodeInvalidArgument, http.StatusBadRequest,
			"Only one auth mechanism allowed; the Authorization header must appear once.",
			Field{"ArgumentName", "Authorization"})
	}
	qv4 := queryHasV4(r.URL.RawQuery)
	qv2 := !qv4 && queryHasV2(r.URL.RawQuery)
	if name := repeatedAuthParam(r.URL.RawQuery); name != "" {
		return nil, newErr(CodeAuthorizationQueryParametersError, http.StatusBadRequest,
			"Query-string authentication parameters must appear once: "+name+" is repeated.")
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
		return v.verifyHeaderV4(ctx, r, auth, host)
	case qv4:
		return v.verifyQueryV4(ctx, r, host)
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

// repeatedAuthParam returns the first authentication parameter that occurs
// more than once in the raw query, or "".
func repeatedAuthParam(raw string) string {
	if !strings.Contains(raw, "X-Amz-") && !strings.Contains(raw, "Signature") {
		return ""
	}
	seen := 0
	for raw != "" {
		var part string
		if i := strings.IndexByte(raw, '&'); i >= 0 {
			part, raw = raw[:i], raw[i+1:]
		} else {
			part, raw = raw, ""
		}
		k, _, _ := strings.Cut(part, "=")
		if strings.ContainsAny(k, "%+") {
			k, _ = url.QueryUnescape(k)
		}
		for i, name := range authParams {
			if k == name {
				if seen&(1<<i) != 0 {
					return name
				}
				seen |= 1 << i
			}
		}
	}
	return ""
}

func queryHasKey(raw, key string) bool {
	for raw != "" {
		var part string
		if i := strings.IndexByte(raw, '&'); i >= 0 {
			part, raw = raw[:i], raw[i+1:]
		} else {
			part, raw = raw, ""
		}
		k, _, _ := strings.Cut(part, "=")
		if k == key {
			return true
		}
	}
	return false
}

func queryHasV4(raw string) bool {
	if !strings.Contains(raw, "X-Amz-") {
		return false
	}
	return queryHasKey(raw, "X-Amz-Algorithm") || queryHasKey(raw, "X-Amz-Signature") ||
		queryHasKey(raw, "X-Amz-Credential")
}

func queryHasV2(raw string) bool {
	return strings.Contains(raw, "Signature=") &&
		(queryHasKey(raw, "Signature") || queryHasKey(raw, "AWSAccessKeyId"))
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

// credentialScope is a parsed Credential value.
type scopeV4 struct {
	akid, date, region, service, terminal string
	scope                                 string // everything after "akid/"
}

// parseCredential splits AKID/date/region/service/aws4_request (SigV4) or
// AKID/date/service/aws4_request (SigV4A). The access key is what precedes
// the last 4 (3) components.
func parseCredential(cred, alg string) (scopeV4, bool) {
	var s scopeV4
	parts := 4
	if alg == AlgorithmV4A {
		parts = 3
	}
	end := len(cred)
	var comps [4]string
	for i := parts - 1; i >= 0; i-- {
		j := strings.LastIndexByte(cred[:end], '/')
		if j < 0 {
			return s, false
		}
		comps[i] = cred[j+1 : end]
		end = j
	}
	s.akid = cred[:end]
	s.scope = cred[end+1:]
	s.date = comps[0]
	if alg == AlgorithmV4A {
		s.service, s.terminal = comps[1], comps[2]
	} else {
		s.region, s.service, s.terminal = comps[1], comps[2], comps[3]
	}
	if s.akid == "" || s.date == "" || s.service == "" || (alg == AlgorithmV4 && s.region == "") {
		return s, false
	}
	return s, true
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

// unsignedAmzHeaders lists x-amz-* headers present but not signed
// (x-amz-content-sha256 excepted), or "" when all are signed.
func unsignedAmzHeaders(h http.Header, signed []string) string {
	var missing []string
	for k := range h {
		if len(k) < 6 || !strings.EqualFold(k[:6], "x-amz-") || strings.EqualFold(k, "x-amz-content-sha256") {
			continue
		}
		found := false
		for _, s := range signed {
			if strings.EqualFold(s, k) {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, strings.ToLower(k))
		}
	}
	if len(missing) == 0 {
		return ""
	}
	slices.Sort(missing)
	return strings.Join(missing, ",")
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
	for i := 0; i < len(s); i++ {
		if _, ok := unhex(s[i]); !ok {
			return false
		}
	}
	return true
}

func (v *Verifier) verifyHeaderV4(ctx context.Context, r *http.Request, auth, host string) (*Verified, error) {
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

	// Request date: X-Amz-Date, else Date.
	now := v.now()
	rawDate := firstHeader(r.Header, "X-Amz-Date")
	var t time.Time
	amzDate := rawDate
	if rawDate != "" {
		t, ok = parseAmzDate(rawDate)
	} else if d := firstHeader(r.Header, "Date"); d != "" {
		rawDate = d
		var err error
		t, err = http.ParseTime(d)
		ok = err == nil
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

	payload := firstHeader(r.Header, "X-Amz-Content-Sha256")
	if payload == "" {
		if isS3Service(sc.service) {
			return nil, newErr(CodeInvalidRequest, http.StatusBadRequest,
				"Missing required header for this request: x-amz-content-sha256")
		}
		payload = EmptySHA256
	} else if !validPayloadHash(payload) {
		return nil, errInvalidContentSHA256(payload)
	}

	box := &verifiedBox{}
	names := splitSignedHeaders(box.names[:0], a.signedHeaders)
	if !slices.Contains(names, "host") {
		return nil, errUnsignedHeaders("host")
	}
	if list := unsignedAmzHeaders(r.Header, names); list != "" {
		return nil, errUnsignedHeaders(list)
	}

	token := firstHeader(r.Header, "X-Amz-Security-Token")
	key, err := v.lookupKey(ctx, sc.akid, token, now)
	if err != nil {
		return nil, err
	}

	ws := getWS()
	defer putWS(ws)
	ws.pairs = parseQueryPairs(ws.pairs[:0], r.URL.RawQuery, &ws.scratch)
	ws.buildCanonicalRequest(viewOf(r), r.Method, host, names, ws.pairs, "", pathOptions{}, payload)
	ws.buildStringToSign(a.algorithm, amzDate, sc.scope)
	if a.algorithm == AlgorithmV4A {
		if err := v.checkECDSA(ws, sc.akid, key.Secret, a.signature); err != nil {
			return nil, err
		}
	} else if !v.checkHMAC(ws, key.Secret, sc, a.signature) {
		return nil, errSignatureV4(sc.akid, string(ws.sts), a.signature, string(ws.creq))
	}

	vd := &box.v
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
		if r.ContentLength == 0 && strings.EqualFold(p, EmptySHA256) {
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
			scope:         sc.scope,
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
	for i := range out {
		h, ok1 := unhex(s[2*i])
		l, ok2 := unhex(s[2*i+1])
		if !ok1 || !ok2 {
			return false
		}
		out[i] = h<<4 | l
	}
	return true
}

func (v *Verifier) verifyQueryV4(ctx context.Context, r *http.Request, host string) (*Verified, error) {
	ws := getWS()
	defer putWS(ws)
	ws.pairs = parseQueryPairs(ws.pairs[:0], r.URL.RawQuery, &ws.scratch)
	box := &verifiedBox{}
	var alg, cred, date, expires, signed, sig, token, regionSet, contentSHA string
	var seen int
	for i := range ws.pairs {
		p := &ws.pairs[i]
		switch p.rawKey {
		case "X-Amz-Algorithm":
			alg, seen = queryUnescape(p.rawValue), seen|1
		case "X-Amz-Credential":
			cred, seen = box.unescapeCredential(p.rawValue), seen|2
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
	sc, ok := parseCredential(cred, alg)
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

	names := splitSignedHeaders(box.names[:0], signed)
	if !slices.Contains(names, "host") {
		return nil, errUnsignedHeaders("host")
	}
	if list := unsignedAmzHeaders(r.Header, names); list != "" {
		return nil, errUnsignedHeaders(list)
	}

	key, err := v.lookupKey(ctx, sc.akid, token, now)
	if err != nil {
		return nil, err
	}

	rv := viewOf(r)
	ws.buildCanonicalRequest(rv, r.Method, host, names, ws.pairs, "X-Amz-Signature", pathOptions{}, payload)
	ws.buildStringToSign(alg, date, sc.scope)
	var sigErr error
	if alg == AlgorithmV4A {
		sigErr = v.checkECDSA(ws, sc.akid, key.Secret, sig)
	} else if !v.checkHMAC(ws, key.Secret, sc, sig) {
		sigErr = errSignatureV4(sc.akid, string(ws.sts), sig, string(ws.creq))
	}
	if sigErr != nil && pathNeedsEscaping(rv.path, rv.rawPath) {
		// aws-sdk-go-v2's SigV4A presigner signs a double-encoded path; see
		// the package documentation.
		ws.buildCanonicalRequest(rv, r.Method, host, names, ws.pairs, "X-Amz-Signature", pathOptions{double: true}, payload)
		ws.buildStringToSign(alg, date, sc.scope)
		if alg == AlgorithmV4A {
			if v.checkECDSA(ws, sc.akid, key.Secret, sig) == nil {
				sigErr = nil
			}
		} else if v.checkHMAC(ws, key.Secret, sc, sig) {
			sigErr = nil
		}
	}
	if sigErr != nil {
		return nil, sigErr
	}

	vd := &box.v
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
