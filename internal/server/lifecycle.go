package server

import (
	"encoding/xml"
	"time"

	"github.com/outpost-s3/outpost/internal/s3err"
)

// lifecycleConfiguration is the subset of S3 lifecycle rules that S3 on
// Outposts supports: expiration and aborting incomplete multipart uploads.
type lifecycleConfiguration struct {
	XMLName xml.Name        `xml:"LifecycleConfiguration"`
	NS      string          `xml:"xmlns,attr,omitempty"`
	Rules   []lifecycleRule `xml:"Rule"`
}

type lifecycleRule struct {
	ID         string           `xml:"ID,omitempty"`
	Status     string           `xml:"Status"`
	Prefix     *string          `xml:"Prefix,omitempty"`
	Filter     *lifecycleFilter `xml:"Filter,omitempty"`
	Expiration *struct {
		Days                      int    `xml:"Days,omitempty"`
		Date                      string `xml:"Date,omitempty"`
		ExpiredObjectDeleteMarker bool   `xml:"ExpiredObjectDeleteMarker,omitempty"`
	} `xml:"Expiration,omitempty"`
	NoncurrentVersionExpiration *struct {
		NoncurrentDays          int `xml:"NoncurrentDays,omitempty"`
		NewerNoncurrentVersions int `xml:"NewerNoncurrentVersions,omitempty"`
	} `xml:"NoncurrentVersionExpiration,omitempty"`
	AbortIncompleteMultipartUpload *struct {
		DaysAfterInitiation int `xml:"DaysAfterInitiation"`
	} `xml:"AbortIncompleteMultipartUpload,omitempty"`
	Transition           *struct{} `xml:"Transition,omitempty"`
	NoncurrentTransition *struct{} `xml:"NoncurrentVersionTransition,omitempty"`
}

type lifecycleFilter struct {
	Prefix *string `xml:"Prefix,omitempty"`
	Tag    *tag    `xml:"Tag,omitempty"`
	And    *struct {
		Prefix *string `xml:"Prefix,omitempty"`
		Tags   []tag   `xml:"Tag,omitempty"`
	} `xml:"And,omitempty"`
	ObjectSizeGreaterThan int64 `xml:"ObjectSizeGreaterThan,omitempty"`
	ObjectSizeLessThan    int64 `xml:"ObjectSizeLessThan,omitempty"`
}

func readLifecycle(rc *reqCtx) (*lifecycleConfiguration, error) {
	var lc lifecycleConfiguration
	if err := rc.readXML(&lc); err != nil {
		return nil, err
	}
	if len(lc.Rules) == 0 || len(lc.Rules) > 1000 {
		return nil, s3err.MalformedXML
	}
	ids := map[string]bool{}
	for _, r := range lc.Rules {
		if r.Status != "Enabled" && r.Status != "Disabled" {
			return nil, s3err.MalformedXML
		}
		if r.Transition != nil || r.NoncurrentTransition != nil {
			return nil, s3err.InvalidRequest.WithMessage("S3 on Outposts lifecycle rules support only expiration and aborting incomplete multipart uploads, not transitions.")
		}
		if r.Expiration == nil && r.NoncurrentVersionExpiration == nil && r.AbortIncompleteMultipartUpload == nil {
			return nil, s3err.InvalidRequest.WithMessage("At least one action needs to be specified in a rule")
		}
		if r.ID != "" {
			if ids[r.ID] {
				return nil, s3err.InvalidArgument.WithMessage("Rule ID must be unique. Found same ID for more than one rule")
			}
			ids[r.ID] = true
		}
		if e := r.Expiration; e != nil {
			if e.Days < 0 || (e.Days > 0 && e.Date != "") {
				return nil, s3err.MalformedXML
			}
			if e.Date != "" {
				if _, err := time.Parse(time.RFC3339, e.Date); err != nil {
					return nil, s3err.InvalidArgument.WithMessage("'Date' must be at midnight GMT")
				}
			}
		}
	}
	lc.NS = s3NS
	return &lc, nil
}
