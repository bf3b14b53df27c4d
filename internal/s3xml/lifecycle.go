package s3xml

import (
	"encoding/xml"
	"time"

	"github.com/outpost-s3/outpost/internal/s3err"
)

// LifecycleConfiguration is a bucket's lifecycle configuration: the body
// of PutBucketLifecycleConfiguration and the answer of
// GetBucketLifecycleConfiguration, in S3 and S3 Control alike, and the
// stored form (the S3 document) that the lifecycle worker enforces. S3 on
// Outposts supports the expiration actions and aborting incomplete
// multipart uploads, not transitions.
//
// The S3 Control form differs from the S3 form: rules sit in
// <Rules><Rule>, a rule's elements come in the API model's order, a tag set
// in an And operator is <Tags><member>…, a rule has no pre-Filter <Prefix>
// (one stored from S3 is shown as a Filter), transitions are called
// Transitions and NoncurrentVersionTransitions, and the answer's root is
// GetBucketLifecycleConfigurationResult.
type LifecycleConfiguration struct {
	Form  Form
	Rules []LifecycleRule
}

// LifecycleRule is one rule. Its struct tags are the S3 form.
type LifecycleRule struct {
	ID                             string                          `xml:"ID,omitempty"`
	Status                         string                          `xml:"Status"`
	Prefix                         *string                         `xml:"Prefix,omitempty"` // the pre-Filter form (S3 only)
	Filter                         *LifecycleFilter                `xml:"Filter,omitempty"`
	Expiration                     *LifecycleExpiration            `xml:"Expiration,omitempty"`
	NoncurrentVersionExpiration    *NoncurrentVersionExpiration    `xml:"NoncurrentVersionExpiration,omitempty"`
	AbortIncompleteMultipartUpload *AbortIncompleteMultipartUpload `xml:"AbortIncompleteMultipartUpload,omitempty"`
	// Transition reports that the rule asks for a transition to another
	// storage class, which S3 on Outposts does not have (Validate refuses
	// it). It is never written.
	Transition bool `xml:"-"`

	read formElements // what UnmarshalXML read of both forms' own elements
}

// LifecycleExpiration is a rule's Expiration action.
type LifecycleExpiration struct {
	Days                      int    `xml:"Days,omitempty"`
	Date                      string `xml:"Date,omitempty"` // midnight UTC, RFC 3339
	ExpiredObjectDeleteMarker bool   `xml:"ExpiredObjectDeleteMarker,omitempty"`
}

// NoncurrentVersionExpiration is a rule's action on noncurrent versions.
type NoncurrentVersionExpiration struct {
	NoncurrentDays          int `xml:"NoncurrentDays,omitempty"`
	NewerNoncurrentVersions int `xml:"NewerNoncurrentVersions,omitempty"`
}

// AbortIncompleteMultipartUpload is a rule's action on unfinished uploads.
type AbortIncompleteMultipartUpload struct {
	DaysAfterInitiation int `xml:"DaysAfterInitiation"`
}

// LifecycleFilter says which objects a rule applies to.
type LifecycleFilter struct {
	Prefix                *string       `xml:"Prefix,omitempty"`
	Tag                   *Tag          `xml:"Tag,omitempty"`
	And                   *LifecycleAnd `xml:"And,omitempty"`
	ObjectSizeGreaterThan int64         `xml:"ObjectSizeGreaterThan,omitempty"`
	ObjectSizeLessThan    int64         `xml:"ObjectSizeLessThan,omitempty"`
}

// LifecycleAnd combines a filter's conditions.
type LifecycleAnd struct {
	Prefix                *string `xml:"Prefix,omitempty"`
	Tags                  []Tag   `xml:"Tag,omitempty"`
	ObjectSizeGreaterThan int64   `xml:"ObjectSizeGreaterThan,omitempty"`
	ObjectSizeLessThan    int64   `xml:"ObjectSizeLessThan,omitempty"`

	controlTags []Tag // <Tags> items, read for the S3 Control form
}

// formElements records the elements of a rule that only one form defines,
// until the document's form settles which of them count.
type formElements struct {
	s3Transition, controlTransition bool
}

// MarshalXML writes lc as a document in its form, with the namespace.
func (lc LifecycleConfiguration) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	start := lc.Form.answer("LifecycleConfiguration", "GetBucketLifecycleConfigurationResult")
	if lc.Form == S3 {
		return e.EncodeElement(struct {
			Rules []LifecycleRule `xml:"Rule"`
		}{lc.Rules}, start)
	}
	rules := make([]controlRule, len(lc.Rules))
	for i := range lc.Rules {
		rules[i] = controlRule{&lc.Rules[i]}
	}
	return e.EncodeElement(struct {
		Rules []controlRule `xml:"Rules>Rule"`
	}{rules}, start)
}

// UnmarshalXML reads a <LifecycleConfiguration> document in lc's form.
func (lc *LifecycleConfiguration) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	if start.Name.Local != "LifecycleConfiguration" {
		return errRoot{"LifecycleConfiguration", start.Name.Local}
	}
	var doc struct {
		Rules        []LifecycleRule `xml:"Rule"`
		ControlRules []LifecycleRule `xml:"Rules>Rule"`
	}
	if err := d.DecodeElement(&doc, &start); err != nil {
		return err
	}
	lc.Rules = doc.Rules
	if lc.Form == Control {
		lc.Rules = doc.ControlRules
	}
	for i := range lc.Rules {
		lc.Rules[i].settle(lc.Form)
	}
	return nil
}

