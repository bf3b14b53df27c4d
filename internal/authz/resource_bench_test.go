package authz

import (
	"testing"

	"github.com/outpost-s3/outpost/internal/meta"
)

// BenchmarkBucketARN measures the ARNs every authorized request formats
// (the bucket or object, and through an access point its two forms): one
// allocation each.
func BenchmarkBucketARN(b *testing.B) {
	plain := &meta.Bucket{Name: "photos", Account: account}
	ob := &meta.Bucket{Name: "ob-data", Account: account, OutpostID: outpost}
	ap := &meta.AccessPoint{Name: "reports", Account: account, OutpostID: outpost}
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = BucketARN(region, plain, "some/key.txt")
		}
	})
	b.Run("outposts", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = BucketARN(region, ob, "some/key.txt")
		}
	})
	b.Run("accesspoint", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = AccessPointARN(region, ap, "some/key.txt")
		}
	})
}
