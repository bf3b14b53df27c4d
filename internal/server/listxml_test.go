package server

import (
	"encoding/xml"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/outpost-s3/outpost/internal/meta"
)

func TestListBucketResultXMLMatchesEncodingXML(t *testing.T) {
	count, empty, tok := 3, "", "dG9r"
	keys := []string{"plain/key.txt", `a&b<c>d"e'f`, "tab\tnl\ncr\r", "é ünïcødé 🙂", "bad\xffutf8", "ctl\x01x", "\uFFFE"}
	for _, withOwner := range []bool{false, true} {
		r := listBucketResult{NS: s3NS, Name: "bucket", Prefix: "p&", Marker: &empty, NextMarker: "n<", ContToken: &tok,
			NextContToken: "next", StartAfter: "s>", KeyCount: &count, MaxKeys: 1000, Delimiter: "/", EncodingType: "url", IsTruncated: true,
			CommonPrefixes: []commonPrefix{{"a/"}, {"b&/"}}}
		for i, k := range keys {
			e := listEntry{Key: k, LastModified: "2026-11-29T00:00:00.000Z", ETag: `"abc"`, Size: int64(i), StorageClass: "STANDARD"}
			if i%2 == 0 {
				e.ChecksumAlgorithm, e.ChecksumType = "CRC32", "FULL_OBJECT"
			}
			if withOwner {
				e.Owner = &owner{ID: "111122223333", DisplayName: map[bool]string{true: "x", false: ""}[i%2 == 0]}
			}
			r.Contents = append(r.Contents, e)
		}
		want, err := xml.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.appendXML(nil); string(got) != string(want) {
			t.Errorf("hand-written ListBucketResult differs from encoding/xml:\n got %s\nwant %s", got, want)
		}
		bare := listBucketResult{NS: s3NS, Name: "b", MaxKeys: 0}
		want, _ = xml.Marshal(bare)
		if got := bare.appendXML(nil); string(got) != string(want) {
			t.Errorf("empty result:\n got %s\nwant %s", got, want)
		}
	}
}

// listEntryOf is what the handlers made of a listed object before
// appendObjectEntry wrote objects directly: the reference it must match.
func listEntryOf(o *meta.Object, enc func(string) string, ow *owner) listEntry {
	e := listEntry{Key: enc(o.Key), LastModified: iso8601(o.LastModified), ETag: quote(o.ETag), Size: o.Size, StorageClass: storageClassOf(o), Owner: ow}
	for alg := range o.Checksums {
		e.ChecksumAlgorithm = alg
		e.ChecksumType = o.ChecksumType
	}
	return e
}

func TestListObjectsXMLMatchesEncodingXML(t *testing.T) {
	keys := []string{"plain/key.txt", `a&b<c>d"e'f`, "tab\tnl\ncr\r", "é ünïcødé 🙂", "bad\xffutf8", "ctl\x01x", "\uFFFE", "", "a b+c%2F/d"}
	times := []time.Time{{}, time.Unix(0, 0), time.Unix(1700000000, 123456789), time.Unix(1700000000, 999999999).In(time.FixedZone("x", -7*3600)),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}
	var objs []meta.Object
	for i, k := range keys {
		o := meta.Object{Key: k, Size: int64(i) << 33, ETag: []string{"d41d8cd98f00b204e9800998ecf8427e", "abc-12", "", `q"&`, "\xff"}[i%5],
			LastModified: times[i%len(times)], StorageClass: []string{"", "STANDARD", "OUTPOSTS"}[i%3]}
		switch i % 3 {
		case 1:
			o.Checksums, o.ChecksumType = map[string]string{"CRC32": "AAAAAA=="}, "FULL_OBJECT"
		case 2:
			o.Checksums = map[string]string{"SHA256": "x"} // no type
		}
		objs = append(objs, o)
	}
	for _, ow := range []*owner{nil, {ID: "111122223333", DisplayName: "111122223333"}, {ID: "a&b"}} {
		for _, enc := range []func(string) string{func(s string) string { return s }, urlEncodeKey} {
			r := listBucketResult{NS: s3NS, Name: "bucket", MaxKeys: 1000, CommonPrefixes: []commonPrefix{{"a/"}},
				Contents: []listEntry{{Key: "first", ETag: `"e"`, StorageClass: "STANDARD"}}, objects: objs, enc: enc, owner: ow}
			ref := r
			ref.objects = nil
			for i := range objs {
				ref.Contents = append(ref.Contents, listEntryOf(&objs[i], enc, ow))
			}
			want, err := xml.Marshal(ref)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.appendXML(nil); string(got) != string(want) {
				t.Errorf("owner %v: objects written directly differ from encoding/xml:\n got %s\nwant %s", ow, got, want)
			}
		}
	}
}

func TestAppendISO8601(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	ts := []time.Time{{}, time.Unix(0, 0), time.Unix(-1, 999999999), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 12, 31, 0, 0, 0, 1e6, time.UTC),
		time.Date(2026, 11, 29, 4, 5, 6, 7e6, time.FixedZone("", 14*3600))}
	for range 10000 {
		ts = append(ts, time.Unix(rnd.Int64N(1<<38)-1<<37, rnd.Int64N(1e9)))
	}
	for _, tm := range ts {
		if got, want := string(appendISO8601([]byte("x"), tm)), "x"+iso8601(tm); got != want {
			t.Fatalf("%v: got %s want %s", tm, got, want)
		}
	}
}

func BenchmarkListObjectsXML(b *testing.B) {
	objs := make([]meta.Object, 1000)
	now := time.Now()
	for i := range objs {
		objs[i] = meta.Object{Key: fmt.Sprintf("k/%07d", i), Size: 1024, ETag: "d41d8cd98f00b204e9800998ecf8427e", LastModified: now, StorageClass: "STANDARD"}
	}
	r := listBucketResult{NS: s3NS, Name: "bucket", MaxKeys: 1000, objects: objs, enc: func(s string) string { return s }}
	buf := r.appendXML(nil)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		buf = r.appendXML(buf[:0])
	}
}
