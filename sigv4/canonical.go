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

// unreservedBits is unreserved as 0/1 bytes, to AND several lookups.
var unreservedBits = func() (t [256]uint8) {
	for c := range t {
		if unreserved[c] {
			t[c] = 1
		}
	}
	return t
}()

// unreserved8 reports whether the eight bytes of s are all unreserved.
func unreserved8(s string) bool {
	_ = s[7]
	return unreservedBits[s[0]]&unreservedBits[s[1]]&unreservedBits[s[2]]&unreservedBits[s[3]]&
		unreservedBits[s[4]]&unreservedBits[s[5]]&unreservedBits[s[6]]&unreservedBits[s[7]] != 0
}

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

// unhex decodes one hex digit of either case.
func unhex(c byte) (byte, bool) {
	v := hexValue[c]
	return v, v != 0xff
}

// hexValue maps a hex digit to its value and every other byte to 0xff: a
// table load instead of three range tests per digit (SigV4 verification
// decodes 128 hex digits per request).
var hexValue = func() (t [256]byte) {
	for c := range t {
		switch {
		case '0' <= c && c <= '9':
			t[c] = byte(c - '0')
		case 'a' <= c && c <= 'f':
			t[c] = byte(c - 'a' + 10)
		case 'A' <= c && c <= 'F':
			t[c] = byte(c - 'A' + 10)
		default:
			t[c] = 0xff
		}
	}
	return t
}()

