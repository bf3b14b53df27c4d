package server

import (
	"encoding/xml"
	"time"

	"github.com/outpost-s3/outpost/internal/s3err"
)

// lifecycleConfiguration is the subset of S3 lifecycle rules that S3 on
// Outposts supports: expiration and aborting incomplete multipart uploads.
// It is also the stored form ("lifecycle" bucket config) of configurations
// set through the S3 Control API (control_lifecycle.go), so that both APIs
// show the same rules and one worker enforces them (lifecycle_worker.go).
type lifecycleConfiguration struct {
	XMLName xml.Name        `xml:"LifecycleConfiguration"`
	NS      string          `xml:"xmlns,attr,omitempty"`
	Rules   []lifecycleRule `xml:"Rule"`
}

type lifecycleRule struct {
	ID                             string                `xml:"ID,omitempty"`
	Status                         string                `xml:"Status"`
	Prefix                         *string               `xml:"Prefix,omitempty"` // the pre-Filter form
	Filter                         *lifecycleFilter      `xml:"Filter,omitempty"`
	Expiration                     *lifecycleExpiration  `xml:"Expiration,omitempty"`
	NoncurrentVersionExpiration    *noncurrentExpiration `xml:"NoncurrentVersionExpiration,omitempty"`
	AbortIncompleteMultipartUpload *abortIncompleteMPU   `xml:"AbortIncompleteMultipartUpload,omitempty"`
	Transition                     *struct{}             `xml:"Transition,omitempty"`
	NoncurrentTransition           *struct{}             `xml:"NoncurrentVersionTransition,omitempty"`
}

type lifecycleExpiration struct {
	Days                      int    `xml:"Days,omitempty"`
	Date                      string `xml:"Date,omitempty"`
	ExpiredObjectDeleteMarker bool   `xml:"ExpiredObjectDeleteMarker,omitempty"`
}

type noncurrentExpiration struct {
	NoncurrentDays          int `xml:"NoncurrentDays,omitempty"`
	NewerNoncurrentVersions int `xml:"NewerNoncurrentVersions,omitempty"`
}

type abortIncompleteMPU struct {
	DaysAfterInitiation int `xml:"DaysAfterInitiation"`
}

type lifecycleFilter struct {
	Prefix                *string       `xml:"Prefix,omitempty"`
	Tag                   *tag          `xml:"Tag,omitempty"`
	And                   *lifecycleAnd `xml:"And,omitempty"`
	ObjectSizeGreaterThan int64         `xml:"ObjectSizeGreaterThan,omitempty"`
	ObjectSizeLessThan    int64         `xml:"ObjectSizeLessThan,omitempty"`
}

type lifecycleAnd struct {
	Prefix                *string `xml:"Prefix,omitempty"`
	Tags                  []tag   `xml:"Tag,omitempty"`
	ObjectSizeGreaterThan int64   `xml:"ObjectSizeGreaterThan,omitempty"`
	ObjectSizeLessThan    int64   `xml:"ObjectSizeLessThan,omitempty"`
}

func readLifecycle(rc *reqCtx) (*lifecycleConfiguration, error) {
	var lc lifecycleConfiguration
	if err := rc.readXML(&lc); err != nil {
		return nil, err
	}
	if err := validateLifecycle(&lc); err != nil {
		return nil, err
	}
	lc.NS = s3NS
	return &lc, nil
}

// validateLifecycle applies S3's rules for lifecycle configurations, and
// S3 on Outposts' restriction to expiration actions.
func validateLifecycle(lc *lifecycleConfiguration) error {
	if len(lc.Rules) == 0 || len(lc.Rules) > 1000 {
		return s3err.MalformedXML
	}
	ids := map[string]bool{}
	for _, r := range lc.Rules {
		if r.Status != "Enabled" && r.Status != "Disabled" {
			return s3err.MalformedXML
		}
		if r.Transition != nil || r.NoncurrentTransition != nil {
			return s3err.InvalidRequest.WithMessage("S3 on Outposts lifecycle rules support only expiration and aborting incomplete multipart uploads, not transitions.")
		}
		if r.Expiration == nil && r.NoncurrentVersionExpiration == nil && r.AbortIncompleteMultipartUpload == nil {
			return s3err.InvalidRequest.WithMessage("At least one action needs to be specified in a rule")
		}
		if len(r.ID) > 255 {
			return s3err.InvalidArgument.WithMessage("ID length should not exceed allowed limit of 255")
		}
		if r.ID != "" {
			if ids[r.ID] {
				return s3err.InvalidArgument.WithMessage("Rule ID must be unique. Found same ID for more than one rule")
			}
			ids[r.ID] = true
		}
		if r.Prefix != nil && r.Filter != nil {
			return s3err.MalformedXML
		}
		if e := r.Expiration; e != nil {
			if e.Days < 0 || (e.Days > 0 && e.Date != "") {
				return s3err.MalformedXML
			}
			if e.ExpiredObjectDeleteMarker && (e.Days > 0 || e.Date != "") {
				return s3err.MalformedXML.WithMessage("ExpiredObjectDeleteMarker cannot be specified with Days or Date in a Lifecycle Expiration Policy.")
			}
			if e.Days == 0 && e.Date == "" && !e.ExpiredObjectDeleteMarker {
				return s3err.InvalidArgument.WithMessage("'Days' in the Expiration action for filter must be a positive integer")
			}
			if e.Date != "" {
				t, err := time.Parse(time.RFC3339, e.Date)
				if err != nil || !t.UTC().Equal(t.UTC().Truncate(24*time.Hour)) {
					return s3err.InvalidArgument.WithMessage("'Date' must be at midnight GMT")
				}
			}
			if e.ExpiredObjectDeleteMarker && hasTagFilter(r) {
				return s3err.InvalidRequest.WithMessage("ExpiredObjectDeleteMarker cannot be specified with a tag-based filter.")
			}
		}
		if n := r.NoncurrentVersionExpiration; n != nil {
			if n.NoncurrentDays <= 0 {
				return s3err.InvalidArgument.WithMessage("'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer")
			}
			if n.NewerNoncurrentVersions < 0 || n.NewerNoncurrentVersions > 100 {
				return s3err.InvalidArgument.WithMessage("'NewerNoncurrentVersions' must be an integer from 1 to 100")
			}
		}
		if a := r.AbortIncompleteMultipartUpload; a != nil {
			if a.DaysAfterInitiation <= 0 {
				return s3err.InvalidArgument.WithMessage("'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer")
			}
			if hasTagFilter(r) {
				return s3err.InvalidRequest.WithMessage("AbortIncompleteMultipartUpload cannot be specified with Tags.")
			}
		}
	}
	return nil
}

// hasTagFilter reports whether a rule filters on object tags.
func hasTagFilter(r lifecycleRule) bool {
	f := r.Filter
	return f != nil && (f.Tag != nil || (f.And != nil && len(f.And.Tags) > 0))
}
