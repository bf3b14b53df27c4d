package server

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/s3err"
	"github.com/outpost-s3/outpost/internal/sse"
)

// Server-side encryption as S3 on Outposts does it: every object is
// encrypted with SSE-S3 (unless Config.PlaintextAtRest), a caller may
// choose SSE-C instead, and SSE-KMS is not supported. The sealing itself
// is package sse; this file reads the headers and answers their errors.

const (
	sseHeader      = "x-amz-server-side-encryption"
	sseCustomer    = "x-amz-server-side-encryption-customer-"
	sseCopyCustomr = "x-amz-copy-source-server-side-encryption-customer-"
)

// kmsHeaders name SSE-KMS settings, which S3 on Outposts refuses.
var kmsHeaders = []string{
	"x-amz-server-side-encryption-aws-kms-key-id",
	"x-amz-server-side-encryption-context",
	"x-amz-server-side-encryption-bucket-key-enabled",
}

var errKMS = s3err.InvalidArgument.WithMessage("Server-side encryption with AWS KMS keys (SSE-KMS) is not supported by S3 on Outposts. Use SSE-S3 (x-amz-server-side-encryption: AES256, the default) or SSE-C (customer-provided keys).")

// customerKey is an SSE-C key a request carried.
type customerKey struct {
	key []byte
	md5 string // base64, as sent (and checked)
}

// sealing is how a write seals the bytes it stores.
type sealing struct {
	mode string // meta.SSES3, meta.SSEC or "" (stored as sent)
	ck   *customerKey
}

// encryption is the meta.Encryption of an object written with this sealing.
func (sl sealing) encryption() meta.Encryption {
	e := meta.Encryption{Mode: sl.mode}
	if sl.ck != nil {
		e.KeyCheck = sse.KeyCheck(sl.ck.key)
	}
	return e
}

// writeSealing reads the encryption a write asks for (PutObject,
// CopyObject's destination, CreateMultipartUpload): SSE-S3 unless the
// server stores plaintext and the caller did not ask, SSE-C when it sent a
// key.
func (rc *reqCtx) writeSealing() (sealing, error) {
	h := rc.r.Header
	for _, k := range kmsHeaders {
		if _, ok := h[http.CanonicalHeaderKey(k)]; ok {
			return sealing{}, errKMS
		}
	}
	ck, err := rc.customerKey(sseCustomer)
	if err != nil {
		return sealing{}, err
	}
	v, asked := h[http.CanonicalHeaderKey(sseHeader)]
	if asked {
		switch strings.Join(v, ",") {
		case "AES256":
		case "aws:kms", "aws:kms:dsse":
			return sealing{}, errKMS
		default:
			return sealing{}, s3err.InvalidArgument.WithMessage("The encryption method specified is not supported").
				With(s3err.Field{Name: "ArgumentName", Value: sseHeader}, s3err.Field{Name: "ArgumentValue", Value: strings.Join(v, ",")})
		}
		if ck != nil {
			return sealing{}, s3err.InvalidArgument.WithMessage("Server Side Encryption with Customer provided key is incompatible with the encryption method specified").
				With(s3err.Field{Name: "ArgumentName", Value: sseHeader}, s3err.Field{Name: "ArgumentValue", Value: "AES256"})
		}
	}
	switch {
	case ck != nil:
		return sealing{mode: meta.SSEC, ck: ck}, nil
	case asked || !rc.s.cfg.PlaintextAtRest:
		return sealing{mode: meta.SSES3}, nil
	}
	return sealing{}, nil
}

