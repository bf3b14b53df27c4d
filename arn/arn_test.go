package arn

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

const (
	op   = "op-01ac5d28a6a232904"
	base = "arn:aws:s3-outposts:us-west-2:123456789012:outpost/" + op
)

func TestParseGeneric(t *testing.T) {
	tests := []struct {
		name, in string
		want     ARN
		wantErr  bool
	}{
		{"an IAM role ARN has no region", "arn:aws:iam::123456789012:role/admin", ARN{"aws", "iam", "", "123456789012", "role/admin"}, false},
		{"the resource keeps its colons", "arn:aws:s3-outposts:us-east-1:123456789012:outpost:op-1:accesspoint:x", ARN{"aws", "s3-outposts", "us-east-1", "123456789012", "outpost:op-1:accesspoint:x"}, false},
		{"a plain S3 object ARN has empty region and account", "arn:aws:s3:::bucket/key", ARN{"aws", "s3", "", "", "bucket/key"}, false},
		{"five fields are not an ARN", "arn:aws:s3:::", ARN{}, true},
		{"a missing arn prefix is rejected", "urn:aws:s3:::b", ARN{}, true},
		{"an empty partition is rejected", "arn::s3:::b", ARN{}, true},
		{"an empty service is rejected", "arn:aws::::b", ARN{}, true},
		{"the empty string is rejected", "", ARN{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Parse(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || e.Field != "arn" {
					t.Fatalf("error %v is not an *Error for field arn", err)
				}
				return
			}
			if got != tt.want {
				t.Fatalf("Parse(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			if got.String() != tt.in {
				t.Fatalf("String() = %q, want %q", got.String(), tt.in)
			}
		})
	}
}

func TestParseOutposts(t *testing.T) {
	r := func(kind Kind, f func(*OutpostsResource)) OutpostsResource {
		o := OutpostsResource{Partition: "aws", Region: "us-west-2", AccountID: "123456789012", Kind: kind, OutpostID: op}
		if f != nil {
			f(&o)
		}
		return o
	}
	tests := []struct {
		name      string
		in        string
		want      OutpostsResource
		canonical string // expected String(); "" means same as in
	}{
		{"an outpost ARN parses", base, r(KindOutpost, nil), ""},
		{"a bucket ARN from the user guide parses", base + "/bucket/example-outposts-bucket", r(KindBucket, func(o *OutpostsResource) { o.Bucket = "example-outposts-bucket" }), ""},
		{"an access point ARN parses", base + "/accesspoint/access-point-name", r(KindAccessPoint, func(o *OutpostsResource) { o.AccessPoint = "access-point-name" }), ""},
		{"an endpoint ARN parses", base + "/endpoint/abcdefghij012345678", r(KindEndpoint, func(o *OutpostsResource) { o.Endpoint = "abcdefghij012345678" }), ""},
		{"a bucket object ARN keeps slashes in the key", base + "/bucket/b1b/object/a/b:c/d", r(KindObject, func(o *OutpostsResource) { o.Bucket, o.Key, o.ObjectParent = "b1b", "a/b:c/d", KindBucket }), ""},
		{"an access point object ARN parses", base + "/accesspoint/ap1/object/myobject", r(KindObject, func(o *OutpostsResource) { o.AccessPoint, o.Key, o.ObjectParent = "ap1", "myobject", KindAccessPoint }), ""},
		{"a policy object wildcard is a valid key", base + "/bucket/b1b/object/*", r(KindObject, func(o *OutpostsResource) { o.Bucket, o.Key, o.ObjectParent = "b1b", "*", KindBucket }), ""},
		{"the colon-delimited access point form is normalised to slashes", "arn:aws:s3-outposts:us-west-2:123456789012:outpost:" + op + ":accesspoint:myaccesspoint", r(KindAccessPoint, func(o *OutpostsResource) { o.AccessPoint = "myaccesspoint" }), base + "/accesspoint/myaccesspoint"},
		{"the colon-delimited bucket form parses", "arn:aws:s3-outposts:us-west-2:123456789012:outpost:" + op + ":bucket:mybucket", r(KindBucket, func(o *OutpostsResource) { o.Bucket = "mybucket" }), base + "/bucket/mybucket"},
		{"an ec2 outpost ID is accepted for Outposts servers", "arn:aws:s3-outposts:us-west-2:123456789012:outpost/ec2/accesspoint/ap1", r(KindAccessPoint, func(o *OutpostsResource) { o.OutpostID, o.AccessPoint = "ec2", "ap1" }), ""},
		{"the aws-us-gov partition is accepted", "arn:aws-us-gov:s3-outposts:us-gov-west-1:123456789012:outpost/" + op, OutpostsResource{Partition: "aws-us-gov", Region: "us-gov-west-1", AccountID: "123456789012", Kind: KindOutpost, OutpostID: op}, ""},
		{"the aws-iso-b partition is accepted", "arn:aws-iso-b:s3-outposts:us-isob-east-1:123456789012:outpost/" + op, OutpostsResource{Partition: "aws-iso-b", Region: "us-isob-east-1", AccountID: "123456789012", Kind: KindOutpost, OutpostID: op}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseOutposts(tt.in)
			if err != nil {
				t.Fatalf("ParseOutposts(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Fatalf("ParseOutposts(%q)\n got %+v\nwant %+v", tt.in, got, tt.want)
			}
			want := tt.canonical
			if want == "" {
				want = tt.in
			}
			if got.String() != want {
				t.Fatalf("String() = %q, want %q", got.String(), want)
			}
			if got.String() != got.ARN().String() {
				t.Fatalf("String() = %q, ARN().String() = %q", got.String(), got.ARN().String())
			}
		})
	}
}

func TestParseOutpostsErrors(t *testing.T) {
	tests := []struct {
		name, in, field, msg string
	}{
		{"a non-ARN is rejected", "not-an-arn", "arn", "Invalid ARN: `not-an-arn` was not a valid ARN"},
		{"an s3 ARN is not an outposts ARN", "arn:aws:s3:::bucket", "service", "Invalid ARN: The ARN was not for the S3 on Outposts service, found: s3"},
		{"an unknown partition is rejected", "arn:aws-mars:s3-outposts:us-west-2:123456789012:outpost/" + op, "partition", "Invalid ARN: Unknown partition `aws-mars`"},
		{"a missing region is rejected", "arn:aws:s3-outposts::123456789012:outpost/" + op, "region", "Invalid ARN: The ARN is missing a region"},
		{"a region with dots is rejected", "arn:aws:s3-outposts:us.west:123456789012:outpost/" + op, "region", "Invalid region in ARN: `us.west`"},
		{"an upper-case region is rejected", "arn:aws:s3-outposts:US-WEST-2:123456789012:outpost/" + op, "region", "Invalid region in ARN"},
		{"a missing account is rejected", "arn:aws:s3-outposts:us-west-2::outpost/" + op, "account", "Invalid ARN: Missing account id"},
		{"an account with dots gets the SDK message", "arn:aws:s3-outposts:us-west-2:1234.5678:outpost/" + op, "account", "Invalid ARN: The account id may only contain a-z, A-Z, 0-9 and `-`. Found: `1234.5678`"},
		{"an 11-digit account is rejected", "arn:aws:s3-outposts:us-west-2:12345678901:outpost/" + op, "account", "Invalid ARN: The account id must be 12 digits"},
		{"a non-outpost resource type is rejected", "arn:aws:s3-outposts:us-west-2:123456789012:bucket/b", "resource", "Invalid ARN: Unrecognized format"},
		{"an empty resource type is rejected", "arn:aws:s3-outposts:us-west-2:123456789012:/x", "resource", "Invalid ARN: No ARN type specified"},
		{"an outpost without id is rejected", "arn:aws:s3-outposts:us-west-2:123456789012:outpost", "outpost", "Invalid ARN: The Outpost Id was not set"},
		{"an empty outpost id is rejected", "arn:aws:s3-outposts:us-west-2:123456789012:outpost/", "outpost", "Invalid ARN: The Outpost Id was not set"},
		{"an outpost id with an underscore gets the SDK message", "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op_01/bucket/b", "outpost", "Invalid ARN: The outpost Id may only contain a-z, A-Z, 0-9 and `-`. Found: `op_01`"},
		{"a short outpost id is rejected", "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-01ac", "outpost", "Invalid ARN: The outpost Id must be `op-` followed by 17"},
		{"an upper-case outpost id is rejected", "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-01AC5D28A6A232904", "outpost", "must be `op-`"},
		{"an unknown outpost sub-resource is rejected", base + "/table/t1", "resource", "Invalid ARN: Expected an outpost type `bucket`, `accesspoint` or `endpoint`, found table"},
		{"an access point without name is rejected", base + "/accesspoint", "accesspoint", "Invalid ARN: expected an access point name"},
		{"an access point with empty name is rejected", base + "/accesspoint/", "accesspoint", "Invalid ARN: expected an access point name"},
		{"a bucket without name is rejected", base + "/bucket", "bucket", "Invalid ARN: expected a bucket name"},
		{"an endpoint without id is rejected", base + "/endpoint", "endpoint", "Invalid ARN: expected an endpoint id"},
		{"an access point name with a dot gets the SDK message", base + "/accesspoint/my.ap", "accesspoint", "Invalid ARN: The access point name may only contain a-z, A-Z, 0-9 and `-`. Found: `my.ap`"},
		{"an upper-case access point name is rejected", base + "/accesspoint/MyAp", "accesspoint", "The access point name must be 3-50"},
		{"a two-char access point name is rejected", base + "/accesspoint/ab", "accesspoint", "The access point name must be 3-50"},
		{"a 51-char access point name is rejected", base + "/accesspoint/" + strings.Repeat("a", 51), "accesspoint", "The access point name must be 3-50"},
		{"an access point name ending in a hyphen is rejected", base + "/accesspoint/ap-", "accesspoint", "The access point name must be 3-50"},
		{"an access point with sub resources gets the SDK message", base + "/accesspoint/ap1/extra", "resource", "Invalid Arn: Outpost Access Point ARN contains sub resources"},
		{"a colon access point with sub resources gets the SDK message", "arn:aws:s3-outposts:us-west-2:123456789012:outpost:" + op + ":accesspoint:ap1:extra", "resource", "Invalid Arn: Outpost Access Point ARN contains sub resources"},
		{"a bucket with sub resources is rejected", base + "/bucket/b1b/extra/x", "resource", "Invalid Arn: Outpost Bucket ARN contains sub resources"},
		{"an endpoint with sub resources is rejected", base + "/endpoint/abcdefghij012345678/x", "endpoint", "Invalid Arn: Outpost Endpoint ARN contains sub resources"},
		{"a short endpoint id is rejected", base + "/endpoint/abc", "endpoint", "The endpoint id must be 19"},
		{"an endpoint id with a hyphen is rejected", base + "/endpoint/abcdefghij01234567-", "endpoint", "The endpoint id must be 19"},
		{"an upper-case bucket name is rejected", base + "/bucket/DOC-EXAMPLE-BUCKET1", "bucket", "The bucket name must be 3-63"},
		{"a bucket named like an IP address is rejected", base + "/bucket/192.168.5.4", "bucket", "The bucket name must be 3-63"},
		{"a bucket with adjacent periods is rejected", base + "/bucket/a..b", "bucket", "The bucket name must be 3-63"},
		{"a bucket with the reserved alias suffix is rejected", base + "/bucket/abc--op-s3", "bucket", "The bucket name must be 3-63"},
		{"a 64-char bucket name is rejected", base + "/bucket/" + strings.Repeat("b", 64), "bucket", "The bucket name must be 3-63"},
		{"an object without key is rejected", base + "/bucket/b1b/object/", "object", "Invalid ARN: expected an object key"},
		{"an object marker without separator is rejected", base + "/bucket/b1b/object", "object", "Invalid ARN: expected an object key"},
		{"an over-long key is rejected", base + "/bucket/b1b/object/" + strings.Repeat("k", 1025), "object", "at most 1024 bytes"},
		{"a key with invalid UTF-8 is rejected", base + "/bucket/b1b/object/\xff", "object", "valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseOutposts(tt.in)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("ParseOutposts(%q) error = %v, want *Error", tt.in, err)
			}
			if e.Field != tt.field || !strings.Contains(e.Message, tt.msg) || e.Input != tt.in {
				t.Fatalf("ParseOutposts(%q) = {%s %q}, want field %s containing %q", tt.in, e.Field, e.Message, tt.field, tt.msg)
			}
		})
	}
}

