package s3xml

import "encoding/xml"

// VersioningConfiguration is the body of PutBucketVersioning in both
// forms, and the answer of GetBucketVersioning (in the S3 Control form its
// root is GetBucketVersioningResult).
type VersioningConfiguration struct {
	XMLName   xml.Name `xml:"VersioningConfiguration"`
	Form      Form     `xml:"-"`
	Status    string   `xml:"Status,omitempty"`    // Enabled, Suspended or "" (never enabled)
	MFADelete string   `xml:"MfaDelete,omitempty"` // Enabled or Disabled
}

// BucketVersioning is the GetBucketVersioning answer, in form f, for a
// bucket with versioning status ("" when never enabled). S3 Control names
// MfaDelete (always Disabled: S3 on Outposts has no MFA delete) once
// versioning was set; S3 leaves it out, as for a bucket whose MFA delete
// was never configured.
func BucketVersioning(f Form, status string) VersioningConfiguration {
	v := VersioningConfiguration{Form: f, Status: status}
	if f == Control && status != "" {
		v.MFADelete = "Disabled"
	}
	return v
}

// MarshalXML writes v as an answer in its form, with the namespace.
func (v VersioningConfiguration) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	type plain VersioningConfiguration
	return e.EncodeElement(plain(v), v.Form.answer("VersioningConfiguration", "GetBucketVersioningResult"))
}
