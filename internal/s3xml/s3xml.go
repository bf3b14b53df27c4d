// Package s3xml holds the XML documents that the S3 API and the S3 Control
// API both speak: tag sets, versioning and lifecycle configurations. Each
// is one Go type, written and read in either wire form; the form is a field
// of the document (Form), set before it is marshaled or unmarshaled.
//
// The two forms differ in small ways that clients notice: the namespace,
// the root element of an answer (S3's LifecycleConfiguration is S3
// Control's GetBucketLifecycleConfigurationResult), tag items (<Tag> in S3,
// <member> in S3 Control), a <Rules> wrapper, and the order of a lifecycle
// rule's elements. Those differences live in this package and nowhere else.
//
// The S3 form is also how Outpost stores a configuration: a lifecycle
// configuration set through either API is kept as its S3 document.
package s3xml

import "encoding/xml"

// Form is a wire form: the S3 REST-XML dialect or the S3 Control one.
type Form int

const (
	// S3 is the form of the S3 API (and of stored configurations).
	S3 Form = iota
	// Control is the form of the S3 Control API, /v20180820/ (S3 on
	// Outposts bucket management).
	Control
)

// The namespaces of the two forms.
const (
	S3Namespace      = "http://s3.amazonaws.com/doc/2006-03-01/"
	ControlNamespace = "http://awss3control.amazonaws.com/doc/2018-08-20/"
)

// Namespace is the XML namespace of documents in form f.
func (f Form) Namespace() string {
	if f == Control {
		return ControlNamespace
	}
	return S3Namespace
}

// answer is the root element of an answer in form f: s3Root in S3,
// controlRoot (S3 Control names answers Get…Result) in S3 Control.
func (f Form) answer(s3Root, controlRoot string) xml.StartElement {
	name := s3Root
	if f == Control {
		name = controlRoot
	}
	return xml.StartElement{Name: xml.Name{Local: name}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: f.Namespace()}}}
}

// errRoot is the error for a document whose root element is not want.
type errRoot struct{ want, have string }

func (e errRoot) Error() string {
	return "s3xml: expected element <" + e.want + "> but have <" + e.have + ">"
}

// element is one child element to write; a nil value is left out.
type element struct {
	name  string
	value any
}

// writeElements writes start, the present elements in the order given, and
// the end of start.
func writeElements(e *xml.Encoder, start xml.StartElement, els ...element) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, el := range els {
		if el.value == nil {
			continue
		}
		if err := e.EncodeElement(el.value, xml.StartElement{Name: xml.Name{Local: el.name}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// omitZero is v, or nil (left out) when v is its type's zero value.
func omitZero[T comparable](v T) any {
	var zero T
	if v == zero {
		return nil
	}
	return v
}