// isCanonicalEncoded reports whether s is already in AWS-encoded form, so
// that encode(decode(s)) == s: unreserved bytes (and '/' if keepSlash) and
// %XX escapes in upper-case hex of bytes that must be escaped.
func isCanonicalEncoded(s string, keepSlash bool) bool {
	for i := 0; i < len(s); i++ {
		// Skip the run of unreserved bytes, the bulk of any value: eight at
		// a time while possible (one branch for the eight table loads),
		// then one by one.
		for i+8 <= len(s) && unreserved8(s[i:i+8]) {
			i += 8
		}
		if i == len(s) {
			return true
		}
		// Fewer than eight left: if the last eight bytes (overlapping
		// some already checked) are all unreserved, so is the rest.
		if i+8 > len(s) && len(s) >= 8 && unreserved8(s[len(s)-8:]) {
			return true
		}
		for unreserved[s[i]] {
			if i++; i == len(s) {
				return true
			}
		}
		c := s[i]
		if c == '/' && keepSlash {
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
	// Most paths need no change: a decoded path of unreserved bytes and
	// '/' only, or a path as sent that already is in canonical form, is
	// copied as is (what the byte-by-byte encoders would produce).
	if rawPath == "" {
		if path[0] != '/' {
			dst = append(dst, '/')
		}
		if isCanonicalEncoded(path, true) && strings.IndexByte(path, '%') < 0 {
			dst = append(dst, path...)
		} else {
			dst = appendURIEncode(dst, path, true)
		}
	} else {
		if rawPath[0] != '/' {
			dst = append(dst, '/')
		}
		if isCanonicalEncoded(rawPath, true) {
			dst = append(dst, rawPath...)
		} else {
			dst = appendDecodeReencode(dst, rawPath, true, false)
		}
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

// parseQueryPairs splits raw into pairs, appending to ps, and
// canonicalises them (see splitQuery and reencodePairs).
func parseQueryPairs(ps []queryPair, raw, skipKey string, scratch *[]byte) []queryPair {
	n := len(ps)
	ps = splitQuery(ps, raw, skipKey)
	reencodePairs(ps[n:], scratch)
	return ps
}

// splitQuery splits raw at '&' and each part at its first '=', appending
// the raw (still escaped) keys and values to ps; empty parts are dropped.
// The same scan checks the encoding: a pair's key and value are set to
// the raw text when that is canonical (as isCanonicalEncoded(s, false)
// decides), else left "" for reencodePairs. Pairs whose raw key is skipKey
// (the signature, left out of the canonical query) are not checked: their
// key and value are raw.
func splitQuery(ps []queryPair, raw, skipKey string) []queryPair {
	for i := 0; i < len(raw); {
		if raw[i] == '&' { // empty part
			i++
			continue
		}
		start := i
		var keyOK bool
		i, keyOK = scanQueryComponent(raw, i, true)
		p := queryPair{rawKey: raw[start:i]}
		if i < len(raw) && raw[i] == '=' {
			i++
			start = i
			valueOK := true
			if skipKey != "" && p.rawKey == skipKey {
				keyOK = true
				if j := strings.IndexByte(raw[i:], '&'); j >= 0 {
					i += j
				} else {
					i = len(raw)
				}
			} else {
				i, valueOK = scanQueryComponent(raw, i, false)
			}
			p.rawValue = raw[start:i]
			if valueOK {
				p.value = p.rawValue
			}
		}
		if keyOK {
			p.key = p.rawKey
		}
		ps = append(ps, p)
		i++ // past the '&' (or the end)
	}
	return ps
}

// scanQueryComponent scans a query key (up to '=' or '&') or value (up to
// '&') starting at raw[i], returning where it ends and whether it is
// canonically encoded: unreserved bytes and upper-case %XX escapes of
// bytes that are not unreserved.
func scanQueryComponent(raw string, i int, key bool) (end int, canonical bool) {
	for i < len(raw) {
		// Skip unreserved bytes, eight at a time while possible.
		for i+8 <= len(raw) && unreserved8(raw[i:i+8]) {
			i += 8
		}
		for i < len(raw) && unreserved[raw[i]] {
			i++
		}
		if i == len(raw) {
			break
		}
		c := raw[i]
		if c == '&' || c == '=' && key {
			break
		}
		if c == '%' && i+2 < len(raw) && isCanonicalEscape(raw[i+1], raw[i+2]) {
			i += 3
			continue
		}
		// Not canonical: just find the end.
		for i < len(raw) && raw[i] != '&' && (raw[i] != '=' || !key) {
			i++
		}
		return i, false
	}
	return i, true
}

// isCanonicalEscape reports whether %hl is an escape in canonical form:
// upper-case hex digits, of a byte that must be escaped.
func isCanonicalEscape(h, l byte) bool {
	hv, lv := hexValue[h], hexValue[l]
	if hv > 15 || lv > 15 || 'a' <= h && h <= 'f' || 'a' <= l && l <= 'f' {
		return false
	}
	return !unreserved[hv<<4|lv]
}

// reencodePairs sets the canonical key and value that splitQuery left ""
// (raw text not in canonical form): the re-encoded bytes are appended to
// *scratch and referenced from there (the caller keeps scratch alive while
// the pairs are used).
func reencodePairs(ps []queryPair, scratch *[]byte) {
	// Reserve scratch's capacity before writing any, so that its growth
	// can't invalidate the strings viewing it.
	need := 0
	for i := range ps {
		p := &ps[i]
		if p.key == "" {
			need += 3 * len(p.rawKey)
		}
		if p.value == "" {
			need += 3 * len(p.rawValue)
		}
	}
	if need == 0 {
		return
	}
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
	// Clients send their parameters sorted (SDK presigned URLs add only the
	// signature, at the end, and that one is skipped): check before sorting.
	if !sortedSkipping(ps, skipKey) {
		slices.SortFunc(ps, comparePairs)
	}
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

// sortedSkipping reports whether the pairs other than those with raw key
// skipKey are in canonical order, so that emitting them in slice order gives
// the same canonical query as sorting.
func sortedSkipping(ps []queryPair, skipKey string) bool {
	var prev *queryPair
	for i := range ps {
		p := &ps[i]
		if skipKey != "" && p.rawKey == skipKey {
			continue
		}
		// Keys in increasing order (the usual case) decide it with one
		// comparison; equal keys fall back to comparing the values.
		if prev != nil && !(prev.key < p.key) && comparePairs(*prev, *p) > 0 {
			return false
		}
		prev = p
	}
	return true
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
	// Most values (hashes, dates, host names) have no byte <= ' ' at all and
	// are clean: test for that eight bytes at a time first.
	if !hasByteAtMostSpace(v) {
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

// hasByteAtMostSpace reports whether s has a byte <= 0x20 (a space or a
// control character).
func hasByteAtMostSpace(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; len(s) >= 8; s = s[8:] {
		// Eight bytes as one little-endian word (the compiler turns this into
		// a single load). x - 0x21 in every byte borrows, setting that byte's
		// top bit, exactly when the byte is below 0x21; "&^ x" drops bytes
		// whose top bit was set already (>= 0x80, not below 0x21). A borrow
		// only spreads upwards from a byte that is below 0x21, so the test
		// as a whole is exact.
		x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		if (x-0x21*ones)&^x&highs != 0 {
			return true
		}
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' {
			return true
		}
	}
	return false
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
	return reqView{header: r.Header, contentLength: r.ContentLength, transferEncoding: r.TransferEncoding,
		path: r.URL.Path, rawPath: r.URL.RawPath}
}

// appendCanonicalHeaders appends "name:value\n" for each signed header name
// (already lower-case and sorted), taking host from host and content-length
// from the request's ContentLength when the header map has none. It reports
// false when a signed header is absent from the request. The values come
// from scan when set (a pass over r.header for these names), else from a
// lookup each. (scan is a parameter of its own, not a reqView field, so
// that escape analysis can keep it on the caller's stack.)
func appendCanonicalHeaders(dst []byte, r reqView, scan *headerScan, host string, names []string) ([]byte, bool) {
	ok := true
	for ni, name := range names {
		dst = append(dst, name...)
		dst = append(dst, ':')
		switch name {
		case "host":
			dst = appendTrimmedValue(dst, host)
			dst = append(dst, '\n')
			continue
		case "content-length":
			if vs := scan.values(r.header, ni, name); len(vs) > 0 {
				dst = appendTrimmedValue(dst, vs[0])
			} else if r.contentLength >= 0 {
				dst = strconv.AppendInt(dst, r.contentLength, 10)
			} else {
				ok = false
			}
			dst = append(dst, '\n')
			continue
		case "transfer-encoding":
			if vs := scan.values(r.header, ni, name); len(vs) == 0 && len(r.transferEncoding) > 0 {
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
		vs := scan.values(r.header, ni, name)
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
