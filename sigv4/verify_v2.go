package sigv4

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// v2Resources returns the candidate CanonicalizedResource paths: the
// caller's, each also in AWS-canonical encoding, else the path as sent.
func v2Resources(r *http.Request, opt VerifyOptions) []string {
	cands := opt.V2Resources
	if len(cands) == 0 {
		p := r.URL.EscapedPath()
		if ru := r.RequestURI; strings.HasPrefix(ru, "/") {
			p, _, _ = strings.Cut(ru, "?")
		}
		cands = []string{p}
	}
	out := make([]string, 0, 2*len(cands))
	for _, c := range cands {
		out = append(out, c)
		if cc := CanonicalURI(c); cc != c {
			out = append(out, cc)
		}
	}
	return out
}

// checkV2 tries each resource; on failure it returns the error for the
// first candidate.
func checkV2(method, md5, ctype, date string, h http.Header, q []queryPair, rawQuery string,
	resources []string, akid, secret, provided string) error {
	var first string
	for i, res := range resources {
		sts := v2StringToSign(method, md5, ctype, date, h, q, res, rawQuery)
		if i == 0 {
			first = sts
		}
		want := v2Sign(secret, sts)
		if subtle.ConstantTimeCompare([]byte(want), []byte(provided)) == 1 {
			return nil
		}
	}
	return errSignatureV2(akid, first, provided)
}

func (v *Verifier) verifyHeaderV2(ctx context.Context, r *http.Request, auth string, opt VerifyOptions) (*Verified, error) {
	cred := strings.TrimPrefix(auth, AlgorithmV2+" ")
	i := strings.LastIndexByte(cred, ':')
	if i <= 0 || i == len(cred)-1 {
		return nil, newErr(CodeInvalidArgument, http.StatusBadRequest, "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature",
			Field{"ArgumentName", "Authorization"}, Field{"ArgumentValue", auth})
	}
	akid, sig := strings.TrimSpace(cred[:i]), strings.TrimSpace(cred[i+1:])

	now := v.now()
	date := firstHeader(r.Header, "Date")
	raw := date
	var t time.Time
	var ok bool
	if xd := firstHeader(r.Header, "X-Amz-Date"); xd != "" {
		// The S3 doc: with x-amz-date, the Date line of StringToSign is empty.
		raw, date = xd, ""
		t, ok = parseHTTPDate(xd)
	} else if date != "" {
		t, ok = parseHTTPDate(date)
	}
	if raw == "" || !ok {
		return nil, accessDenied("AWS authentication requires a valid Date or x-amz-date header")
	}
	if d := now.Sub(t); d > v.maxSkew || d < -v.maxSkew {
		return nil, errSkewed(raw, now, v.maxSkew)
	}
	token := firstHeader(r.Header, "X-Amz-Security-Token")
	key, kerr := v.lookupKey(ctx, akid, token, now)
	if kerr != nil {
		return nil, kerr
	}
	if err := checkV2(r.Method, firstHeader(r.Header, "Content-Md5"), firstHeader(r.Header, "Content-Type"),
		date, r.Header, nil, r.URL.RawQuery, v2Resources(r, opt), akid, key.Secret, sig); err != nil {
		return nil, err
	}
	body := r.Body
	if body == nil {
		body = http.NoBody
	}
	return &Verified{Key: key, AuthType: AuthHeader, Algorithm: AlgorithmV2, SignedAt: t,
		PayloadHash: UnsignedPayload, Body: body, DecodedLength: r.ContentLength}, nil
}

func (v *Verifier) verifyQueryV2(ctx context.Context, r *http.Request, opt VerifyOptions) (*Verified, error) {
	ps := parseQueryPairs(nil, r.URL.RawQuery, "", new([]byte))
	var akid, sig, expires, token, qmd5, qctype string
	seen := 0
	for _, p := range ps {
		switch p.rawKey {
		case "AWSAccessKeyId":
			akid, seen = queryUnescape(p.rawValue), seen|1
		case "Signature":
			sig, seen = queryUnescape(p.rawValue), seen|2
		case "Expires":
			expires, seen = queryUnescape(p.rawValue), seen|4
		case "x-amz-security-token", "X-Amz-Security-Token":
			token = queryUnescape(p.rawValue)
		case "content-md5", "Content-MD5":
			qmd5 = queryUnescape(p.rawValue)
		case "content-type", "Content-Type":
			qctype = queryUnescape(p.rawValue)
		}
	}
	if seen != 7 {
		// AWS's answer, word for word: 403 AccessDenied (SigV4 query
		// auth answers 400 AuthorizationQueryParametersError instead).
		return nil, accessDenied("Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters")
	}
	exp, err := strconv.ParseInt(expires, 10, 64)
	if err != nil || exp < 0 {
		return nil, accessDenied("Invalid date (should be seconds since epoch): " + expires)
	}
	now := v.now()
	// A SigV2 link carries no signing time, only its end, so its lifetime
	// is bounded from the moment of use: it may not end more than
	// MaxPresignExpires after now, as a SigV4 link may not last longer.
	// (Compared in whole seconds, before time.Unix could overflow.)
	if exp > now.Unix()+MaxPresignExpires {
		return nil, queryParamsError("Expires must be less than a week (in seconds) after the time of the request; that is, "+
			"a Signature Version 2 link may not expire more than 604800 seconds from now",
			Field{"Expires", expires}, Field{"ServerTime", rfc3339(now)})
	}
	expiresAt := time.Unix(exp, 0).UTC()
	if now.After(expiresAt) {
		return nil, accessDenied("Request has expired",
			Field{"Expires", rfc3339(expiresAt)}, Field{"ServerTime", rfc3339(now)})
	}
	if token == "" {
		token = firstHeader(r.Header, "X-Amz-Security-Token")
	}
	key, kerr := v.lookupKey(ctx, akid, token, now)
	if kerr != nil {
		return nil, kerr
	}
	md5 := firstHeader(r.Header, "Content-Md5")
	if md5 == "" {
		md5 = qmd5
	}
	ctype := firstHeader(r.Header, "Content-Type")
	if ctype == "" {
		ctype = qctype
	}
	if err := checkV2(r.Method, md5, ctype, expires, r.Header, ps, r.URL.RawQuery,
		v2Resources(r, opt), akid, key.Secret, sig); err != nil {
		return nil, err
	}
	body := r.Body
	if body == nil {
		body = http.NoBody
	}
	return &Verified{Key: key, AuthType: AuthQuery, Algorithm: AlgorithmV2, Expires: expiresAt,
		PayloadHash: UnsignedPayload, Body: body, DecodedLength: r.ContentLength}, nil
}
