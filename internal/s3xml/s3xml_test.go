package s3xml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/outpost-s3/outpost/internal/s3err"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares the wire form of v (with the XML declaration, as the
// server sends it) with testdata/name.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	out, err := xml.Marshal(v)
	if err != nil {
		t.Fatalf("%s: marshal: %v", name, err)
	}
	got := append([]byte(xml.Header), out...)
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from its golden file:\n got %s\nwant %s", name, got, want)
	}
}

func read(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

var forms = []struct {
	name string
	form Form
}{{"s3", S3}, {"control", Control}}

func TestTaggingWireForms(t *testing.T) {
	want := map[string]string{"project": "blue <sky>", "empty": ""}
	for _, f := range forms {
		in := Tagging{Form: f.form}
		read(t, "tagging-in."+f.name+".xml", &in)
		m, err := ValidateTags(in.TagSet, 50)
		if err != nil {
			t.Fatalf("%s tag set is refused: %v", f.name, err)
		}
		if !reflect.DeepEqual(m, want) {
			t.Errorf("the %s tag set reads as %v, want %v", f.name, m, want)
		}
		for _, g := range forms {
			golden(t, "tagging."+g.name+".xml", Tagging{Form: g.form, TagSet: SortedTags(m)})
			golden(t, "tagging-empty."+g.name+".xml", Tagging{Form: g.form, TagSet: SortedTags(nil)})
		}
	}
}

func TestTaggingOfTheOtherRootIsRefused(t *testing.T) {
	var tg Tagging
	if err := xml.Unmarshal([]byte(`<TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet>`), &tg); err == nil {
		t.Error("a <TagSet> document reads as a Tagging document")
	}
}

func TestValidateTags(t *testing.T) {
	long := strings.Repeat("k", 129)
	for _, c := range []struct {
		name string
		tags []Tag
		max  int
		msg  string // "" when valid
	}{
		{"ten object tags are allowed", make10(), 10, ""},
		{"eleven object tags are too many", append(make10(), Tag{"z", ""}), 10, "Object tags cannot be greater than 10"},
		{"an empty key is invalid", []Tag{{"", "v"}}, 50, "The TagKey you have provided is invalid"},
		{"a key of 129 characters is invalid", []Tag{{long, "v"}}, 50, "The TagKey you have provided is invalid"},
		{"a key of 128 multibyte characters is valid", []Tag{{strings.Repeat("é", 128), "v"}}, 50, ""},
		{"a value of 257 characters is invalid", []Tag{{"k", strings.Repeat("v", 257)}}, 50, "The TagValue you have provided is invalid"},
		{"a key twice is refused", []Tag{{"k", "1"}, {"k", "2"}}, 50, "Cannot provide multiple Tags with the same key"},
	} {
		_, err := ValidateTags(c.tags, c.max)
		switch {
		case c.msg == "" && err != nil:
			t.Errorf("%s: refused: %v", c.name, err)
		case c.msg != "":
			var e *s3err.Error
			if !errors.As(err, &e) || e.Code != "InvalidTag" || e.Message != c.msg {
				t.Errorf("%s: got %v, want InvalidTag %q", c.name, err, c.msg)
			}
		}
	}
}

func make10() []Tag {
	var tags []Tag
	for i := range 10 {
		tags = append(tags, Tag{string(rune('a' + i)), ""})
	}
	return tags
}

func TestVersioningWireForms(t *testing.T) {
	golden(t, "versioning.s3.xml", BucketVersioning(S3, "Enabled"))
	golden(t, "versioning-unset.s3.xml", BucketVersioning(S3, ""))
	golden(t, "versioning.control.xml", BucketVersioning(Control, "Suspended"))
	golden(t, "versioning-unset.control.xml", BucketVersioning(Control, ""))
	var v VersioningConfiguration
	if err := xml.Unmarshal([]byte(`<VersioningConfiguration xmlns="`+ControlNamespace+`"><Status>Enabled</Status><MfaDelete>Disabled</MfaDelete></VersioningConfiguration>`), &v); err != nil {
		t.Fatal(err)
	}
	if v.Status != "Enabled" || v.MFADelete != "Disabled" {
		t.Errorf("read %+v", v)
	}
	if err := xml.Unmarshal([]byte(`<Versioning><Status>Enabled</Status></Versioning>`), &v); err == nil {
		t.Error("a <Versioning> document reads as a VersioningConfiguration")
	}
}

// TestLifecycleWireForms reads a configuration in each form and writes it
// as stored (the S3 form) and as each API answers it.
func TestLifecycleWireForms(t *testing.T) {
	for _, c := range []struct{ in, out string }{
		{"lifecycle-in.s3.xml", "lifecycle"},
		{"lifecycle-in.control.xml", "lifecycle-from-control"},
	} {
		lc := LifecycleConfiguration{Form: S3}
		if strings.Contains(c.in, "control") {
			lc.Form = Control
		}
		read(t, c.in, &lc)
		if err := lc.Validate(); err != nil {
			t.Fatalf("%s is refused: %v", c.in, err)
		}
		lc.Form = S3
		golden(t, c.out+".s3.xml", lc)
		lc.Form = Control
		golden(t, c.out+".control.xml", lc)
	}
	golden(t, "lifecycle-empty.control.xml", LifecycleConfiguration{Form: Control})
}

// TestStoredLifecycleReadsBack: the stored (S3) document reads back into
// the configuration that wrote it, so an answer from storage is the same
// document.
func TestStoredLifecycleReadsBack(t *testing.T) {
	var lc LifecycleConfiguration
	read(t, "lifecycle.s3.xml", &lc)
	golden(t, "lifecycle.s3.xml", lc)
	if len(lc.Rules) != 5 || *lc.Rules[0].Prefix != "logs/" || len(lc.Rules[3].Filter.And.Tags) != 2 {
		t.Errorf("stored rules read as %+v", lc.Rules)
	}
}

// TestLifecycleFormElements: each form reads only its own names for the
// elements the forms name differently.
func TestLifecycleFormElements(t *testing.T) {
	const s3Doc = `<LifecycleConfiguration><Rule><Status>Enabled</Status><Prefix>p/</Prefix><Filter><And><Tag><Key>a</Key><Value>1</Value></Tag><Tags><member><Key>b</Key><Value>2</Value></member></Tags></And></Filter><Transitions/></Rule><Rules><Rule><Status>Enabled</Status></Rule></Rules></LifecycleConfiguration>`
	lc := LifecycleConfiguration{Form: S3}
	if err := xml.Unmarshal([]byte(s3Doc), &lc); err != nil {
		t.Fatal(err)
	}
	if len(lc.Rules) != 1 {
		t.Fatalf("the S3 form reads %d rules, want the 1 outside <Rules>", len(lc.Rules))
	}
	r := lc.Rules[0]
	if r.Prefix == nil || r.Transition || !reflect.DeepEqual(r.Filter.And.Tags, []Tag{{"a", "1"}}) {
		t.Errorf("the S3 form reads %+v (And %+v): want the Prefix, the <Tag> and no transition", r, r.Filter.And)
	}
	s3Transition := `<LifecycleConfiguration><Rule><Status>Enabled</Status><NoncurrentVersionTransition><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionTransition></Rule></LifecycleConfiguration>`
	lc = LifecycleConfiguration{Form: S3}
	if err := xml.Unmarshal([]byte(s3Transition), &lc); err != nil || !lc.Rules[0].Transition {
		t.Errorf("the S3 form does not see NoncurrentVersionTransition (%v)", err)
	}

	const controlDoc = `<LifecycleConfiguration><Rule><Status>Enabled</Status></Rule><Rules><Rule><Status>Enabled</Status><Prefix>p/</Prefix><Filter><And><Tag><Key>a</Key><Value>1</Value></Tag><Tags><member><Key>b</Key><Value>2</Value></member></Tags></And></Filter><Transition/></Rule><Rule><Status>Enabled</Status><Transitions><Transition><Days>1</Days></Transition></Transitions></Rule></Rules></LifecycleConfiguration>`
	lc = LifecycleConfiguration{Form: Control}
	if err := xml.Unmarshal([]byte(controlDoc), &lc); err != nil {
		t.Fatal(err)
	}
	if len(lc.Rules) != 2 {
		t.Fatalf("the Control form reads %d rules, want the 2 in <Rules>", len(lc.Rules))
	}
	r = lc.Rules[0]
	if r.Prefix != nil || r.Transition || !reflect.DeepEqual(r.Filter.And.Tags, []Tag{{"b", "2"}}) {
		t.Errorf("the Control form reads %+v (And %+v): want no Prefix, the <Tags> member and no transition", r, r.Filter.And)
	}
	if !lc.Rules[1].Transition {
		t.Error("the Control form does not see Transitions")
	}
	lc.Rules = lc.Rules[1:]
	err := lc.Validate()
	var e *s3err.Error
	if !errors.As(err, &e) || e.Code != "InvalidRequest" || !strings.Contains(e.Message, "not transitions") {
		t.Errorf("a rule with a transition validates as %v", err)
	}
}

func TestLifecycleValidate(t *testing.T) {
	days := func(n int) *LifecycleExpiration { return &LifecycleExpiration{Days: n} }
	p := func(s string) *string { return &s }
	tagged := &LifecycleFilter{Tag: &Tag{"k", "v"}}
	for _, c := range []struct {
		name  string
		rules []LifecycleRule
		code  string // "" when valid
	}{
		{"a configuration needs a rule", nil, "MalformedXML"},
		{"an expiration in days is valid", []LifecycleRule{{Status: "Enabled", Expiration: days(1)}}, ""},
		{"a status is Enabled or Disabled", []LifecycleRule{{Status: "On", Expiration: days(1)}}, "MalformedXML"},
		{"a rule needs an action", []LifecycleRule{{Status: "Enabled"}}, "InvalidRequest"},
		{"rule IDs are unique", []LifecycleRule{{ID: "a", Status: "Enabled", Expiration: days(1)}, {ID: "a", Status: "Enabled", Expiration: days(2)}}, "InvalidArgument"},
		{"a Prefix and a Filter do not go together", []LifecycleRule{{Status: "Enabled", Prefix: p("a"), Filter: &LifecycleFilter{}, Expiration: days(1)}}, "MalformedXML"},
		{"a date is at midnight", []LifecycleRule{{Status: "Enabled", Expiration: &LifecycleExpiration{Date: "2030-01-01T01:00:00Z"}}}, "InvalidArgument"},
		{"days and a date do not go together", []LifecycleRule{{Status: "Enabled", Expiration: &LifecycleExpiration{Days: 1, Date: "2030-01-01T00:00:00Z"}}}, "MalformedXML"},
		{"delete markers are not expired by tag", []LifecycleRule{{Status: "Enabled", Filter: tagged, Expiration: &LifecycleExpiration{ExpiredObjectDeleteMarker: true}}}, "InvalidRequest"},
		{"uploads are not aborted by tag", []LifecycleRule{{Status: "Enabled", Filter: tagged, AbortIncompleteMultipartUpload: &AbortIncompleteMultipartUpload{DaysAfterInitiation: 1}}}, "InvalidRequest"},
		{"noncurrent days are positive", []LifecycleRule{{Status: "Enabled", NoncurrentVersionExpiration: &NoncurrentVersionExpiration{}}}, "InvalidArgument"},
		{"at most 100 newer noncurrent versions", []LifecycleRule{{Status: "Enabled", NoncurrentVersionExpiration: &NoncurrentVersionExpiration{NoncurrentDays: 1, NewerNoncurrentVersions: 101}}}, "InvalidArgument"},
	} {
		lc := LifecycleConfiguration{Rules: c.rules}
		err := lc.Validate()
		var e *s3err.Error
		switch {
		case c.code == "" && err != nil:
			t.Errorf("%s: refused: %v", c.name, err)
		case c.code != "" && (!errors.As(err, &e) || e.Code != c.code):
			t.Errorf("%s: got %v, want %s", c.name, err, c.code)
		}
	}
}
