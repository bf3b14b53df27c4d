package s3xml

import (
	"encoding/xml"
	"maps"
	"slices"
	"strconv"

	"github.com/outpost-s3/outpost/internal/s3err"
)

// Tag is one key-value pair of a tag set.
type Tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// Tagging is a tag-set document: the body of PutBucketTagging and
// PutObjectTagging, and the answer of GetBucketTagging and
// GetObjectTagging. In the S3 form it is
// <Tagging><TagSet><Tag><Key/><Value/></Tag>…</TagSet></Tagging>; in the S3
// Control form tags are <member> items (any item name is read, as the API
// model names none) and the answer's root is GetBucketTaggingResult.
type Tagging struct {
	Form   Form
	TagSet []Tag
}

// MarshalXML writes t as an answer in its form, with the namespace.
func (t Tagging) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	return writeElements(e, t.Form.answer("Tagging", "GetBucketTaggingResult"),
		element{"TagSet", tagList{item: t.Form.tagItem(), tags: t.TagSet}})
}

// UnmarshalXML reads a <Tagging> document in t's form.
func (t *Tagging) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	if start.Name.Local != "Tagging" {
		return errRoot{"Tagging", start.Name.Local}
	}
	var doc struct {
		TagSet tagItems `xml:"TagSet"`
	}
	if err := d.DecodeElement(&doc, &start); err != nil {
		return err
	}
	item := ""
	if t.Form == S3 {
		item = "Tag" // S3 reads only <Tag> items
	}
	t.TagSet = doc.TagSet.named(item)
	return nil
}

// tagItem is the element of one tag in a tag set of form f.
func (f Form) tagItem() string {
	if f == Control {
		return "member"
	}
	return "Tag"
}

// tagList writes tags as item elements inside the element it is given
// (an empty list still writes that element).
type tagList struct {
	item string
	tags []Tag
}

func (l tagList) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, t := range l.tags {
		if err := e.EncodeElement(t, xml.StartElement{Name: xml.Name{Local: l.item}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// tagItems reads the tag items of an element, whatever they are named.
type tagItems struct {
	Items []struct {
		XMLName xml.Name
		Tag
	} `xml:",any"`
}

// named is the tags in items called name ("": all of them).
func (t tagItems) named(name string) []Tag {
	var tags []Tag
	for _, it := range t.Items {
		if name == "" || it.XMLName.Local == name {
			tags = append(tags, it.Tag)
		}
	}
	return tags
}

// ValidateTags applies S3's tag rules to a tag set: at most max tags
// (50 on a bucket, 10 on an object), keys of 1 to 128 and values of at
// most 256 characters, no key twice. It returns the tags as a map.
func ValidateTags(tags []Tag, max int) (map[string]string, error) {
	if len(tags) > max {
		return nil, s3err.InvalidTag.WithMessage("Object tags cannot be greater than " + strconv.Itoa(max))
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		if len(t.Key) == 0 || len([]rune(t.Key)) > 128 {
			return nil, s3err.InvalidTag.WithMessage("The TagKey you have provided is invalid")
		}
		if len([]rune(t.Value)) > 256 {
			return nil, s3err.InvalidTag.WithMessage("The TagValue you have provided is invalid")
		}
		if _, dup := m[t.Key]; dup {
			return nil, s3err.InvalidTag.WithMessage("Cannot provide multiple Tags with the same key")
		}
		m[t.Key] = t.Value
	}
	return m, nil
}

// SortedTags is the tag set of m, sorted by key (empty, not nil, when m is).
func SortedTags(m map[string]string) []Tag {
	tags := []Tag{}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		tags = append(tags, Tag{k, m[k]})
	}
	return tags
}
