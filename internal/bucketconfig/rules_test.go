package bucketconfig

import (
	"testing"
	"time"
)

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
	if a.Prefix != "logs/" || a.Tags["k"] != "v" || a.ObjectSizeLessThan != 100 || !a.ExpirationDate.Equal(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("rule a = %+v", a)
	}
	if c.Prefix != "y/" || c.NoncurrentDays != 3 || c.NewerNoncurrentVersions != 2 || c.AbortIncompleteDays != 4 {
		t.Errorf("rule c = %+v", c)
	}
}