func TestOutpostsResourceHelpers(t *testing.T) {
	obj := MustParseOutposts(base + "/accesspoint/ap1/object/dir/key")
	if got, want := obj.Parent().String(), base+"/accesspoint/ap1"; got != want {
		t.Errorf("Parent() = %q, want %q", got, want)
	}
	if got, want := obj.Parent().Parent().String(), base; got != want {
		t.Errorf("Parent().Parent() = %q, want %q", got, want)
	}
	if got := obj.Parent().ObjectARN("dir/key"); got != obj {
		t.Errorf("ObjectARN round trip = %+v, want %+v", got, obj)
	}
	if obj.ARN().Service != ServiceOutposts {
		t.Errorf("ARN().Service = %q", obj.ARN().Service)
	}
	for k, s := range map[Kind]string{KindOutpost: "outpost", KindBucket: "bucket", KindAccessPoint: "accesspoint", KindEndpoint: "endpoint", KindObject: "object", 0: ""} {
		if k.String() != s {
			t.Errorf("Kind(%d).String() = %q, want %q", k, k.String(), s)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("MustParseOutposts did not panic on bad input")
		}
	}()
	MustParseOutposts("arn:aws:s3:::b")
}

func TestParseS3(t *testing.T) {
	tests := []struct {
		name, in  string
		want      S3Resource
		wantField string
	}{
		{"a bucket ARN parses", "arn:aws:s3:::my-bucket", S3Resource{"aws", "my-bucket", ""}, ""},
		{"an object ARN keeps its slashes", "arn:aws:s3:::my-bucket/a/b/c", S3Resource{"aws", "my-bucket", "a/b/c"}, ""},
		{"an aws-cn object ARN parses", "arn:aws-cn:s3:::my-bucket/*", S3Resource{"aws-cn", "my-bucket", "*"}, ""},
		{"a region is not allowed", "arn:aws:s3:us-east-1::my-bucket", S3Resource{}, "resource"},
		{"an account is not allowed", "arn:aws:s3::123456789012:my-bucket", S3Resource{}, "resource"},
		{"a bad bucket name is rejected", "arn:aws:s3:::My_Bucket", S3Resource{}, "bucket"},
		{"an empty key after the slash is rejected", "arn:aws:s3:::my-bucket/", S3Resource{}, "object"},
		{"an outposts ARN is the wrong service", base, S3Resource{}, "service"},
		{"an unknown partition is rejected", "arn:foo:s3:::my-bucket", S3Resource{}, "partition"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseS3(tt.in)
			if tt.wantField != "" {
				var e *Error
				if !errors.As(err, &e) || e.Field != tt.wantField {
					t.Fatalf("ParseS3(%q) error = %v, want field %s", tt.in, err, tt.wantField)
				}
				return
			}
			if err != nil || got != tt.want || got.String() != tt.in {
				t.Fatalf("ParseS3(%q) = %+v, %v (String %q), want %+v", tt.in, got, err, got.String(), tt.want)
			}
		})
	}
}

