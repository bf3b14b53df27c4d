package sigv4

import (
	"net/http"
	"strconv"
	"time"
)

// S3 error codes returned by this package (Error.Code).
const (
	CodeAccessDenied                      = "AccessDenied"
	CodeAuthorizationHeaderMalformed      = "AuthorizationHeaderMalformed"
	CodeAuthorizationQueryParametersError = "AuthorizationQueryParametersError"
	CodeSignatureDoesNotMatch             = "SignatureDoesNotMatch"
	CodeRequestTimeTooSkewed              = "RequestTimeTooSkewed"
	CodeInvalidAccessKeyID                = "InvalidAccessKeyId"
	CodeInvalidToken                      = "InvalidToken"
	CodeExpiredToken                      = "ExpiredToken"
	CodeInvalidRequest                    = "InvalidRequest"
	CodeInvalidArgument                   = "InvalidArgument"
	CodeXAmzContentSHA256Mismatch         = "XAmzContentSHA256Mismatch"
	CodeIncompleteBody                    = "IncompleteBody"
	CodeBadDigest                         = "BadDigest"
	CodeMissingContentLength              = "MissingContentLength"
)

// MsgSignatureDoesNotMatch is AWS's message for a wrong signature.
const MsgSignatureDoesNotMatch = "The request signature we calculated does not match the signature you provided. Check your key and signing method."

func newErr(code string, status int, msg string, fields ...Field) *Error {
	return &Error{Code: code, Message: msg, Status: status, Fields: fields}
}

func headerMalformed(msg string, fields ...Field) *Error {
	return newErr(CodeAuthorizationHeaderMalformed, http.StatusBadRequest,
		"The authorization header is malformed; "+msg, fields...)
}

func queryParamsError(msg string, fields ...Field) *Error {
	return newErr(CodeAuthorizationQueryParametersError, http.StatusBadRequest, msg, fields...)
}

func accessDenied(msg string, fields ...Field) *Error {
	return newErr(CodeAccessDenied, http.StatusForbidden, msg, fields...)
}

// ErrInvalidAccessKeyID is the error a KeyStore returns for an unknown key.
func ErrInvalidAccessKeyID(akid string) *Error {
	return newErr(CodeInvalidAccessKeyID, http.StatusForbidden,
		"The AWS Access Key Id you provided does not exist in our records.", Field{"AWSAccessKeyId", akid})
}

func errInvalidToken() *Error {
	return newErr(CodeInvalidToken, http.StatusBadRequest, "The provided token is malformed or otherwise invalid.")
}

func errExpiredToken() *Error {
	return newErr(CodeExpiredToken, http.StatusBadRequest, "The provided token has expired.")
}

func errSignatureV4(akid, sts, provided, creq string) *Error {
	return newErr(CodeSignatureDoesNotMatch, http.StatusForbidden, MsgSignatureDoesNotMatch,
		Field{"AWSAccessKeyId", akid},
		Field{"StringToSign", sts},
		Field{"SignatureProvided", provided},
		Field{"StringToSignBytes", hexBytes(sts)},
		Field{"CanonicalRequest", creq},
		Field{"CanonicalRequestBytes", hexBytes(creq)},
	)
}

func errSignatureV2(akid, sts, provided string) *Error {
	return newErr(CodeSignatureDoesNotMatch, http.StatusForbidden, MsgSignatureDoesNotMatch,
		Field{"AWSAccessKeyId", akid},
		Field{"StringToSign", sts},
		Field{"SignatureProvided", provided},
		Field{"StringToSignBytes", hexBytes(sts)},
	)
}

func errSkewed(requestTime string, now time.Time, maxSkew time.Duration) *Error {
	return newErr(CodeRequestTimeTooSkewed, http.StatusForbidden,
		"The difference between the request time and the current time is too large.",
		Field{"RequestTime", requestTime},
		Field{"ServerTime", now.UTC().Format(time.RFC3339)},
		Field{"MaxAllowedSkewMilliseconds", strconv.FormatInt(maxSkew.Milliseconds(), 10)},
	)
}

func errUnsignedHeaders(list string) *Error {
	return accessDenied("There were headers present in the request which were not signed",
		Field{"HeadersNotSigned", list})
}

func errInvalidContentSHA256(v string) *Error {
	return newErr(CodeInvalidArgument, http.StatusBadRequest,
		"x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "+
			"STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, "+
			"STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER "+
			"or a valid sha256 value.",
		Field{"ArgumentName", "x-amz-content-sha256"}, Field{"ArgumentValue", v})
}

func errIncompleteBody() *Error {
	return newErr(CodeIncompleteBody, http.StatusBadRequest,
		"The request body terminated unexpectedly")
}

func errChunkFraming(msg string) *Error {
	return newErr(CodeInvalidArgument, http.StatusBadRequest, "aws-chunked encoding error: "+msg)
}

func rfc3339(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
