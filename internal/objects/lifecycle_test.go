package objects

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