func TestParseAliasDocExample(t *testing.T) {
	// From s3-outposts-access-points-alias.md.
	const doc = "example-outp-o01ac5d28a6a232904e8xz5w8ijx1qzlbp3i3kuse10--op-s3"
	a, ok := ParseAlias(doc)
	if !ok {
		t.Fatalf("ParseAlias(%q) failed", doc)
	}
	want := Alias{NamePrefix: "example-outp", HWType: 'o', OutpostID: "01ac5d28a6a232904", Metadata: "e8xz5w8ijx1qzlbp3i3k", RegionPrefix: "use1", Reserved: '0'}
	if a != want {
		t.Fatalf("ParseAlias = %+v, want %+v", a, want)
	}
	if a.String() != doc {
		t.Fatalf("String() = %q, want %q", a.String(), doc)
	}
	if a.FullOutpostID() != op {
		t.Fatalf("FullOutpostID() = %q", a.FullOutpostID())
	}
	// The indexes the SDK endpoint rules use, counted from the end.
	n := len(doc)
	if doc[n-50] != 'o' || doc[n-49:n-32] != "01ac5d28a6a232904" || doc[n-12:n-8] != "use1" || doc[n-7:] != "--op-s3" {
		t.Fatal("doc example does not match the SDK layout")
	}
	if _, ok := ParseAlias("my-access-po-o0b1d075431d83bebde8xz5w8ijx1qzlbp3i3kuse10--op-s3"); !ok {
		t.Fatal("second doc example did not parse")
	}
}