// UnmarshalXML reads a rule of either form; its document settles the
// elements of one form only.
func (r *LifecycleRule) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	type plain LifecycleRule
	var v struct {
		plain
		Transition                   *struct{} `xml:"Transition"`
		NoncurrentVersionTransition  *struct{} `xml:"NoncurrentVersionTransition"`
		Transitions                  *struct{} `xml:"Transitions"`
		NoncurrentVersionTransitions *struct{} `xml:"NoncurrentVersionTransitions"`
	}
	if err := d.DecodeElement(&v, &start); err != nil {
		return err
	}
	*r = LifecycleRule(v.plain)
	r.read = formElements{
		s3Transition:      v.Transition != nil || v.NoncurrentVersionTransition != nil,
		controlTransition: v.Transitions != nil || v.NoncurrentVersionTransitions != nil,
	}
	return nil
}

// UnmarshalXML reads an And operator of either form.
func (a *LifecycleAnd) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	type plain LifecycleAnd
	var v struct {
		plain
		ControlTags tagItems `xml:"Tags"`
	}
	if err := d.DecodeElement(&v, &start); err != nil {
		return err
	}
	*a = LifecycleAnd(v.plain)
	a.controlTags = v.ControlTags.named("")
	return nil
}

// settle keeps what form f defines of a rule read by UnmarshalXML.
func (r *LifecycleRule) settle(f Form) {
	r.Transition = r.read.s3Transition
	if f == Control {
		r.Transition = r.read.controlTransition
		r.Prefix = nil
	}
	r.read = formElements{}
	if r.Filter != nil && r.Filter.And != nil {
		a := r.Filter.And
		if f == Control {
			a.Tags = a.controlTags
		}
		a.controlTags = nil
	}
}

// controlRule writes a rule in the S3 Control form.
type controlRule struct{ r *LifecycleRule }

func (c controlRule) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	r := c.r
	var exp, filter any
	if x := r.Expiration; x != nil {
		exp = controlExpiration{x}
	}
	switch {
	case r.Filter != nil:
		filter = controlFilter{r.Filter}
	case r.Prefix != nil:
		filter = controlFilter{&LifecycleFilter{Prefix: r.Prefix}}
	}
	return writeElements(e, start,
		element{"Expiration", exp},
		element{"ID", omitZero(r.ID)},
		element{"Filter", filter},
		element{"Status", r.Status},
		element{"NoncurrentVersionExpiration", r.NoncurrentVersionExpiration},
		element{"AbortIncompleteMultipartUpload", r.AbortIncompleteMultipartUpload})
}

// controlExpiration writes an Expiration in the S3 Control model's order.
type controlExpiration struct{ x *LifecycleExpiration }

func (c controlExpiration) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return writeElements(e, start,
		element{"Date", omitZero(c.x.Date)},
		element{"Days", omitZero(c.x.Days)},
		element{"ExpiredObjectDeleteMarker", omitZero(c.x.ExpiredObjectDeleteMarker)})
}

// controlFilter writes a Filter whose And tags are <Tags><member>….
type controlFilter struct{ f *LifecycleFilter }

func (c controlFilter) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	f := c.f
	var and any
	if a := f.And; a != nil {
		var tags any
		if len(a.Tags) > 0 {
			tags = tagList{item: Control.tagItem(), tags: a.Tags}
		}
		and = elementsOf{
			{"Prefix", a.Prefix},
			{"Tags", tags},
			{"ObjectSizeGreaterThan", omitZero(a.ObjectSizeGreaterThan)},
			{"ObjectSizeLessThan", omitZero(a.ObjectSizeLessThan)},
		}
	}
	return writeElements(e, start,
		element{"Prefix", f.Prefix},
		element{"Tag", f.Tag},
		element{"And", and},
		element{"ObjectSizeGreaterThan", omitZero(f.ObjectSizeGreaterThan)},
		element{"ObjectSizeLessThan", omitZero(f.ObjectSizeLessThan)})
}

// elementsOf writes its elements, in order, inside the element it is given.
type elementsOf []element

func (els elementsOf) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return writeElements(e, start, els...)
}

// Validate applies S3's rules for lifecycle configurations, and S3 on
// Outposts' restriction to expiration actions.
func (lc *LifecycleConfiguration) Validate() error {
	if len(lc.Rules) == 0 || len(lc.Rules) > 1000 {
		return s3err.MalformedXML
	}
	ids := map[string]bool{}
	for _, r := range lc.Rules {
		if r.Status != "Enabled" && r.Status != "Disabled" {
			return s3err.MalformedXML
		}
		if r.Transition {
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
			if e.ExpiredObjectDeleteMarker && r.HasTagFilter() {
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
			if r.HasTagFilter() {
				return s3err.InvalidRequest.WithMessage("AbortIncompleteMultipartUpload cannot be specified with Tags.")
			}
		}
	}
	return nil
}

// HasTagFilter reports whether the rule filters on object tags.
func (r *LifecycleRule) HasTagFilter() bool {
	f := r.Filter
	return f != nil && (f.Tag != nil || (f.And != nil && len(f.And.Tags) > 0))
}
