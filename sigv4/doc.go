// Package sigv4 signs and verifies AWS requests: Signature Version 4
// (AWS4-HMAC-SHA256), SigV4A (AWS4-ECDSA-P256-SHA256) and the legacy
// Signature Version 2, each in the Authorization header and in the query
// string (presigned URLs), plus aws-chunked streaming payloads.
//
// It depends only on the standard library (a test enforces it).
//
// # Verification
//
// [Verifier.Verify] is the only way the server accepts a request as
// authenticated. When it returns a *[Verified] without error:
//
//   - the signature (HMAC-SHA256, ECDSA P-256 or HMAC-SHA1) was computed with
//     the secret the [KeyStore] returned for the access key, over the method,
//     the path as sent (URI-encoded once, never normalised, as S3 requires),
//     every query parameter but the signature, and every signed header; the
//     comparison is constant-time;
//   - host is signed, and every x-amz-* header present on the request is signed
//     (x-amz-content-sha256 excepted, as S3 tolerates);
//   - the credential scope names the server's region (or, for SigV4A, a region
//     set containing it or "*") and one of the accepted services;
//   - header-signed requests are within MaxSkew (15 minutes) of the server
//     clock; presigned URLs are inside [X-Amz-Date, X-Amz-Date+X-Amz-Expires]
//     with X-Amz-Expires in 1..604800, and no other clock rule applies;
//   - SigV2 links (which carry no signing time) expire at most 604800 seconds
//     after the moment of use, and their CanonicalizedResource names every
//     subresource and response-* parameter of the query as url.ParseQuery
//     decodes it ("%61cl" is acl), so a link cannot be replayed as another
//     operation;
//   - a session token, when the key has one, matches, and temporary keys are
//     not past their end, even when a presigned URL outlives them.
//
// The payload is not read by Verify. Verified.Body must be read instead of
// r.Body: it checks the declared x-amz-content-sha256 at EOF, or decodes an
// aws-chunked body while verifying each chunk signature, the final chunk and
// the trailer (signature and x-amz-checksum-* value). A body that fails yields
// an *[Error] from Read; the handler must then discard what it stored.
//
// # SigV4A and double-encoded paths
//
// S3 signs the canonical URI encoded once. aws-sdk-go-v2's SigV4A presigner
// (the default for S3 on Outposts access points) does not set
// DisableURIPathEscaping and so signs the path encoded twice ("a%2520b" for a
// key "a b"), while its header signer encodes once. For SigV4A presigned URLs
// only, Verify therefore also accepts a signature computed over the
// double-encoded canonical URI. No AWS client double-encodes a SigV4 (HMAC)
// signature for S3, so SigV4 gets no second reading.
//
// Both readings must never let one signature name two object keys: the
// single encoding of a key holding "%" and two hex digits ("a%20b" gives
// "a%2520b") is also the double encoding of another key ("a b"). For such
// paths a SigV4A presigned signature is read double-encoded only, so each
// signature names exactly one key. The price: a SigV4A signer that encodes
// once (the CRT-based SDKs) cannot presign a key that holds "%" and two hex
// digits; its link for "a%20b" is read as the Go SDK's link for "a b". Sign
// such keys with SigV4, which is always read single-encoded, as AWS does.
// Header-signed requests must use single encoding.
//
// # Signing
//
// [SignRequest], [SignRequestV4A], [SignRequestV2] and [Presign] produce what
// AWS SDKs produce; [Sign] and [PresignParams] expose the options generic
// (non-S3) services need, such as path normalisation, used by the AWS test
// suites. [NewChunkedWriter] encodes aws-chunked bodies.
package sigv4
