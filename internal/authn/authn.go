// Package authn is every way a request proves who it is: SigV4, SigV4A and
// SigV2, in the Authorization header or the query (presigned URLs),
// aws-chunked bodies, temporary credentials, and no credentials at all. It
// turns a request into an Identity, and it is the only package that can:
// the front door and the API handlers act for an Identity and never make
// one themselves.
package authn

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/outpost-s3/outpost/internal/auth"
	"github.com/outpost-s3/outpost/sigv4"
)

// Identity is who a request proved to be, with the facts of its signature.
// Its fields are unexported: only Authenticate fills one, and the zero
// Identity is not valid.
type Identity struct {
	verified  *sigv4.Verified
	principal *auth.Principal
}

// Valid reports whether id came from Authenticate.
func (id *Identity) Valid() bool { return id != nil && id.verified != nil }

// Verified is what the signature check established: the key, the auth
// type (header, query, anonymous), algorithm, scope, signing time and the
// body reader that checks the payload as it arrives.
func (id *Identity) Verified() *sigv4.Verified { return id.verified }

// Principal is the caller (the anonymous principal for unsigned requests);
// nil when the key resolved to no Outpost principal.
func (id *Identity) Principal() *auth.Principal { return id.principal }

// Authenticator checks requests for one set of services (S3 and
// s3-outposts, or IAM and STS).
type Authenticator struct {
	v *sigv4.Verifier
}

// New builds an Authenticator.
func New(cfg sigv4.VerifierConfig) *Authenticator {
	return &Authenticator{v: sigv4.NewVerifier(cfg)}
}

// Address is a host and escaped path the client may have signed.
type Address struct {
	Host, Path string
}

// Request is what Authenticate checks.
type Request struct {
	R *http.Request
	// Addresses are where the client may have sent the request, tried in
	// order: first the one it saw in front of a trusted proxy, then the one
	// that reached the server. Only a signature mismatch moves on to the
	// next; any other failure is final. Empty: the request as received.
	Addresses []Address
	// V2Resources are the SigV2 canonical resources the client may have
	// signed (bucket and key forms).
	V2Resources []string
}

// Authenticate verifies the request's signature and returns its Identity.
func (a *Authenticator) Authenticate(ctx context.Context, req Request) (*Identity, error) {
	addrs := req.Addresses
	if len(addrs) == 0 {
		addrs = []Address{{Host: req.R.Host, Path: req.R.URL.EscapedPath()}}
	}
	var firstErr error
	for i, ad := range addrs {
		v, err := a.verifyAs(ctx, req.R, ad, req.V2Resources)
		if err == nil {
			id := &Identity{verified: v}
			id.principal, _ = v.Key.Principal.(*auth.Principal)
			return id, nil
		}
		if i == 0 {
			firstErr = err // what the client saw is reported
		}
		if !mismatch(err) {
			break
		}
	}
	return nil, firstErr
}

func mismatch(err error) bool {
	var se *sigv4.Error
	return errors.As(err, &se) && se.Code == "SignatureDoesNotMatch"
}

// verifyAs checks the signature as if the request had been sent to ad
// (what the client saw before a proxy rewrote host and path).
func (a *Authenticator) verifyAs(ctx context.Context, r *http.Request, ad Address, v2res []string) (*sigv4.Verified, error) {
	if ad.Path != r.URL.EscapedPath() {
		u := *r.URL
		u.RawPath, u.Path = ad.Path, ""
		if p, err := url.PathUnescape(ad.Path); err == nil {
			u.Path = p
		}
		r2 := *r
		r2.URL = &u
		r = &r2
		// SigV2 signs the path as the client sent it, prefix included.
		v2res = append([]string{ad.Path}, v2res...)
	}
	return a.v.Verify(ctx, r, sigv4.VerifyOptions{Host: ad.Host, V2Resources: v2res})
}
