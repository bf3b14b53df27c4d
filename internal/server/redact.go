package server

import (
	"net/url"
	"strings"
)

// secretQueryParams are query parameters whose values must never reach a
// log: a presigned URL's signature is a bearer credential until it expires,
// and a session token is one until the session ends. Compared
// case-insensitively, after percent-decoding the name.
var secretQueryParams = map[string]bool{
	"x-amz-signature":      true,
	"signature":            true, // SigV2
	"x-amz-security-token": true,
	"x-amz-credential":     true,
	"awsaccesskeyid":       true, // SigV2
}

// redactQuery returns the raw query with the values of secretQueryParams
// replaced by REDACTED, keeping everything else (order included) as sent.
func redactQuery(raw string) string {
	if raw == "" {
		return ""
	}
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		k, _, hasValue := strings.Cut(p, "=")
		name := k
		if strings.ContainsAny(name, "%+") {
			if d, err := url.QueryUnescape(name); err == nil {
				name = d
			}
		}
		if secretQueryParams[strings.ToLower(name)] && hasValue {
			parts[i] = k + "=REDACTED"
		}
	}
	return strings.Join(parts, "&")
}
