package sigv4

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unsafe"
)

// This file holds canonicalisation: URI encoding, canonical URI, canonical
// query string and canonical headers, as described in
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
// with the S3 rules (no path normalisation, single encoding).

const upperHex = "0123456789ABCDEF"
const lowerHex = "0123456789abcdef"

// isUnreserved reports whether c is in AWS's unreserved set A-Za-z0-9-._~.
func isUnreserved(c byte) bool { return unreserved[c] }

// unreserved is isUnreserved as a table: one load instead of up to seven
// comparisons, on every byte of every query parameter Verify checks.
var unreserved = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~'
	}
	return t
}()

// appendURIEncode appends s encoded by AWS's UriEncode: unreserved bytes
// literal, everything else %XX in upper-case hex; '/' literal when keepSlash.
func appendURIEncode(dst []byte, s string, keepSlash bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) || (c == '/' && keepSlash) {
			dst = append(dst, c)
			continue
		}
		dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
	}
	return dst
}

// URIEncode returns s encoded by AWS's UriEncode rules: A-Za-z0-9-._~ kept,
// every other byte as %XX with upper-case hex, '/' kept when keepSlash.
func URIEncode(s string, keepSlash bool) string {
	if isCanonicalEncoded(s, keepSlash) && !strings.Contains(s, "%") {
		return s
	}
	return string(appendURIEncode(nil, s, keepSlash))
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// isCanonicalEncoded reports whether s is already in AWS-encoded form, so
// that encode(decode(s)) == s: unreserved bytes (and '/' if keepSlash) and
// %XX escapes in upper-case hex of bytes that must be escaped.
func isCanonicalEncoded(s string, keepSlash bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) || (c == '/' && keepSlash) {
			continue
		}
		if c != '%' || i+2 >= len(s) {
			return false
		}
		h, l := s[i+1], s[i+2]
		if !(('0' <= h && h <= '9') || ('A' <= h && h <= 'F')) || !(('0' <= l && l <= '9') || ('A' <= l && l <= 'F')) {
			return false
		}
		hv, _ := unhex(h)
		lv, _ := unhex(l)
		b := hv<<4 | lv
		if isUnreserved(b) || (b == '/' && keepSlash) {
			return false
		}
		i += 2
	}
	return true
}

// appendDecodeReencode appends encode(decode(s)). In query strings ('+' is
// a space there, as in HTML forms and Go's url.ParseQuery) plus is decoded
// when plusSpace. Invalid escapes are kept as literal '%' (then encoded).
func appendDecodeReencode(dst []byte, s string, keepSlash, plusSpace bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) {
			h, ok1 := unhex(s[i+1])
			l, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				c = h<<4 | l
				i += 2
				if isUnreserved(c) {
					dst = append(dst, c)
				} else {
					dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
				}
				continue
			}
		} else if c == '+' && plusSpace {
			dst = append(dst, "%20"...)
			continue
		}
		if isUnreserved(c) || (c == '/' && keepSlash) {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return dst
}

// queryUnescape decodes a query component ('+' is a space). It returns s
// itself when nothing needs decoding, so it allocates only when it must.
func queryUnescape(s string) string {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s
	}
	return unsafeString(appendQueryUnescape(make([]byte, 0, len(s)), s))
}

// appendQueryUnescape appends s query-decoded ('+' is a space) to b.
func appendQueryUnescape(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '+' {
			b = append(b, ' ')
			continue
		}
		if c == '%' && i+2 < len(s) {
			h, ok1 := unhex(s[i+1])
			l, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				b = append(b, h<<4|l)
				i += 2
				continue
			}
		}
		b = append(b, c)
	}
	return b
}

// pathUnescape decodes %XX escapes only ('+' is literal in paths).
func pathUnescape(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) {
			h, ok1 := unhex(s[i+1])
			l, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				b = append(b, h<<4|l)
				i += 2
				continue
			}
		}
		b = append(b, c)
	}
	return string(b)
}

// pathOptions select generic (non-S3) canonical URI rules.
type pathOptions struct {
	normalize bool // remove dot segments and duplicate slashes
	double    bool // encode the encoded path again ('%' becomes %25)
}

