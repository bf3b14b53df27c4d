package server

import (
	"encoding/xml"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/outpost-s3/outpost/internal/meta"
)

// ListBucketResult is the hottest XML body we write (1000 entries a page),
// and encoding/xml's reflection spent half of a first-page ListObjectsV2 in
// the server. appendXML writes byte for byte what xml.Marshal writes for
// the same value (TestListBucketResultXMLMatchesEncodingXML checks it).

var listXMLPool = sync.Pool{New: func() any { b := make([]byte, 0, 256<<10); return &b }}

// writeListBucketResult sends r as writeXML(200, r) would.
func (rc *reqCtx) writeListBucketResult(r *listBucketResult) error {
	bp := listXMLPool.Get().(*[]byte)
	b := append((*bp)[:0], xml.Header...)
	b = r.appendXML(b)
	h := rc.w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	rc.w.WriteHeader(200)
	rc.w.Write(b)
	if cap(b) <= 4<<20 {
		*bp = b
		listXMLPool.Put(bp)
	}
	return nil
}

func (r *listBucketResult) appendXML(b []byte) []byte {
	b = append(b, `<ListBucketResult xmlns="`...)
	b = appendEscaped(b, r.NS)
	b = append(b, `">`...)
	b = appendElem(b, "Name", r.Name)
	b = appendElem(b, "Prefix", r.Prefix)
	if r.Marker != nil {
		b = appendElem(b, "Marker", *r.Marker)
	}
	if r.NextMarker != "" {
		b = appendElem(b, "NextMarker", r.NextMarker)
	}
	if r.ContToken != nil {
		b = appendElem(b, "ContinuationToken", *r.ContToken)
	}
	if r.NextContToken != "" {
		b = appendElem(b, "NextContinuationToken", r.NextContToken)
	}
	if r.StartAfter != "" {
		b = appendElem(b, "StartAfter", r.StartAfter)
	}
	if r.KeyCount != nil {
		b = append(b, "<KeyCount>"...)
		b = strconv.AppendInt(b, int64(*r.KeyCount), 10)
		b = append(b, "</KeyCount>"...)
	}
	b = append(b, "<MaxKeys>"...)
	b = strconv.AppendInt(b, int64(r.MaxKeys), 10)
	b = append(b, "</MaxKeys>"...)
	if r.Delimiter != "" {
		b = appendElem(b, "Delimiter", r.Delimiter)
	}
	if r.EncodingType != "" {
		b = appendElem(b, "EncodingType", r.EncodingType)
	}
	b = append(b, "<IsTruncated>"...)
	b = strconv.AppendBool(b, r.IsTruncated)
	b = append(b, "</IsTruncated>"...)
	for i := range r.Contents {
		e := &r.Contents[i]
		b = append(b, "<Contents>"...)
		b = appendElem(b, "Key", e.Key)
		b = appendElem(b, "LastModified", e.LastModified)
		b = appendElem(b, "ETag", e.ETag)
		if e.ChecksumAlgorithm != "" {
			b = appendElem(b, "ChecksumAlgorithm", e.ChecksumAlgorithm)
		}
		if e.ChecksumType != "" {
			b = appendElem(b, "ChecksumType", e.ChecksumType)
		}
		b = append(b, "<Size>"...)
		b = strconv.AppendInt(b, e.Size, 10)
		b = append(b, "</Size>"...)
		if e.Owner != nil {
			b = appendOwner(b, e.Owner)
		}
		b = appendElem(b, "StorageClass", e.StorageClass)
		b = append(b, "</Contents>"...)
	}
	if len(r.objects) > 0 {
		var ownerXML []byte
		if r.owner != nil {
			ownerXML = appendOwner(nil, r.owner)
		}
		for i := range r.objects {
			b = appendObjectEntry(b, &r.objects[i], r.enc, ownerXML)
		}
	}
	for _, p := range r.CommonPrefixes {
		b = append(b, "<CommonPrefixes>"...)
		b = appendElem(b, "Prefix", p.Prefix)
		b = append(b, "</CommonPrefixes>"...)
	}
	return append(b, "</ListBucketResult>"...)
}

