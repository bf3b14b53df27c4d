package server

import (
	"encoding/xml"
	"errors"

	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/s3err"
)

// The S3 Control form of a lifecycle configuration differs from the S3
// form: rules sit in <Rules><Rule>, tag sets are <Tags><member>, and an And
// operator may carry size bounds. The handlers convert it to the S3 form,
// which is what is stored and enforced (lifecycle.go).

type ctlLifecycleConfiguration struct {
	XMLName xml.Name           `xml:"LifecycleConfiguration"`
	Rules   []ctlLifecycleRule `xml:"Rules>Rule"`
}

type ctlGetLifecycleResult struct {
	XMLName xml.Name           `xml:"GetBucketLifecycleConfigurationResult"`
	NS      string             `xml:"xmlns,attr"`
	Rules   []ctlLifecycleRule `xml:"Rules>Rule"`
}

type ctlLifecycleRule struct {
	Expiration                     *ctlExpiration        `xml:"Expiration,omitempty"`
	ID                             string                `xml:"ID,omitempty"`
	Filter                         *ctlLifecycleFilter   `xml:"Filter,omitempty"`
	Status                         string                `xml:"Status"`
	Transitions                    *xmlPresence          `xml:"Transitions,omitempty"`
	NoncurrentVersionTransitions   *xmlPresence          `xml:"NoncurrentVersionTransitions,omitempty"`
	NoncurrentVersionExpiration    *noncurrentExpiration `xml:"NoncurrentVersionExpiration,omitempty"`
	AbortIncompleteMultipartUpload *abortIncompleteMPU   `xml:"AbortIncompleteMultipartUpload,omitempty"`
}

// ctlExpiration is LifecycleExpiration; Date is a timestamp.
type ctlExpiration struct {
	Date                      string `xml:"Date,omitempty"`
	Days                      int    `xml:"Days,omitempty"`
	ExpiredObjectDeleteMarker bool   `xml:"ExpiredObjectDeleteMarker,omitempty"`
}

type ctlLifecycleFilter struct {
	Prefix                *string             `xml:"Prefix,omitempty"`
	Tag                   *tag                `xml:"Tag,omitempty"`
	And                   *ctlLifecycleAndOps `xml:"And,omitempty"`
	ObjectSizeGreaterThan int64               `xml:"ObjectSizeGreaterThan,omitempty"`
	ObjectSizeLessThan    int64               `xml:"ObjectSizeLessThan,omitempty"`
}

type ctlLifecycleAndOps struct {
	Prefix                *string `xml:"Prefix,omitempty"`
	Tags                  ctlTags `xml:"Tags,omitempty"`
	ObjectSizeGreaterThan int64   `xml:"ObjectSizeGreaterThan,omitempty"`
	ObjectSizeLessThan    int64   `xml:"ObjectSizeLessThan,omitempty"`
}

// xmlPresence records that an element was present, whatever it held.
type xmlPresence struct {
	Any []struct{} `xml:",any"`
}

func (c *ctlReq) putLifecycle() error {
	var in ctlLifecycleConfiguration
	if err := c.readXML(&in); err != nil {
		return err
	}
	lc := lifecycleConfiguration{NS: s3NS}
	for _, r := range in.Rules {
		out := lifecycleRule{ID: r.ID, Status: r.Status,
			NoncurrentVersionExpiration: r.NoncurrentVersionExpiration, AbortIncompleteMultipartUpload: r.AbortIncompleteMultipartUpload}
		if r.Transitions != nil || r.NoncurrentVersionTransitions != nil {
			out.Transition = &struct{}{}
		}
		if e := r.Expiration; e != nil {
			out.Expiration = &lifecycleExpiration{Days: e.Days, Date: e.Date, ExpiredObjectDeleteMarker: e.ExpiredObjectDeleteMarker}
		}
		if f := r.Filter; f != nil {
			out.Filter = &lifecycleFilter{Prefix: f.Prefix, Tag: f.Tag, ObjectSizeGreaterThan: f.ObjectSizeGreaterThan, ObjectSizeLessThan: f.ObjectSizeLessThan}
			if a := f.And; a != nil {
				out.Filter.And = &lifecycleAnd{Prefix: a.Prefix, Tags: a.Tags, ObjectSizeGreaterThan: a.ObjectSizeGreaterThan, ObjectSizeLessThan: a.ObjectSizeLessThan}
			}
		}
		lc.Rules = append(lc.Rules, out)
	}
	if err := validateLifecycle(&lc); err != nil {
		return err
	}
	doc, err := xml.Marshal(lc)
	if err != nil {
		return err
	}
	if err := c.s.cfg.Meta.PutBucketConfig(c.r.Context(), c.b.Name, "lifecycle", xml.Header+string(doc)); err != nil {
		return err
	}
	return c.ok()
}

func (c *ctlReq) getLifecycle() error {
	doc, err := c.s.cfg.Meta.GetBucketConfig(c.r.Context(), c.b.Name, "lifecycle")
	if errors.Is(err, meta.ErrNotFound) {
		return s3err.NoSuchLifecycleConfiguration.With(s3err.Field{Name: "BucketName", Value: c.b.Name})
	}
	if err != nil {
		return err
	}
	var lc lifecycleConfiguration
	if err := xml.Unmarshal([]byte(doc), &lc); err != nil {
		return err
	}
	res := ctlGetLifecycleResult{NS: controlNS, Rules: []ctlLifecycleRule{}}
	for _, r := range lc.Rules {
		out := ctlLifecycleRule{ID: r.ID, Status: r.Status,
			NoncurrentVersionExpiration: r.NoncurrentVersionExpiration, AbortIncompleteMultipartUpload: r.AbortIncompleteMultipartUpload}
		if e := r.Expiration; e != nil {
			out.Expiration = &ctlExpiration{Days: e.Days, Date: e.Date, ExpiredObjectDeleteMarker: e.ExpiredObjectDeleteMarker}
		}
		switch f := r.Filter; {
		case f != nil:
			out.Filter = &ctlLifecycleFilter{Prefix: f.Prefix, Tag: f.Tag, ObjectSizeGreaterThan: f.ObjectSizeGreaterThan, ObjectSizeLessThan: f.ObjectSizeLessThan}
			if a := f.And; a != nil {
				out.Filter.And = &ctlLifecycleAndOps{Prefix: a.Prefix, Tags: a.Tags, ObjectSizeGreaterThan: a.ObjectSizeGreaterThan, ObjectSizeLessThan: a.ObjectSizeLessThan}
			}
		case r.Prefix != nil:
			out.Filter = &ctlLifecycleFilter{Prefix: r.Prefix}
		}
		res.Rules = append(res.Rules, out)
	}
	return c.writeXML(200, res)
}

func (c *ctlReq) deleteLifecycle() error {
	if err := c.s.cfg.Meta.DeleteBucketConfig(c.r.Context(), c.b.Name, "lifecycle"); err != nil && !errors.Is(err, meta.ErrNotFound) {
		return err
	}
	return c.noContent()
}
