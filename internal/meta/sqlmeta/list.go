package sqlmeta

import (
	"strings"
	"unicode/utf8"
)

// This file is the listing engine shared by ListObjects,
// ListObjectVersions and ListUploads: it walks rows in key order in
// batches, rolls keys up into common prefixes, and after each common prefix
// P seeks straight to the first key after every key starting with P, so a
// page costs O(page size) index reads however many keys a prefix holds.

// listBatch is the largest number of rows fetched per query.
const listBatch = 1001

// cursor is a position in a listing: either after a row (exclusive, the
// row's key and whatever orders rows within a key) or, when after is nil,
// at the first key >= from.
type cursor[R any] struct {
	after *R
	from  string
}

type lister[R any] struct {
	prefix, delim string
	// marker: common prefixes <= marker are not returned (they were, or
	// were passed, on an earlier page).
	marker string
	max    int
	key    func(*R) string
	// fetch returns up to n rows at or after c, ordered, with keys
	// below upper (if hasUpper).
	fetch      func(c cursor[R], upper string, hasUpper bool, n int) ([]R, error)
	emit       func(*R)
	emitPrefix func(string)
}

// run lists from start and reports whether entries beyond max remain.
func (l *lister[R]) run(start cursor[R]) (truncated bool, err error) {
	var upper string
	var hasUpper bool
	if l.prefix != "" {
		upper, hasUpper = successor(l.prefix)
		startKey := start.from
		if start.after != nil {
			startKey = l.key(start.after)
		}
		if l.prefix > startKey {
			start = cursor[R]{from: l.prefix}
		}
	}
	cur := start
	count := 0
	lastPrefix := ""
	// size adapts the batch to the data: where common prefixes hold many
	// keys, rows fetched past a prefix are wasted and small batches (one
	// index seek per prefix) win; where they hold few, large batches do.
	size := listBatch
	for {
		n := min(l.max-count+1, size)
		rows, err := l.fetch(cur, upper, hasUpper, n)
		if err != nil {
			return false, err
		}
		skipBelow := ""
		wasted := 0
		for i := range rows {
			r := &rows[i]
			k := l.key(r)
			if k < skipBelow {
				wasted++
				continue // inside a common prefix already handled
			}
			if cp := commonPrefix(k, l.prefix, l.delim); cp != "" {
				if cp > l.marker && cp != lastPrefix {
					if count == l.max {
						return true, nil
					}
					l.emitPrefix(cp)
					count++
					lastPrefix = cp
				}
				next, ok := successor(cp)
				if !ok {
					return false, nil // every remaining key is inside cp
				}
				skipBelow = next
				cur = cursor[R]{from: next}
				continue
			}
			if count == l.max {
				return true, nil
			}
			l.emit(r)
			count++
			cur = cursor[R]{after: r}
		}
		if len(rows) < n {
			return false, nil
		}
		if wasted > len(rows)/2 {
			size = max(size/4, 4)
		} else {
			size = min(size*2, listBatch)
		}
	}
}

// commonPrefix returns the common prefix key rolls up into, or "".
func commonPrefix(key, prefix, delim string) string {
	if delim == "" || !strings.HasPrefix(key, prefix) {
		return ""
	}
	i := strings.Index(key[len(prefix):], delim)
	if i < 0 {
		return ""
	}
	return key[:len(prefix)+i+len(delim)]
}

// successor returns the smallest string greater than every string that
// starts with p, and false if there is none. For valid UTF-8 it increments
// the last code point (skipping surrogates), so the bound is valid UTF-8,
// which PostgreSQL requires of text parameters; for anything else it
// increments the last byte below 0xff.
func successor(p string) (string, bool) {
	if utf8.ValidString(p) {
		for p != "" {
			r, size := utf8.DecodeLastRuneInString(p)
			p = p[:len(p)-size]
			if r == utf8.MaxRune {
				continue
			}
			r++
			if r == 0xD800 {
				r = 0xE000
			}
			return p + string(r), true
		}
		return "", false
	}
	b := []byte(p)
	for len(b) > 0 {
		last := len(b) - 1
		if b[last] < 0xff {
			b[last]++
			return string(b), true
		}
		b = b[:last]
	}
	return "", false
}
