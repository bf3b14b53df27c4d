package server

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/outpost-s3/outpost/internal/s3err"
	"github.com/outpost-s3/outpost/internal/s3xml"
)

// s3NS is the XML namespace of S3 documents.
const s3NS = s3xml.S3Namespace

// maxXMLBody bounds every XML request body we parse.
const maxXMLBody = 1 << 20

func itoa(n int) string { return strconv.Itoa(n) }

// iso8601 formats times as S3 does in XML bodies.
func iso8601(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// writeXML sends v as an XML document with status 200.
func (rc *reqCtx) writeXML(status int, v any) error {
	out, err := xml.Marshal(v)
	if err != nil {
		return err
	}
	h := rc.w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(xml.Header)+len(out)))
	rc.w.WriteHeader(status)
	io.WriteString(rc.w, xml.Header)
	rc.w.Write(out)
	return nil
}

// readXML decodes a bounded XML request body into v. Entity expansion is
// not supported by encoding/xml, so a billion-laughs body fails to parse.
func (rc *reqCtx) readXML(v any) error {
	body := rc.body()
	lr := &io.LimitedReader{R: body, N: maxXMLBody + 1}
	dec := xml.NewDecoder(lr)
	if err := dec.Decode(v); err != nil {
		var se *s3err.Error
		if errors.As(err, &se) {
			return se
		}
		if lr.N <= 0 {
			return s3err.MaxMessageLengthExceeded
		}
		if errors.Is(err, io.EOF) {
			return s3err.MalformedXML.WithMessage("The XML you provided was not well-formed or did not validate against our published schema.")
		}
		return s3err.MalformedXML.WithCause(err)
	}
	// Drain the rest so streaming signatures and trailers are verified.
	if _, err := io.Copy(io.Discard, lr); err != nil {
		return err
	}
	if lr.N <= 0 {
		return s3err.MaxMessageLengthExceeded
	}
	return nil
}

// body is the verified request body (signature and payload hash checked
// as it is read).
func (rc *reqCtx) body() io.Reader {
	if rc.verified != nil && rc.verified.Body != nil {
		return rc.verified.Body
	}
	if rc.r.Body == nil {
		return http.NoBody
	}
	return rc.r.Body
}

// noContent answers 204.
func (rc *reqCtx) noContent() error {
	rc.w.WriteHeader(http.StatusNoContent)
	return nil
}

// ok answers 200 with an empty body.
func (rc *reqCtx) ok() error {
	rc.w.Header().Set("Content-Length", "0")
	rc.w.WriteHeader(http.StatusOK)
	return nil
}

type owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName,omitempty"`
}

func ownerOf(account string) owner { return owner{ID: account, DisplayName: account} }