// appendCanonicalURI appends the canonical URI of a request path. rawPath is
// the path as sent (URL.RawPath) when it differs from the default encoding of
// path, else "". S3 rules: each segment of the path as sent is decoded and
// re-encoded once, so "%2F" inside a segment stays "%2F"; "/" is kept; no
// normalisation.
func appendCanonicalURI(dst []byte, path, rawPath string, o pathOptions) []byte {
	if o.normalize {
		p := path
		if rawPath != "" {
			p = pathUnescape(rawPath)
		}
		path, rawPath = normalizePath(p), ""
	}
	if path == "" && rawPath == "" {
		return append(dst, '/')
	}
	start := len(dst)
	if rawPath == "" {
		if path[0] != '/' {
			dst = append(dst, '/')
		}
		dst = appendURIEncode(dst, path, true)
	} else {
		if rawPath[0] != '/' {
			dst = append(dst, '/')
		}
		dst = appendDecodeReencode(dst, rawPath, true, false)
	}
	if o.double {
		// Encode the already-encoded path once more, keeping '/'.
		enc := string(dst[start:])
		dst = appendURIEncode(dst[:start], enc, true)
	}
	return dst
}

// CanonicalURI returns the canonical URI of an escaped request path (as sent
// on the wire) under the S3 rules: decoded and re-encoded once, '/' kept,
// never normalised.
func CanonicalURI(escapedPath string) string {
	return string(appendCanonicalURI(nil, "", escapedPath, pathOptions{}))
}

// normalizePath removes "." and ".." segments and duplicate slashes from a
// decoded path, keeping a trailing slash (generic SigV4, never S3).
func normalizePath(p string) string {
	if p == "" {
		return "/"
	}
	segs := strings.Split(p, "/")
	out := make([]string, 0, len(segs))
	for _, s := range segs {
		switch s {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
		}
	}
	res := "/" + strings.Join(out, "/")
	last := segs[len(segs)-1]
	if len(out) > 0 && (last == "" || last == "." || last == "..") {
		res += "/"
	}
	return res
}

// queryPair is one query parameter, raw as sent and canonically encoded.
type queryPair struct {
	rawKey, rawValue string // as sent, still escaped
	key, value       string // AWS-encoded (canonical)
}

// parseQueryPairs splits raw into pairs, appending to ps. The canonical
// encodings reuse the raw text when it already is canonical; otherwise the
// re-encoded bytes are appended to *scratch and referenced from there (the
// caller keeps scratch alive while the pairs are used).
func parseQueryPairs(ps []queryPair, raw string, scratch *[]byte) []queryPair {
	for raw != "" {
		var part string
		if i := strings.IndexByte(raw, '&'); i >= 0 {
			part, raw = raw[:i], raw[i+1:]
		} else {
			part, raw = raw, ""
		}
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		ps = append(ps, queryPair{rawKey: k, rawValue: v})
	}
	// Encode after splitting so scratch growth can't invalidate references:
	// canonical text is used as is, the rest is re-encoded into scratch,
	// whose capacity is reserved first.
	need := 0
	for i := range ps {
		p := &ps[i]
		p.key, p.value = p.rawKey, p.rawValue
		if !isCanonicalEncoded(p.rawKey, false) {
			p.key = ""
			need += 3 * len(p.rawKey)
		}
		if !isCanonicalEncoded(p.rawValue, false) {
			p.value = ""
			need += 3 * len(p.rawValue)
		}
	}
	if need > 0 {
		if cap(*scratch) < need {
			*scratch = make([]byte, 0, need)
		}
		buf := (*scratch)[:0]
		for i := range ps {
			p := &ps[i]
			if p.key == "" && p.rawKey != "" {
				p.key = reencodeInto(&buf, p.rawKey)
			}
			if p.value == "" && p.rawValue != "" {
				p.value = reencodeInto(&buf, p.rawValue)
			}
		}
		*scratch = buf
	}
	return ps
}

func reencodeInto(buf *[]byte, s string) string {
	start := len(*buf)
	*buf = appendDecodeReencode(*buf, s, false, true)
	b := (*buf)[start:]
	return unsafeString(b)
}

func comparePairs(a, b queryPair) int {
	if c := strings.Compare(a.key, b.key); c != 0 {
		return c
	}
	return strings.Compare(a.value, b.value)
}

// appendCanonicalQuery appends the sorted pairs, skipping skipKey (the
// signature parameter, compared on the raw key).
func appendCanonicalQuery(dst []byte, ps []queryPair, skipKey string) []byte {
	slices.SortFunc(ps, comparePairs)
	first := true
	for i := range ps {
		if skipKey != "" && ps[i].rawKey == skipKey {
			continue
		}
		if !first {
			dst = append(dst, '&')
		}
		first = false
		dst = append(dst, ps[i].key...)
		dst = append(dst, '=')
		dst = append(dst, ps[i].value...)
	}
	return dst
}

