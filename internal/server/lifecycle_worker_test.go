package server

import (
	"testing"
	"time"
)

func TestAfterDaysRoundsUpToMidnightUTC(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		created string
		days    int
		want    string
	}{
		// The AWS example: created 2014-01-15 10:30 UTC, 3 days → 2014-01-19 00:00 UTC.
		{"2014-01-15T10:30:00Z", 3, "2014-01-19T00:00:00Z"},
		{"2024-01-15T10:30:00Z", 1, "2024-01-17T00:00:00Z"},
		{"2024-01-15T00:00:00Z", 1, "2024-01-16T00:00:00Z"}, // already midnight
		{"2024-01-15T23:59:59Z", 1, "2024-01-17T00:00:00Z"},
		{"2024-01-15T23:30:00-05:00", 1, "2024-01-18T00:00:00Z"}, // 04:30 UTC on the 16th
		{"2024-02-28T12:00:00Z", 1, "2024-03-01T00:00:00Z"},
	} {
		if got := afterDays(at(tc.created), tc.days); !got.Equal(at(tc.want)) {
			t.Errorf("afterDays(%s, %d) = %s, want %s", tc.created, tc.days, got.Format(time.RFC3339), tc.want)
		}
	}
}

func TestCompileLifecycleKeepsEnabledRulesOnly(t *testing.T) {
	rules, err := compileLifecycle(`<LifecycleConfiguration>
<Rule><ID>a</ID><Status>Enabled</Status><Filter><And><Prefix>logs/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag><ObjectSizeLessThan>100</ObjectSizeLessThan></And></Filter><Expiration><Date>2030-01-01T00:00:00Z</Date></Expiration></Rule>
<Rule><ID>b</ID><Status>Disabled</Status><Prefix>x</Prefix><Expiration><Days>1</Days></Expiration></Rule>
<Rule><ID>c</ID><Status>Enabled</Status><Prefix>y/</Prefix><NoncurrentVersionExpiration><NoncurrentDays>3</NoncurrentDays><NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionExpiration><AbortIncompleteMultipartUpload><DaysAfterInitiation>4</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>
</LifecycleConfiguration>`)
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 2 {
		t.Fatalf("rules = %+v", rules)
	}
	a, c := rules[0], rules[1]
	if a.prefix != "logs/" || a.tags["k"] != "v" || a.lt != 100 || !a.expDate.Equal(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("rule a = %+v", a)
	}
	if c.prefix != "y/" || c.ncDays != 3 || c.ncNewer != 2 || c.abortDays != 4 {
		t.Errorf("rule c = %+v", c)
	}
}
