package objects

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/outpost-s3/outpost/internal/meta"
)

// Lifecycle enforcement. RunLifecycle applies every bucket's enabled
// lifecycle rules once; app.StartBackground calls it periodically. Rules
// set through the S3 API and the S3 Control API are the same stored
// document (bucketconfig, s3xml), so both are enforced; Config.Lifecycle
// (bucketconfig.LifecycleRules) turns it into LifecycleRules.
//
// Time follows the AWS rules
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-expire-general-considerations.html):
// an object expires Days after its creation (LastModified) rounded UP to
// the next midnight UTC — an object written 2024-01-15 10:30 UTC with
// Days=1 expires at 2024-01-17 00:00 UTC. The same rounding applies to
// NoncurrentDays, counted from the moment a version became noncurrent,
// which we take to be the LastModified of the version that replaced it
// (AWS records the transition itself; the newer version's write time is
// the same instant except for clock skew), and to DaysAfterInitiation of
// multipart uploads. A Date expires matching objects from that midnight.
//
// The pass is not atomic with concurrent writes: an object rewritten
// between the listing and the expiration check is re-read first, but a
// write landing in the instants between that check and the delete can be
// expired too (AWS lifecycle is likewise asynchronous).

// afterDays is when something that started at t is days old by the AWS
// rule: t + days, rounded up to the next midnight UTC.
func afterDays(t time.Time, days int) time.Time {
	d := t.UTC().Add(time.Duration(days) * 24 * time.Hour)
	if m := d.Truncate(24 * time.Hour); !m.Equal(d) {
		return m.Add(24 * time.Hour)
	}
	return d
}

// LifecycleRule is one enabled lifecycle rule, in the terms of the S3
// LifecycleConfiguration it comes from: its filter (Prefix, Tags, size
// bounds) and its actions. Zero values mean "none".
type LifecycleRule struct {
	ID     string
	Prefix string
	// Tags must all be on the object, with these values.
	Tags map[string]string
	// ObjectSizeGreaterThan and ObjectSizeLessThan bound the object size,
	// in bytes, exclusive.
	ObjectSizeGreaterThan, ObjectSizeLessThan int64

	// ExpirationDays expires a current version that many days after its
	// creation; ExpirationDate expires matching current versions from that
	// instant (midnight UTC).
	ExpirationDays int
	ExpirationDate time.Time
	// ExpiredObjectDeleteMarker removes a delete marker that is the only
	// version of its key.
	ExpiredObjectDeleteMarker bool

	// NoncurrentDays removes a noncurrent version that many days after it
	// became noncurrent, keeping the NewerNoncurrentVersions newest ones.
	NoncurrentDays, NewerNoncurrentVersions int
	// AbortIncompleteDays aborts a multipart upload that many days after
	// it was initiated.
	AbortIncompleteDays int
}

// matches reports whether an object version falls under the rule's
// filter. tags is called only when the rule filters on tags.
func (r *LifecycleRule) matches(o *meta.Object, tags func() map[string]string) bool {
	if !strings.HasPrefix(o.Key, r.Prefix) {
		return false
	}
	if r.ObjectSizeGreaterThan > 0 && !(o.Size > r.ObjectSizeGreaterThan) {
		return false
	}
	if r.ObjectSizeLessThan > 0 && !(o.Size < r.ObjectSizeLessThan) {
		return false
	}
	if len(r.Tags) > 0 {
		if o.DeleteMarker {
			return false
		}
		have := tags()
		for k, v := range r.Tags {
			if got, ok := have[k]; !ok || got != v {
				return false
			}
		}
	}
	return true
}

// LifecycleStats counts what one lifecycle pass did.
type LifecycleStats struct {
	Buckets          int // buckets with a lifecycle configuration
	Expired          int // current versions expired (deleted, or hidden by a delete marker)
	NoncurrentPurged int // noncurrent versions removed
	MarkersRemoved   int // expired object delete markers removed
	UploadsAborted   int // incomplete multipart uploads aborted
}

// RunLifecycle applies every bucket's enabled lifecycle rules once, at the
// service's clock (Config.Now). It goes on past a failing bucket and
// returns the first error.
func (s *Service) RunLifecycle(ctx context.Context) (LifecycleStats, error) {
	var st LifecycleStats
	buckets, err := s.cfg.Meta.ListBuckets(ctx, "", "*")
	if err != nil {
		return st, err
	}
	var first error
	for _, b := range buckets {
		if ctx.Err() != nil {
			return st, ctx.Err()
		}
		rules, err := s.cfg.Lifecycle(ctx, b.Name)
		if errors.Is(err, meta.ErrNotFound) || errors.Is(err, meta.ErrNoSuchBucket) {
			continue
		}
		if err == nil && len(rules) > 0 {
			st.Buckets++
			err = s.lifecycleBucket(ctx, b, rules, &st)
		}
		if err != nil {
			s.log.Warn("lifecycle pass failed for a bucket", "bucket", b.Name, "error", err)
			if first == nil {
				first = fmt.Errorf("lifecycle %s: %w", b.Name, err)
			}
		}
	}
	if st.Expired+st.NoncurrentPurged+st.MarkersRemoved+st.UploadsAborted > 0 {
		s.log.Info("lifecycle pass", "expired", st.Expired, "noncurrent", st.NoncurrentPurged,
			"delete_markers", st.MarkersRemoved, "uploads_aborted", st.UploadsAborted)
	}
	return st, first
}

