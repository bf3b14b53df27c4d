// Package s3err defines the S3 error codes Outpost answers with and writes
// them as AWS does: an XML <Error> body with Code, Message, the resource,
// any diagnostic fields, RequestId and HostId, under the code's HTTP status.
//
// Handlers return errors; one function (Write) turns any error into the wire
// form. Errors that are not *Error become InternalError, and their text
// never reaches the client.
package s3err

import (
	"bytes"
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"
)

// Error is an S3 error response.
type Error struct {
	Code    string
	Message string
	Status  int
	// Fields are extra elements AWS adds after Message, in order
	// (e.g. BucketName, Key, StringToSign).
	Fields []Field
	// Header holds extra response headers (e.g. x-amz-delete-marker).
	Header http.Header
	// Cause is logged, never sent.
	Cause error
}

// Field is one extra element of an error body.
type Field struct{ Name, Value string }

func (e *Error) Error() string {
	if e.Cause != nil {
		return e.Code + ": " + e.Message + ": " + e.Cause.Error()
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Cause }

// With returns a copy of e with extra fields appended.
func (e *Error) With(fields ...Field) *Error {
	c := *e
	c.Fields = append(append([]Field(nil), e.Fields...), fields...)
	return &c
}

// WithMessage returns a copy of e with another message.
func (e *Error) WithMessage(msg string) *Error {
	c := *e
	c.Message = msg
	return &c
}

// WithCause returns a copy of e that records the underlying cause for logs.
func (e *Error) WithCause(err error) *Error {
	c := *e
	c.Cause = err
	return &c
}

// WithHeader returns a copy of e that sets a response header.
func (e *Error) WithHeader(name, value string) *Error {
	c := *e
	c.Header = e.Header.Clone()
	if c.Header == nil {
		c.Header = http.Header{}
	}
	c.Header.Set(name, value)
	return &c
}

func def(code string, status int, msg string) *Error {
	return &Error{Code: code, Status: status, Message: msg}
}

// The error codes, with AWS's status and default message
// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
var (
	AccessDenied                      = def("AccessDenied", 403, "Access Denied")
	AccountProblem                    = def("AccountProblem", 403, "There is a problem with your AWS account that prevents the action from completing successfully.")
	AuthorizationHeaderMalformed      = def("AuthorizationHeaderMalformed", 400, "The authorization header is malformed.")
	AuthorizationQueryParametersError = def("AuthorizationQueryParametersError", 400, "Error parsing the X-Amz-Credential parameter.")
	BadDigest                         = def("BadDigest", 400, "The Content-MD5 you specified did not match what we received.")
	BucketAlreadyExists               = def("BucketAlreadyExists", 409, "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.")
	BucketAlreadyOwnedByYou           = def("BucketAlreadyOwnedByYou", 409, "Your previous request to create the named bucket succeeded and you already own it.")
	BucketNotEmpty                    = def("BucketNotEmpty", 409, "The bucket you tried to delete is not empty")
	EntityTooLarge                    = def("EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed object size.")
	EntityTooSmall                    = def("EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed object size.")
	ExpiredToken                      = def("ExpiredToken", 400, "The provided token has expired.")
	HeadersNotSigned                  = def("AccessDenied", 403, "There were headers present in the request which were not signed")
	IllegalVersioningConfiguration    = def("IllegalVersioningConfigurationException", 400, "The versioning configuration specified in the request is invalid.")
	IncompleteBody                    = def("IncompleteBody", 400, "You did not provide the number of bytes specified by the Content-Length HTTP header.")
	InternalError                     = def("InternalError", 500, "We encountered an internal error. Please try again.")
	InvalidAccessKeyID                = def("InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records.")
	InvalidArgument                   = def("InvalidArgument", 400, "Invalid Argument")
	InvalidBucketName                 = def("InvalidBucketName", 400, "The specified bucket is not valid.")
	InvalidBucketState                = def("InvalidBucketState", 409, "The request is not valid with the current state of the bucket.")
	InvalidEncryptionAlgorithmError   = def("InvalidEncryptionAlgorithmError", 400, "The encryption request you specified is not valid. The valid value is AES256.")
	InvalidDigest                     = def("InvalidDigest", 400, "The Content-MD5 you specified is not valid.")
	InvalidPart                       = def("InvalidPart", 400, "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
	InvalidPartOrder                  = def("InvalidPartOrder", 400, "The list of parts was not in ascending order. Parts must be ordered by part number.")
	InvalidRange                      = def("InvalidRange", 416, "The requested range is not satisfiable")
	InvalidRequest                    = def("InvalidRequest", 400, "Invalid Request")
	InvalidStorageClass               = def("InvalidStorageClass", 400, "The storage class you specified is not valid")
	InvalidTag                        = def("InvalidTag", 400, "The TagKey you have provided is invalid")
	InvalidToken                      = def("InvalidToken", 400, "The provided token is malformed or otherwise invalid.")
	InvalidURI                        = def("InvalidURI", 400, "Couldn't parse the specified URI.")
	KeyTooLong                        = def("KeyTooLongError", 400, "Your key is too long")
	MalformedACLError                 = def("MalformedACLError", 400, "The XML you provided was not well-formed or did not validate against our published schema.")
	MalformedPolicy                   = def("MalformedPolicy", 400, "Policies must be valid JSON and the first byte must be '{'")
	MalformedXML                      = def("MalformedXML", 400, "The XML you provided was not well-formed or did not validate against our published schema.")
	MaxMessageLengthExceeded          = def("MaxMessageLengthExceeded", 400, "Your request was too big.")
	MetadataTooLarge                  = def("MetadataTooLarge", 400, "Your metadata headers exceed the maximum allowed metadata size.")
	MethodNotAllowed                  = def("MethodNotAllowed", 405, "The specified method is not allowed against this resource.")
	MissingContentLength              = def("MissingContentLength", 411, "You must provide the Content-Length HTTP header.")
	MissingSecurityHeader             = def("MissingSecurityHeader", 400, "Your request is missing a required header.")
	NoSuchAccessPoint                 = def("NoSuchAccessPoint", 404, "The specified accesspoint does not exist")
	NoSuchBucket                      = def("NoSuchBucket", 404, "The specified bucket does not exist")
	NoSuchBucketPolicy                = def("NoSuchBucketPolicy", 404, "The bucket policy does not exist")
	NoSuchKey                         = def("NoSuchKey", 404, "The specified key does not exist.")
	NoSuchLifecycleConfiguration      = def("NoSuchLifecycleConfiguration", 404, "The lifecycle configuration does not exist")
	NoSuchTagSet                      = def("NoSuchTagSet", 404, "The TagSet does not exist")
	NoEncryptionConfiguration         = def("ServerSideEncryptionConfigurationNotFoundError", 404, "The server side encryption configuration was not found")
	NoSuchUpload                      = def("NoSuchUpload", 404, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
	NoSuchVersion                     = def("NoSuchVersion", 404, "The specified version does not exist.")
	NotImplemented                    = def("NotImplemented", 501, "A header you provided implies functionality that is not implemented")
	NotModified                       = def("NotModified", 304, "Not Modified")
	PreconditionFailed                = def("PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold")
	RequestTimeTooSkewed              = def("RequestTimeTooSkewed", 403, "The difference between the request time and the current time is too large.")
	ServiceUnavailable                = def("ServiceUnavailable", 503, "Please reduce your request rate.")
	SignatureDoesNotMatch             = def("SignatureDoesNotMatch", 403, "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
	SlowDown                          = def("SlowDown", 503, "Please reduce your request rate.")
	TooManyBuckets                    = def("TooManyBuckets", 400, "You have attempted to create more buckets than allowed")
	XAmzContentSHA256Mismatch         = def("XAmzContentSHA256Mismatch", 400, "The provided 'x-amz-content-sha256' header does not match what was computed.")
	BadChecksum                       = def("BadDigest", 400, "The checksum you specified did not match the calculated checksum.")
	RequestHeaderSectionTooLarge      = def("RequestHeaderSectionTooLarge", 400, "Your request header section exceeds the maximum allowed size.")
	RequestTimeout                    = def("RequestTimeout", 400, "Your socket connection to the server was not read from or written to within the timeout period.")
	InvalidObjectState                = def("InvalidObjectState", 403, "The operation is not valid for the current state of the object.")
	NoSuchOutpost                     = def("NoSuchOutpost", 404, "The specified outpost does not exist")
	// CORS preflight (OPTIONS) answers.
	PreflightWithoutOrigin = def("BadRequest", 400, "Insufficient information. Origin request header needed.")
	CORSNotEnabled         = def("AccessForbidden", 403, "CORSResponse: CORS is not enabled for this bucket.")

	// S3 Control (Outposts) codes.
	NoSuchAccessPointPolicy      = def("NoSuchAccessPointPolicy", 404, "The specified accesspoint policy does not exist")
	AccessPointAlreadyOwnedByYou = def("AccessPointAlreadyOwnedByYou", 409, "Your previous request to create the named accesspoint succeeded and you already own it.")
	InvalidAccessPoint           = def("InvalidRequest", 400, "Access point names must be 3 to 50 characters of lowercase letters, numbers and hyphens, beginning and ending with a letter or number.")
)

// As returns err as an *Error: itself if it is one, else InternalError
// carrying err as its cause.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return InternalError.WithCause(err)
}

// Body renders the XML error document.
func (e *Error) Body(resource, requestID, hostID string) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString("<Error><Code>")
	xml.EscapeText(&b, []byte(e.Code))
	b.WriteString("</Code><Message>")
	xml.EscapeText(&b, []byte(e.Message))
	b.WriteString("</Message>")
	for _, f := range e.Fields {
		b.WriteByte('<')
		b.WriteString(f.Name)
		b.WriteByte('>')
		xml.EscapeText(&b, []byte(f.Value))
		b.WriteString("</")
		b.WriteString(f.Name)
		b.WriteByte('>')
	}
	if resource != "" {
		b.WriteString("<Resource>")
		xml.EscapeText(&b, []byte(resource))
		b.WriteString("</Resource>")
	}
	b.WriteString("<RequestId>")
	b.WriteString(requestID)
	b.WriteString("</RequestId><HostId>")
	xml.EscapeText(&b, []byte(hostID))
	b.WriteString("</HostId></Error>")
	return b.Bytes()
}

// Write sends e. HEAD requests and 304 get no body, as S3 does.
func Write(w http.ResponseWriter, r *http.Request, e *Error, resource, requestID, hostID string) {
	h := w.Header()
	for k, v := range e.Header {
		h[k] = v
	}
	if e.Status == http.StatusNotModified || r.Method == http.MethodHead {
		w.WriteHeader(e.Status)
		return
	}
	body := e.Body(resource, requestID, hostID)
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.Status)
	w.Write(body)
}
