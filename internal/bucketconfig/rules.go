package bucketconfig

import (
	"context"
	"fmt"
	"time"

	"github.com/outpost-s3/outpost/internal/objects"
)

// LifecycleRules returns the enabled rules of the bucket's stored
// lifecycle configuration, for the lifecycle worker (objects.Config's
// Lifecycle): an error wrapping meta.ErrNotFound when it has none.
func LifecycleRules(ctx context.Context, st Store, bucket string) ([]objects.LifecycleRule, error) {
	doc, err := st.GetBucketConfig(ctx, bucket, kindLifecycle)
	if err != nil {
		return nil, err
	}
	return compileLifecycle(doc)
}

// compileLifecycle parses a stored lifecycle document into its enabled rules.
func compileLifecycle(doc string) ([]objects.LifecycleRule, error) {
	lc, err := ParseLifecycle(doc)
	if err != nil {
		return nil, err
	}
	var out []objects.LifecycleRule
	for _, r := range lc.Rules {
		if r.Status != "Enabled" {
			continue
		}
		c := objects.LifecycleRule{ID: r.ID}
		if r.Prefix != nil {
			c.Prefix = *r.Prefix
		}
		if f := r.Filter; f != nil {
			if f.Prefix != nil {
				c.Prefix = *f.Prefix
			}
			if f.Tag != nil {
				c.Tags = map[string]string{f.Tag.Key: f.Tag.Value}
			}
			c.ObjectSizeGreaterThan, c.ObjectSizeLessThan = f.ObjectSizeGreaterThan, f.ObjectSizeLessThan
			if a := f.And; a != nil {
				if a.Prefix != nil {
					c.Prefix = *a.Prefix
				}
				if len(a.Tags) > 0 {
					c.Tags = map[string]string{}
					for _, t := range a.Tags {
						c.Tags[t.Key] = t.Value
					}
				}
				if a.ObjectSizeGreaterThan > 0 {
					c.ObjectSizeGreaterThan = a.ObjectSizeGreaterThan
				}
				if a.ObjectSizeLessThan > 0 {
					c.ObjectSizeLessThan = a.ObjectSizeLessThan
				}
			}
		}
		if e := r.Expiration; e != nil {
			c.ExpirationDays, c.ExpiredObjectDeleteMarker = e.Days, e.ExpiredObjectDeleteMarker
			if e.Date != "" {
				t, err := time.Parse(time.RFC3339, e.Date)
				if err != nil {
					return nil, fmt.Errorf("rule %q: date: %w", r.ID, err)
				}
				c.ExpirationDate = t.UTC()
			}
		}
		if n := r.NoncurrentVersionExpiration; n != nil {
			c.NoncurrentDays, c.NewerNoncurrentVersions = n.NoncurrentDays, n.NewerNoncurrentVersions
		}
		if a := r.AbortIncompleteMultipartUpload; a != nil {
			c.AbortIncompleteDays = a.DaysAfterInitiation
		}
		out = append(out, c)
	}
	return out, nil
}
