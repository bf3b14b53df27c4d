package server

import (
	"strings"
	"testing"
)

func TestRedactQueryHidesEverySecret(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"versionId=abc&partNumber=2", "versionId=abc&partNumber=2"},
		{"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Security-Token=tok&X-Amz-Signature=deadbeef",
			"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=REDACTED&X-Amz-Date=20260101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Security-Token=REDACTED&X-Amz-Signature=REDACTED"},
		{"AWSAccessKeyId=AKID&Expires=1&Signature=abc%3D", "AWSAccessKeyId=REDACTED&Expires=1&Signature=REDACTED"},
		{"x-amz-signature=lower&X%2DAmz%2DSignature=encoded&signature=v2", "x-amz-signature=REDACTED&X%2DAmz%2DSignature=REDACTED&signature=REDACTED"},
		{"X-Amz-Signature=a&X-Amz-Signature=b", "X-Amz-Signature=REDACTED&X-Amz-Signature=REDACTED"},
	} {
		if got := redactQuery(tc.in); got != tc.want {
			t.Errorf("redactQuery(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
		for _, secret := range []string{"deadbeef", "tok", "abc%3D", "encoded", "AKID%2F"} {
			if strings.Contains(tc.in, secret) && strings.Contains(redactQuery(tc.in), secret) {
				t.Errorf("redactQuery(%q) keeps %q", tc.in, secret)
			}
		}
	}
}
