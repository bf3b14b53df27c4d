package sigv4

import (
	"context"
	"io"
	"net/http"
	"time"
)

// Algorithm names as they appear on the wire.
const (
	AlgorithmV4  = "AWS4-HMAC-SHA256"
	AlgorithmV4A = "AWS4-ECDSA-P256-SHA256"
	AlgorithmV2  = "AWS" // SigV2: "AWS AKID:sig" header, or AWSAccessKeyId/Signature/Expires query
)

// Payload hash values of x-amz-content-sha256.
const (
	UnsignedPayload                 = "UNSIGNED-PAYLOAD"
	StreamingPayload                = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	StreamingPayloadTrailer         = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	StreamingUnsignedPayloadTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	StreamingECDSAPayload           = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"
	StreamingECDSAPayloadTrailer    = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER"
	EmptySHA256                     = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

// MaxPresignExpires is the longest X-Amz-Expires AWS accepts: 7 days, in seconds.
const MaxPresignExpires = 604800

// Credentials sign requests.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string // "" for long-term credentials
}

// Key is what a KeyStore knows about an access key, for verification.
type Key struct {
	AccessKeyID string
	Secret      string
	// SessionToken, when set, must equal the request's X-Amz-Security-Token
	// (header or query), compared in constant time.
	SessionToken string
	// Expires is when temporary credentials end (zero: never). A request,
	// presigned or not, made after it fails with ExpiredToken.
	Expires time.Time
	// Principal is opaque to sigv4 and handed back in Verified.
	Principal any
}

// KeyStore looks up access keys. It returns an error with Code
// InvalidAccessKeyId for unknown or inactive keys, or any other *Error.
// The token argument is the X-Amz-Security-Token the request carries ("" if none):
// a store of session credentials decodes it to find the session.
type KeyStore interface {
	LookupKey(ctx context.Context, accessKeyID, token string) (Key, error)
}

// AuthType says how a request was authenticated, with the values the
// s3:authType / s3-outposts:authType condition keys use.
type AuthType string

const (
	AuthAnonymous AuthType = ""
	AuthHeader    AuthType = "REST-HEADER"
	AuthQuery     AuthType = "REST-QUERY-STRING"
)

// Verified is the result of a successful verification. Nothing else in the
// server accepts a request as authenticated.
type Verified struct {
	Key       Key
	AuthType  AuthType
	Algorithm string    // AlgorithmV4, AlgorithmV4A or AlgorithmV2
	Service   string    // credential scope service ("s3", "s3-outposts", "sts", …); "" for SigV2
	Region    string    // credential scope region; "" for SigV2 and SigV4A
	SignedAt  time.Time // X-Amz-Date / Date; for SigV2 query auth the zero time
	// Expires is when a presigned URL stops working (zero for header auth).
	Expires time.Time
	// PayloadHash is x-amz-content-sha256 as sent (or UnsignedPayload for
	// presigned and SigV2 requests).
	PayloadHash   string
	SignedHeaders []string
	// Body is the request body to read instead of r.Body: it verifies the
	// declared SHA-256 at EOF, or decodes aws-chunked framing while verifying
	// every chunk signature and trailer checksum. Reading it returns an *Error
	// (XAmzContentSHA256Mismatch, SignatureDoesNotMatch, IncompleteBody, …)
	// when the stream is bad.
	Body io.Reader
	// DecodedLength is the payload length: x-amz-decoded-content-length for
	// aws-chunked bodies, else r.ContentLength.
	DecodedLength int64
	// Trailers holds trailing headers of an aws-chunked body once Body
	// reached EOF (e.g. "x-amz-checksum-crc32").
	Trailers http.Header
}

// Error is a verification failure carrying the S3 error code, HTTP status
// and the extra XML elements AWS adds (in order).
type Error struct {
	Code    string
	Message string
	Status  int
	Fields  []Field
}

// Field is an extra element of an S3 error body, e.g. StringToSign.
type Field struct{ Name, Value string }

func (e *Error) Error() string { return e.Code + ": " + e.Message }
