package sigv4

import (
	"net/http"
	"slices"
	"strings"
)

// maxScanNames bounds the signed headers whose values a headerScan records;
// any further ones are looked up in the header map when needed.
const maxScanNames = 16

// headerScan is what one pass over a request's header map finds for
// verification: the values of the signed x-amz-* headers, the x-amz-*
// headers present but not signed, and the values of the headers Verify
// always reads. The pass is needed anyway for the unsigned check; taking
// the values on the way saves a lookup per header (each first building the
// canonical key), with the same results as those lookups.
type headerScan struct {
	// vals[i] holds the values of names[i] when bit i of have is set: they
	// were found under the canonical key of names[i] (net/http's spelling,
	// which headerValues prefers too). Other names are looked up.
	vals [maxScanNames][]string
	have uint32
	// unsigned lists the x-amz-* headers (but x-amz-content-sha256) whose
	// name is not among the signed ones, lower-cased.
	unsigned []string
	// The first values of X-Amz-Date, X-Amz-Content-Sha256 and
	// X-Amz-Security-Token, under exactly these keys (as firstHeader).
	amzDate, contentSHA, token string
}

// scan fills hs from h for the signed header names.
func (hs *headerScan) scan(h http.Header, names []string) {
	for k, vs := range h {
		switch k {
		case "X-Amz-Date":
			hs.amzDate = first(vs)
		case "X-Amz-Content-Sha256":
			hs.contentSHA = first(vs)
		case "X-Amz-Security-Token":
			hs.token = first(vs)
		}
		if !hasAmzPrefix(k) {
			continue
		}
		signed := false
		for i, n := range names {
			if len(n) == len(k) && isCanonicalKeyOf(k, n) {
				signed = true
				if i < maxScanNames {
					hs.vals[i] = vs
					hs.have |= 1 << i
				}
			}
		}
		if signed || strings.EqualFold(k, "x-amz-content-sha256") {
			continue
		}
		// Not under its canonical spelling: compare as the unsigned check
		// always has.
		for _, n := range names {
			if strings.EqualFold(n, k) {
				signed = true
				break
			}
		}
		if !signed {
			hs.unsigned = append(hs.unsigned, strings.ToLower(k))
		}
	}
}

// unsignedList is the sorted, comma-separated list of the unsigned x-amz-*
// headers, or "".
func (hs *headerScan) unsignedList() string {
	if len(hs.unsigned) == 0 {
		return ""
	}
	slices.Sort(hs.unsigned)
	return strings.Join(hs.unsigned, ",")
}

// values returns what headerValues(h, names[i]) returns: the values of the
// i-th signed header name, or nil. A nil hs looks the name up in h.
func (hs *headerScan) values(h http.Header, i int, name string) []string {
	if hs != nil && i < maxScanNames && hs.have&(1<<i) != 0 {
		return hs.vals[i]
	}
	return headerValues(h, name)
}

func first(vs []string) string {
	if len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// isCanonicalKeyOf reports whether k == canonicalHeaderKey(name), without
// building the canonical key.
func isCanonicalKeyOf(k, name string) bool {
	if len(k) != len(name) {
		return false
	}
	upper := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		if upper && 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		} else if !upper && 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if k[i] != c {
			return false
		}
		upper = c == '-'
	}
	return true
}