// appendTrimmedValue appends v with leading/trailing whitespace removed and
// runs of spaces collapsed to one (AWS "Trimall").
func appendTrimmedValue(dst []byte, v string) []byte {
	if cleanValue(v) {
		return append(dst, v...)
	}
	v = strings.Trim(v, " \t\r\n")
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			if !space {
				dst = append(dst, ' ')
			}
			space = true
			continue
		}
		space = false
		dst = append(dst, c)
	}
	return dst
}

// cleanValue reports whether v needs no trimming or collapsing: no
// leading or trailing space, no tab/CR/LF, no two spaces in a row.
func cleanValue(v string) bool {
	if v == "" {
		return true
	}
	if v[0] == ' ' || v[len(v)-1] == ' ' {
		return false
	}
	prev := byte(0)
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < ' ' || (c == ' ' && prev == ' ') {
			return false
		}
		prev = c
	}
	return true
}

// canonicalHeaderKey writes the net/http canonical form of a lower-case
// header name into buf and returns it.
func canonicalHeaderKey(buf []byte, lower string) []byte {
	buf = buf[:0]
	upper := true
	for i := 0; i < len(lower); i++ {
		c := lower[i]
		if upper && 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		} else if !upper && 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf = append(buf, c)
		upper = c == '-'
	}
	return buf
}

// headerValues returns the values of the lower-case header name, looking
// first at the canonical key then, for hand-built maps, case-insensitively.
func headerValues(h http.Header, lower string) []string {
	var kb [64]byte
	var key []byte
	if len(lower) <= len(kb) {
		key = canonicalHeaderKey(kb[:0], lower)
	} else {
		key = canonicalHeaderKey(nil, lower)
	}
	if v, ok := h[string(key)]; ok {
		return v
	}
	for k, v := range h {
		if strings.EqualFold(k, lower) {
			return v
		}
	}
	return nil
}

// reqView is what canonicalisation needs from a request; it is passed by
// value so that signing without an *http.Request allocates nothing.
type reqView struct {
	header           http.Header
	contentLength    int64
	transferEncoding []string
	path, rawPath    string
}

func viewOf(r *http.Request) reqView {
	return reqView{r.Header, r.ContentLength, r.TransferEncoding, r.URL.Path, r.URL.RawPath}
}

// appendCanonicalHeaders appends "name:value\n" for each signed header name
// (already lower-case and sorted), taking host from host and content-length
// from the request's ContentLength when the header map has none. It reports
// false when a signed header is absent from the request.
func appendCanonicalHeaders(dst []byte, r reqView, host string, names []string) ([]byte, bool) {
	ok := true
	for _, name := range names {
		dst = append(dst, name...)
		dst = append(dst, ':')
		switch name {
		case "host":
			dst = appendTrimmedValue(dst, host)
			dst = append(dst, '\n')
			continue
		case "content-length":
			if vs := headerValues(r.header, name); len(vs) > 0 {
				dst = appendTrimmedValue(dst, vs[0])
			} else if r.contentLength >= 0 {
				dst = strconv.AppendInt(dst, r.contentLength, 10)
			} else {
				ok = false
			}
			dst = append(dst, '\n')
			continue
		case "transfer-encoding":
			if vs := headerValues(r.header, name); len(vs) == 0 && len(r.transferEncoding) > 0 {
				for i, v := range r.transferEncoding {
					if i > 0 {
						dst = append(dst, ',')
					}
					dst = appendTrimmedValue(dst, v)
				}
				dst = append(dst, '\n')
				continue
			}
		}
		vs := headerValues(r.header, name)
		if vs == nil {
			ok = false
		}
		for i, v := range vs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendTrimmedValue(dst, v)
		}
		dst = append(dst, '\n')
	}
	return dst, ok
}

// appendSignedHeaders appends names joined by ';'.
func appendSignedHeaders(dst []byte, names []string) []byte {
	for i, n := range names {
		if i > 0 {
			dst = append(dst, ';')
		}
		dst = append(dst, n...)
	}
	return dst
}

// appendHex appends the lower-case hex encoding of b.
func appendHex(dst, b []byte) []byte {
	for _, c := range b {
		dst = append(dst, lowerHex[c>>4], lowerHex[c&15])
	}
	return dst
}

// hexBytes renders s as space-separated lower-case hex bytes, the form of
// StringToSignBytes and CanonicalRequestBytes in S3 error bodies.
func hexBytes(s string) string {
	if s == "" {
		return ""
	}
	b := make([]byte, 0, len(s)*3)
	for i := 0; i < len(s); i++ {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, lowerHex[s[i]>>4], lowerHex[s[i]&15])
	}
	return string(b)
}

// unsafeString views b as a string without copying. Only for strings that
// never outlive the pooled buffer b belongs to.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
