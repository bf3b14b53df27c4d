package sigv4

import (
	"net/http"
	"time"
)

// dateLayouts are the forms of the Date header (and of a SigV2 X-Amz-Date)
// that AWS accepts beyond net/http's three (RFC 1123 with GMT, RFC 850,
// asctime): RFC 1123 with a numeric zone, as botocore sends when a caller
// sets Date ("Thu, 03 Dec 2026 14:24:14 -0000"), with or without a leading
// zero in the day, and RFC 1123 with a zone name other than GMT.
var dateLayouts = []string{
	time.RFC1123Z,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 MST",
}

// parseHTTPDate parses a Date header in any form AWS accepts, ISO 8601
// basic ("20261203T142414Z") included.
func parseHTTPDate(s string) (time.Time, bool) {
	if t, err := http.ParseTime(s); err == nil {
		return t, true
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return parseAmzDate(s)
}
