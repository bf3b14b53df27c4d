package server

import (
	"encoding/base64"
	"strconv"
)

// iamPage is one page of an IAM List* answer, cut from the whole ordered
// listing with the MaxItems (1–1000, default 100) and Marker parameters, as
// IAM pages: IsTruncated and, when true, the Marker of the next page.
type iamPage struct {
	IsTruncated bool   `xml:"IsTruncated"`
	Marker      string `xml:"Marker,omitempty"`
}

// pageOf returns the page of all that the request asks for. key names an
// item; the marker is the (opaque, base64) key of the last item returned,
// so the next page starts right after it even if items before it were
// deleted meanwhile.
func pageOf[T any](q *queryCtx, all []T, key func(T) string) ([]T, iamPage, error) {
	max := 100
	if v := q.get("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return nil, iamPage{}, errValidation("1 validation error detected: Value '%s' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000", v)
		}
		max = n
	}
	start := 0
	if m := q.get("Marker"); m != "" {
		after, err := base64.RawURLEncoding.DecodeString(m)
		if err != nil || len(after) == 0 {
			return nil, iamPage{}, errValidation("Invalid Marker.")
		}
		start = len(all)
		for i, it := range all {
			if k := key(it); k == string(after) {
				start = i + 1
				break
			} else if k > string(after) {
				start = i
				break
			}
		}
	}
	rest := all[start:]
	if len(rest) <= max {
		return rest, iamPage{}, nil
	}
	page := rest[:max]
	return page, iamPage{IsTruncated: true, Marker: base64.RawURLEncoding.EncodeToString([]byte(key(page[max-1])))}, nil
}