func TestParseAliasRejects(t *testing.T) {
	good := "example-outp-o01ac5d28a6a232904e8xz5w8ijx1qzlbp3i3kuse10--op-s3"
	tests := map[string]string{
		"a bucket name without the suffix":   "example-outposts-bucket",
		"the wrong suffix":                   strings.TrimSuffix(good, "--op-s3") + "--ol-s3",
		"an unknown hardware type":           strings.Replace(good, "-o01ac", "-x01ac", 1),
		"upper case letters":                 strings.ToUpper(good[:5]) + good[5:],
		"a hyphen inside the fixed fields":   strings.Replace(good, "e8xz5", "e8-z5", 1),
		"no name prefix":                     good[13:],
		"a prefix without its hyphen":        "example-outpo" + good[13:],
		"a name prefix longer than 12 chars": "example-outpo-" + good[13:],
		"more than 63 characters":            "x" + good,
		"a prefix starting with a hyphen":    "-" + good[2:],
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			if a, ok := ParseAlias(in); ok {
				t.Fatalf("ParseAlias(%q) = %+v, want failure", in, a)
			}
		})
	}
}

func TestNewAlias(t *testing.T) {
	random := bytes.NewReader(bytes.Repeat([]byte{0, 1, 2, 255, 35, 36}, 20))
	got, err := NewAlias("example-outposts-access-point", op, HWTypeRack, "use1", random)
	if err != nil {
		t.Fatal(err)
	}
	// 255 is rejected; 0,1,2,35,36 map to a,b,c,9,a.
	want := "example-outp-o01ac5d28a6a232904abc9aabc9aabc9aabc9ause10--op-s3"
	if got != want {
		t.Fatalf("NewAlias = %q, want %q", got, want)
	}
	a, ok := ParseAlias(got)
	if !ok || a.HWType != 'o' || a.OutpostID != "01ac5d28a6a232904" || a.RegionPrefix != "use1" {
		t.Fatalf("ParseAlias(NewAlias) = %+v, %v", a, ok)
	}
	short, err := NewAlias("abc", "01ac5d28a6a232904", HWTypeServer, "usw2", bytes.NewReader(make([]byte, 64)))
	if err != nil || !IsAlias(short) || !strings.HasPrefix(short, "abc-e01ac") {
		t.Fatalf("short alias = %q, %v", short, err)
	}
	bad := []struct {
		name, ap, id string
		hw           byte
		region       string
	}{
		{"a bad access point name", "AB", op, 'o', "use1"},
		{"the ec2 outpost id", "abc", "ec2", 'o', "use1"},
		{"an unknown hardware type", "abc", op, 'x', "use1"},
		{"a 5-char region prefix", "abc", op, 'o', "apse2"},
		{"an upper-case region prefix", "abc", op, 'o', "USE1"},
	}
	for _, b := range bad {
		if _, err := NewAlias(b.ap, b.id, b.hw, b.region, bytes.NewReader(make([]byte, 64))); err == nil {
			t.Errorf("NewAlias with %s succeeded", b.name)
		}
	}
	if _, err := NewAlias("abc", op, 'o', "use1", bytes.NewReader(nil)); err == nil {
		t.Error("NewAlias with an empty random source succeeded")
	}
	if _, err := NewAlias("abc", op, 'o', "use1", nil); err == nil {
		t.Error("NewAlias with a nil random source succeeded")
	}
}

