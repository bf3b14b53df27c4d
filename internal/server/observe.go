package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/netip"
	"time"

	"github.com/outpost-s3/outpost/internal/authz"
	"github.com/outpost-s3/outpost/sigv4"
)

// Observer receives one Record for every request, after its response was
// written: the seam where the access log, metrics and audit plug in. It is
// called on the request's goroutine, so it must be quick and must not keep
// the Record past the call.
type Observer interface {
	Observe(ctx context.Context, rec *Record)
}

// Record is what the front door knows of one finished request. It never
// holds a secret, a session token or a signature.
type Record struct {
	RequestID string
	API       API
	Operation string
	// Bucket is the bucket acted on (an access point's bucket once found);
	// AccessPoint the access point's ARN when the request came through one.
	Bucket, Key, AccessPoint string
	// Principal is the caller's ARN ("" when authentication failed);
	// AccessKeyID the credentials it signed with.
	Principal, AccessKeyID string
	// AuthType is how it authenticated: header, query (a presigned URL),
	// chunked, anonymous; "" when it did not.
	AuthType sigv4.AuthType
	// LinkID names a presigned URL (query authentication) without revealing
	// it: the first 24 hex digits of SHA-256 over its algorithm, credential
	// and signature. The same URL always has the same ID.
	LinkID   string
	Remote   netip.Addr
	Host     string
	Method   string
	Status   int
	Bytes    int64
	Duration time.Duration
	// ErrorCode is the error sent, "" on success.
	ErrorCode string
}

// LinkID is the ID of the presigned URL with this algorithm, credential
// (the X-Amz-Credential or AWSAccessKeyId parameter) and signature.
func LinkID(algorithm, credential, signature string) string {
	h := sha256.New()
	h.Write([]byte(algorithm))
	h.Write([]byte{0})
	h.Write([]byte(credential))
	h.Write([]byte{0})
	h.Write([]byte(signature))
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0])[:12])
}

// linkID is the request's link ID, "" unless it was query-authenticated.
func (rc *reqCtx) linkID() string {
	v := rc.verified
	if v == nil || v.AuthType != sigv4.AuthQuery {
		return ""
	}
	q := rc.query
	if v.Algorithm == sigv4.AlgorithmV2 {
		return LinkID(v.Algorithm, q.Get("AWSAccessKeyId"), q.Get("Signature"))
	}
	return LinkID(v.Algorithm, q.Get("X-Amz-Credential"), q.Get("X-Amz-Signature"))
}

// record builds the request's Record.
func (s *Server) record(rc *reqCtx, w *statusWriter, d time.Duration, err error) *Record {
	rec := &Record{
		RequestID: rc.id, API: rc.class.API, Operation: rc.op.name,
		Key: rc.key, Remote: rc.clientIP(), Host: rc.r.Host, Method: rc.r.Method,
		Status: w.status, Bytes: w.bytes, Duration: d,
	}
	if rec.Status == 0 {
		rec.Status = 200
	}
	switch {
	case rc.bkt != nil:
		rec.Bucket = rc.bkt.Name
	case rc.bucket != "":
		rec.Bucket = rc.bucket
	}
	if rc.ap != nil {
		rec.AccessPoint = authz.AccessPointARN(s.cfg.Region, rc.ap, "")
	}
	if rc.principal != nil {
		rec.Principal = rc.principal.ARN
	}
	if v := rc.verified; v != nil {
		rec.AuthType = v.AuthType
		rec.AccessKeyID = v.Key.AccessKeyID
		rec.LinkID = rc.linkID()
	}
	if err != nil {
		rec.ErrorCode = toS3Error(err).Code
	}
	return rec
}

// observe hands the request's Record to the access log and every observer.
func (s *Server) observe(rc *reqCtx, w *statusWriter, d time.Duration, err error) {
	rec := s.record(rc, w, d, err)
	// The request is over: an observer's own work (an audit write) must not
	// fail because the client has gone.
	ctx := context.WithoutCancel(rc.r.Context())
	s.accessLog(ctx, rc, rec)
	for _, o := range s.cfg.Observers {
		o.Observe(ctx, rec)
	}
}

// accessLog writes the request log line. Presigned URLs carry bearer
// secrets in the query: redactQuery keeps the rest (versionId, partNumber,
// …) for operators. The access key ID names the credentials (never their
// secret); the signature and session token are never logged.
func (s *Server) accessLog(ctx context.Context, rc *reqCtx, rec *Record) {
	attrs := []slog.Attr{
		slog.String("request_id", rec.RequestID),
		slog.String("remote", rec.Remote.String()),
		slog.String("host", rec.Host),
		slog.String("method", rec.Method),
		slog.String("path", rc.r.URL.Path),
		slog.String("query", redactQuery(rc.r.URL.RawQuery)),
		slog.String("op", rec.Operation),
		slog.Int("status", rec.Status),
		slog.Int64("bytes", rec.Bytes),
		slog.Duration("duration", rec.Duration),
	}
	opt := func(key, v string) {
		if v != "" {
			attrs = append(attrs, slog.String(key, v))
		}
	}
	opt("bucket", rec.Bucket)
	opt("access_point", rec.AccessPoint)
	opt("principal", rec.Principal)
	if rec.AuthType != "" {
		opt("auth", string(rec.AuthType))
		opt("access_key_id", rec.AccessKeyID)
	}
	opt("link_id", rec.LinkID)
	opt("error", rec.ErrorCode)
	s.log.LogAttrs(ctx, slog.LevelInfo, "request", attrs...)
}
