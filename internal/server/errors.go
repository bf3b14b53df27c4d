package server

import (
	"context"
	"errors"
	"syscall"

	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/s3err"
	"github.com/outpost-s3/outpost/sigv4"
)

// metaErrors maps each metadata sentinel to its S3 error. A test checks
// every sentinel is here.
var metaErrors = []struct {
	err error
	s3  *s3err.Error
}{
	{meta.ErrNoSuchBucket, s3err.NoSuchBucket},
	{meta.ErrBucketExists, s3err.BucketAlreadyExists},
	{meta.ErrBucketNotEmpty, s3err.BucketNotEmpty},
	{meta.ErrNoSuchKey, s3err.NoSuchKey},
	{meta.ErrNoSuchVersion, s3err.NoSuchVersion},
	{meta.ErrNoSuchUpload, s3err.NoSuchUpload},
	{meta.ErrNotFound, s3err.NoSuchKey},
	{meta.ErrConflict, s3err.InvalidRequest},
	{meta.ErrUnavailable, s3err.ServiceUnavailable},
	{meta.ErrMethodNotAllowed, s3err.MethodNotAllowed},
	{meta.ErrPreconditionFailed, s3err.PreconditionFailed},
	{meta.ErrNoSuchAccessPoint, s3err.NoSuchAccessPoint},
	{meta.ErrNoSuchEndpoint, s3err.InvalidRequest.WithMessage("The specified endpoint does not exist.")},
	{meta.ErrNoSuchNetwork, s3err.InvalidRequest.WithMessage("The specified network (VPC) is not declared on this outpost.")},
}

// clientClosedRequest is answered (if anyone still listens) when the
// client went away before the response.
var clientClosedRequest = &s3err.Error{Code: "RequestCanceled", Status: 499, Message: "The client closed the connection before the server answered."}

// toS3Error is the one place that turns any error into the S3 error sent.
func toS3Error(err error) *s3err.Error {
	var e *s3err.Error
	if errors.As(err, &e) {
		return e
	}
	var qe *queryError
	if errors.As(err, &qe) { // IAM/STS codes, for the access log
		return &s3err.Error{Code: qe.code, Message: qe.message, Status: qe.status}
	}
	var se *sigv4.Error
	if errors.As(err, &se) {
		out := &s3err.Error{Code: se.Code, Message: se.Message, Status: se.Status}
		for _, f := range se.Fields {
			out.Fields = append(out.Fields, s3err.Field{Name: f.Name, Value: f.Value})
		}
		if out.Status == 0 {
			out.Status = 400
		}
		return out
	}
	for _, m := range metaErrors {
		if errors.Is(err, m.err) {
			return m.s3.WithCause(err)
		}
	}
	if errors.Is(err, context.Canceled) {
		// The client hung up while we worked: not a server fault, so no
		// 5xx and no error-level log. Nginx's 499 names this in access logs.
		return clientClosedRequest.WithCause(err)
	}
	if isDiskFull(err) {
		return s3err.ServiceUnavailable.WithMessage("The server is out of storage space; please try again later.").WithCause(err)
	}
	return s3err.InternalError.WithCause(err)
}

func isDiskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC)
}