func (s *Service) lifecycleBucket(ctx context.Context, b meta.Bucket, rules []LifecycleRule, st *LifecycleStats) error {
	now := s.cfg.Now().UTC()
	var needVersions, needUploads bool
	for _, r := range rules {
		needVersions = needVersions || r.ExpirationDays > 0 || !r.ExpirationDate.IsZero() || r.ExpiredObjectDeleteMarker || r.NoncurrentDays > 0
		needUploads = needUploads || r.AbortIncompleteDays > 0
	}
	if needVersions {
		opts := meta.VersionListOptions{MaxKeys: 1000}
		var group []meta.Object // versions of one key, newest first
		for {
			page, err := s.cfg.Meta.ListObjectVersions(ctx, b.Name, opts)
			if err != nil {
				return err
			}
			for _, v := range page.Versions {
				if len(group) > 0 && group[0].Key != v.Key {
					if err := s.lifecycleKey(ctx, b, rules, group, now, st); err != nil {
						return err
					}
					group = group[:0]
				}
				group = append(group, v)
			}
			if !page.IsTruncated {
				break
			}
			opts.KeyMarker, opts.VersionIDMarker = page.NextKeyMarker, page.NextVersionIDMarker
		}
		if len(group) > 0 {
			if err := s.lifecycleKey(ctx, b, rules, group, now, st); err != nil {
				return err
			}
		}
	}
	if needUploads {
		if err := s.lifecycleUploads(ctx, b, rules, now, st); err != nil {
			return err
		}
	}
	return nil
}

// lifecycleKey applies the rules to the versions of one key (newest first).
func (s *Service) lifecycleKey(ctx context.Context, b meta.Bucket, rules []LifecycleRule, versions []meta.Object, now time.Time, st *LifecycleStats) error {
	tagsOf := func(o *meta.Object) func() map[string]string {
		var tags map[string]string
		loaded := false
		return func() map[string]string {
			if !loaded {
				loaded = true
				if full, err := s.cfg.Meta.GetObject(ctx, b.Name, o.Key, o.VersionID); err == nil {
					tags = full.Tags
				}
			}
			return tags
		}
	}
	versioned := b.Versioning != ""
	remaining := len(versions)

	// Noncurrent versions: the i-th one (0 = newest) became noncurrent
	// when versions[i-1] was written.
	noncurrentSeen := 0
	for i := 1; i < len(versions); i++ {
		v := &versions[i]
		since := versions[i-1].LastModified
		tags := tagsOf(v)
		for _, r := range rules {
			if r.NoncurrentDays == 0 || noncurrentSeen < r.NewerNoncurrentVersions || !r.matches(v, tags) || now.Before(afterDays(since, r.NoncurrentDays)) {
				continue
			}
			if err := s.lifecycleDelete(ctx, b.Name, v.Key, v.VersionID); err != nil {
				return err
			}
			st.NoncurrentPurged++
			remaining--
			break
		}
		noncurrentSeen++
	}

	cur := &versions[0]
	if !cur.IsLatest {
		return nil
	}
	if cur.DeleteMarker {
		// An expired object delete marker: the only version left.
		if remaining != 1 || !versioned {
			return nil
		}
		for _, r := range rules {
			if r.ExpiredObjectDeleteMarker && r.matches(cur, nil) {
				if err := s.lifecycleDelete(ctx, b.Name, cur.Key, cur.VersionID); err != nil {
					return err
				}
				st.MarkersRemoved++
				return nil
			}
		}
		return nil
	}
	tags := tagsOf(cur)
	for _, r := range rules {
		if r.ExpirationDays == 0 && r.ExpirationDate.IsZero() {
			continue
		}
		due := r.ExpirationDate
		if r.ExpirationDays > 0 {
			due = afterDays(cur.LastModified, r.ExpirationDays)
		}
		if now.Before(due) || !r.matches(cur, tags) {
			continue
		}
		// Re-read: the key may have been rewritten since the listing.
		latest, err := s.cfg.Meta.GetObject(ctx, b.Name, cur.Key, "")
		if err != nil || latest.VersionID != cur.VersionID || !latest.LastModified.Equal(cur.LastModified) {
			return nil
		}
		// On a versioned bucket, "" adds a delete marker, as S3 does; on an
		// unversioned one it removes the object.
		if _, err := s.Delete(ctx, b.Name, cur.Key, "", nil); err != nil {
			return err
		}
		st.Expired++
		return nil
	}
	return nil
}

func (s *Service) lifecycleDelete(ctx context.Context, bucket, key, versionID string) error {
	_, err := s.Delete(ctx, bucket, key, versionID, nil)
	return err
}

func (s *Service) lifecycleUploads(ctx context.Context, b meta.Bucket, rules []LifecycleRule, now time.Time, st *LifecycleStats) error {
	opts := meta.UploadListOptions{MaxUploads: 1000}
	for {
		page, err := s.cfg.Meta.ListUploads(ctx, b.Name, opts)
		if err != nil {
			return err
		}
		for _, u := range page.Uploads {
			for _, r := range rules {
				if r.AbortIncompleteDays == 0 || !strings.HasPrefix(u.Key, r.Prefix) || now.Before(afterDays(u.Initiated, r.AbortIncompleteDays)) {
					continue
				}
				err := s.AbortUpload(ctx, b.Name, u.Key, u.ID)
				if errors.Is(err, meta.ErrNoSuchUpload) {
					break // completed or aborted meanwhile
				}
				if err != nil {
					return err
				}
				st.UploadsAborted++
				break
			}
		}
		if !page.IsTruncated {
			return nil
		}
		opts.KeyMarker, opts.UploadIDMarker = page.NextKeyMarker, page.NextUploadIDMarker
	}
}