// customerKey reads the SSE-C headers starting with prefix (sseCustomer
// for the object written or read, sseCopyCustomr for a copy's source):
// nil when none is present, an error (as S3 words it) when they are
// incomplete, malformed, or sent without TLS.
func (rc *reqCtx) customerKey(prefix string) (*customerKey, error) {
	h := rc.r.Header
	alg, hasAlg := h[http.CanonicalHeaderKey(prefix+"algorithm")]
	key, hasKey := h[http.CanonicalHeaderKey(prefix+"key")]
	sum, hasSum := h[http.CanonicalHeaderKey(prefix+"key-MD5")]
	if !hasAlg && !hasKey && !hasSum {
		return nil, nil
	}
	if !rc.secure() {
		return nil, s3err.InvalidRequest.WithMessage("Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.")
	}
	argErr := func(msg, name string) error {
		return s3err.InvalidArgument.WithMessage(msg).With(s3err.Field{Name: "ArgumentName", Value: name})
	}
	if !hasAlg {
		return nil, argErr("Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.", prefix+"algorithm")
	}
	if strings.Join(alg, ",") != "AES256" {
		return nil, s3err.InvalidEncryptionAlgorithmError.WithMessage("The encryption request you specified is not valid. The valid value is AES256.").
			With(s3err.Field{Name: "ArgumentName", Value: prefix + "algorithm"}, s3err.Field{Name: "ArgumentValue", Value: strings.Join(alg, ",")})
	}
	if !hasKey {
		return nil, argErr("Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.", prefix+"key")
	}
	k, err := base64.StdEncoding.DecodeString(strings.Join(key, ","))
	if err != nil || len(k) != sse.KeySize {
		return nil, argErr("The secret key was invalid for the specified algorithm.", prefix+"key")
	}
	got := md5.Sum(k)
	gotB64 := base64.StdEncoding.EncodeToString(got[:])
	if hasSum {
		want, err := base64.StdEncoding.DecodeString(strings.Join(sum, ","))
		if err != nil || subtle.ConstantTimeCompare(want, got[:]) != 1 {
			return nil, argErr("The calculated MD5 hash of the key did not match the hash that was provided.", prefix+"key")
		}
	} else {
		return nil, argErr("Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.", prefix+"key-MD5")
	}
	return &customerKey{key: k, md5: gotB64}, nil
}

// readKey checks the SSE-C key a read of o carried (prefix sseCustomer for
// GET and HEAD, sseCopyCustomr for a copy's source) and returns it (nil for
// objects that are not SSE-C).
func (rc *reqCtx) readKey(o *meta.Object, prefix string) (*customerKey, error) {
	ck, err := rc.customerKey(prefix)
	if err != nil {
		return nil, err
	}
	if o.Encryption.Mode != meta.SSEC {
		if ck != nil {
			return nil, s3err.InvalidRequest.WithMessage("The encryption parameters are not applicable to this object.")
		}
		return nil, nil
	}
	if ck == nil {
		return nil, s3err.InvalidRequest.WithMessage("The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.")
	}
	if !sse.VerifyKeyCheck(o.Encryption.KeyCheck, ck.key) {
		return nil, s3err.AccessDenied.WithMessage("The provided customer key does not match the key the object was encrypted with.")
	}
	return ck, nil
}

// partKey checks the SSE-C key of an UploadPart (or UploadPartCopy's
// destination) against its upload's.
func (rc *reqCtx) partKey(u meta.Upload) (*customerKey, error) {
	ck, err := rc.customerKey(sseCustomer)
	if err != nil {
		return nil, err
	}
	switch {
	case u.Encryption.Mode != meta.SSEC && ck != nil:
		return nil, s3err.InvalidRequest.WithMessage("The multipart upload initiate did not request customer-provided encryption; its parts cannot carry an encryption key.")
	case u.Encryption.Mode == meta.SSEC && ck == nil:
		return nil, s3err.InvalidRequest.WithMessage("The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters.")
	case ck != nil && !sse.VerifyKeyCheck(u.Encryption.KeyCheck, ck.key):
		return nil, s3err.InvalidRequest.WithMessage("The provided encryption parameters did not match the ones used originally.")
	}
	return ck, nil
}

// uploadSealing is how the parts of u are sealed.
func uploadSealing(u meta.Upload, ck *customerKey) sealing {
	return sealing{mode: u.Encryption.Mode, ck: ck}
}

// wrapKey stores a data key under what sl names.
func (s *Server) wrapKey(sl sealing, dk []byte) (string, error) {
	if sl.mode == meta.SSEC {
		return sse.WrapWithCustomerKey(sl.ck.key, dk)
	}
	return s.cfg.Keyring.WrapDataKey(dk), nil
}

// unwrapKey returns the data key of a sealed segment.
func (s *Server) unwrapKey(mode, sealedKey string, ck *customerKey) ([]byte, error) {
	if mode == meta.SSEC {
		if ck == nil {
			return nil, errors.New("sse-c segment read without the customer key")
		}
		return sse.UnwrapWithCustomerKey(ck.key, sealedKey)
	}
	return s.cfg.Keyring.UnwrapDataKey(sealedKey)
}

// setEncryptionHeaders answers which encryption protects an object: the
// header is sent only when it is true.
func setEncryptionHeaders(h http.Header, e meta.Encryption, ck *customerKey) {
	switch e.Mode {
	case meta.SSES3:
		h.Set(sseHeader, "AES256")
	case meta.SSEC:
		h.Set(sseCustomer+"algorithm", "AES256")
		if ck != nil {
			h.Set(sseCustomer+"key-MD5", ck.md5)
		}
	}
}