// appendObjectEntry writes the Contents element of a listed object, as
// appendXML writes the listEntry that
//
//	listEntry{Key: enc(o.Key), LastModified: iso8601(o.LastModified), ETag: quote(o.ETag), Size: o.Size,
//		StorageClass: storageClassOf(o), ChecksumAlgorithm: (a key of o.Checksums),
//		ChecksumType: o.ChecksumType (if o.Checksums is not empty), Owner: (ownerXML)}
//
// would be, but allocating nothing but what enc does.
func appendObjectEntry(b []byte, o *meta.Object, enc func(string) string, ownerXML []byte) []byte {
	b = append(b, "<Contents><Key>"...)
	b = appendEscaped(b, enc(o.Key))
	b = append(b, "</Key><LastModified>"...)
	b = appendISO8601(b, o.LastModified)
	b = append(b, "</LastModified><ETag>&#34;"...)
	b = appendEscaped(b, o.ETag)
	b = append(b, "&#34;</ETag>"...)
	var alg, typ string
	for a := range o.Checksums {
		alg, typ = a, o.ChecksumType
	}
	if alg != "" {
		b = appendElem(b, "ChecksumAlgorithm", alg)
	}
	if typ != "" {
		b = appendElem(b, "ChecksumType", typ)
	}
	b = append(b, "<Size>"...)
	b = strconv.AppendInt(b, o.Size, 10)
	b = append(b, "</Size>"...)
	b = append(b, ownerXML...)
	b = appendElem(b, "StorageClass", storageClassOf(o))
	return append(b, "</Contents>"...)
}

func appendOwner(b []byte, o *owner) []byte {
	b = append(b, "<Owner>"...)
	b = appendElem(b, "ID", o.ID)
	if o.DisplayName != "" {
		b = appendElem(b, "DisplayName", o.DisplayName)
	}
	return append(b, "</Owner>"...)
}

// appendISO8601 appends iso8601(t).
func appendISO8601(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, "2006-01-02T15:04:05.000Z")
	}
	hour, min, sec := t.Clock()
	ms := t.Nanosecond() / 1e6
	d := [24]byte{
		4: '-', 7: '-', 10: 'T', 13: ':', 16: ':', 19: '.', 23: 'Z',
	}
	put2(d[0:2], year/100)
	put2(d[2:4], year%100)
	put2(d[5:7], int(month))
	put2(d[8:10], day)
	put2(d[11:13], hour)
	put2(d[14:16], min)
	put2(d[17:19], sec)
	d[20] = byte('0' + ms/100)
	put2(d[21:23], ms%100)
	return append(b, d[:]...)
}

const digitPairs = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879" +
	"8081828384858687888990919293949596979899"

// put2 writes 0 <= v < 100 as two digits.
func put2(d []byte, v int) {
	d[0], d[1] = digitPairs[2*v], digitPairs[2*v+1]
}

func appendElem(b []byte, name, v string) []byte {
	b = append(b, '<')
	b = append(b, name...)
	b = append(b, '>')
	b = appendEscaped(b, v)
	b = append(b, "</"...)
	b = append(b, name...)
	return append(b, '>')
}

// appendEscaped escapes s as xml.EscapeText does: the five XML specials,
// \t \n \r as character references, and bytes that are not valid UTF-8 or
// not XML characters as U+FFFD.
func appendEscaped(b []byte, s string) []byte {
	i := 0
	for i < len(s) && xmlPlain[s[i]] {
		i++
	}
	b = append(b, s[:i]...)
	for i < len(s) {
		r, w := utf8.DecodeRuneInString(s[i:])
		var esc string
		switch {
		case r == '"':
			esc = "&#34;"
		case r == '\'':
			esc = "&#39;"
		case r == '&':
			esc = "&amp;"
		case r == '<':
			esc = "&lt;"
		case r == '>':
			esc = "&gt;"
		case r == '\t':
			esc = "&#x9;"
		case r == '\n':
			esc = "&#xA;"
		case r == '\r':
			esc = "&#xD;"
		case !isXMLChar(r) || (r == utf8.RuneError && w == 1):
			esc = "\uFFFD"
		default:
			b = append(b, s[i:i+w]...)
			i += w
			continue
		}
		b = append(b, esc...)
		i += w
	}
	return b
}

// xmlPlain holds the bytes appendEscaped copies as they are: printable
// ASCII but the five XML specials.
var xmlPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = true
	}
	for _, c := range `&<>"'` {
		t[c] = false
	}
	return t
}()

// isXMLChar is encoding/xml's isInCharacterRange.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}
