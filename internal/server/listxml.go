package server

import (
	"encoding/xml"
	"strconv"
	"sync"
	"unicode/utf8"
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
			b = append(b, "<Owner>"...)
			b = appendElem(b, "ID", e.Owner.ID)
			if e.Owner.DisplayName != "" {
				b = appendElem(b, "DisplayName", e.Owner.DisplayName)
			}
			b = append(b, "</Owner>"...)
		}
		b = appendElem(b, "StorageClass", e.StorageClass)
		b = append(b, "</Contents>"...)
	}
	for _, p := range r.CommonPrefixes {
		b = append(b, "<CommonPrefixes>"...)
		b = appendElem(b, "Prefix", p.Prefix)
		b = append(b, "</CommonPrefixes>"...)
	}
	return append(b, "</ListBucketResult>"...)
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
	plain := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x80 || c == '&' || c == '<' || c == '>' || c == '"' || c == '\'' {
			plain = false
			break
		}
	}
	if plain {
		return append(b, s...)
	}
	for i := 0; i < len(s); {
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

// isXMLChar is encoding/xml's isInCharacterRange.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}
