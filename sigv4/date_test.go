package sigv4

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// TestDateHeaderForms: a SigV2 header-signed request whose Date is in any
// form AWS accepts verifies (botocore sends RFC 1123 with "-0000" when a
// caller sets Date; issue 12 item 1); a malformed Date is refused.
func TestDateHeaderForms(t *testing.T) {
	at := t0.Add(-time.Minute)
	for _, tc := range []struct {
		date string
		ok   bool
	}{
		{at.UTC().Format(http.TimeFormat), true},                        // RFC 1123, GMT
		{at.UTC().Format("Mon, 02 Jan 2006 15:04:05 -0000"), true},      // botocore's formatdate()
		{at.In(time.FixedZone("", 2*3600)).Format(time.RFC1123Z), true}, // numeric zone, not UTC
		{at.UTC().Format("Mon, 2 Jan 2006 15:04:05 -0700"), true},       // no leading zero
		{at.UTC().Format(time.RFC850), true},
		{at.UTC().Format(time.ANSIC), true},
		{at.UTC().Format(amzDateFormat), true}, // ISO 8601 basic
		{"yesterday", false},
		{"Thu, 32 Dec 2026 14:24:14 -0000", false},
	} {
		r, _ := http.NewRequest("GET", "http://127.0.0.1:9000/bucket/key", nil)
		r.Header.Set("Date", tc.date)
		sts := v2StringToSign("GET", "", "", tc.date, r.Header, nil, "/bucket/key", "")
		r.Header.Set("Authorization", "AWS "+creds.AccessKeyID+":"+v2Sign(creds.SecretAccessKey, sts))
		_, err := verifierAt(t0, nil).Verify(context.Background(), r, VerifyOptions{V2Resources: []string{"/bucket/key"}})
		if tc.ok && err != nil {
			t.Errorf("Date %q refused: %v", tc.date, err)
		}
		if !tc.ok && err == nil {
			t.Errorf("Date %q accepted", tc.date)
		}
	}
}