func TestRegionPrefix(t *testing.T) {
	tests := map[string]string{
		"us-east-1":       "use1",
		"us-west-2":       "usw2",
		"eu-central-1":    "euc1",
		"eu-west-1":       "euw1",
		"ap-south-1":      "aps1",
		"ap-southeast-2":  "ase2",
		"ap-northeast-1":  "ane1",
		"us-gov-west-1":   "ugw1",
		"ca-central-1":    "cac1",
		"US-EAST-1":       "use1",
		"local":           "loca",
		"xy":              "xy00",
		"":                "0000",
		"ap-southeast-12": "ase2",
	}
	for in, want := range tests {
		if got := RegionPrefix(in); got != want {
			t.Errorf("RegionPrefix(%q) = %q, want %q", in, got, want)
		}
		if got := RegionPrefix(in); len(got) != 4 || !isAlnum4(got) {
			t.Errorf("RegionPrefix(%q) = %q is not 4 alphanumerics", in, got)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		base, base + "/bucket/b1b", base + "/accesspoint/ap1/object/k", base + "/endpoint/abcdefghij012345678",
		"arn:aws:s3-outposts:us-west-2:123456789012:outpost:" + op + ":accesspoint:ap1",
		"arn:aws:s3:::bucket/key", "arn:aws:iam::123456789012:root", "arn::::::", "",
		"example-outp-o01ac5d28a6a232904e8xz5w8ijx1qzlbp3i3kuse10--op-s3",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if a, err := Parse(s); err == nil {
			if b, err := Parse(a.String()); err != nil || b != a {
				t.Fatalf("Parse round trip of %q: %+v, %v", s, b, err)
			}
		}
		if r, err := ParseOutposts(s); err == nil {
			if r2, err := ParseOutposts(r.String()); err != nil || r2 != r {
				t.Fatalf("ParseOutposts round trip of %q: %q -> %+v, %v", s, r.String(), r2, err)
			}
		}
		if r, err := ParseS3(s); err == nil {
			if r2, err := ParseS3(r.String()); err != nil || r2 != r {
				t.Fatalf("ParseS3 round trip of %q: %+v, %v", s, r2, err)
			}
		}
		if a, ok := ParseAlias(s); ok {
			if a.String() != s {
				t.Fatalf("alias %q re-assembles as %q", s, a.String())
			}
		}
	})
}
