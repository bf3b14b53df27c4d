// Package server is Outpost's HTTP front door: it routes a request to an
// operation, authenticates it, authorizes it, runs it against the metadata
// and blob stores, and writes the S3 wire response. It knows nothing of
// disks: storage is reached only through meta.Store and blob.Store.
package server

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/outpost-s3/outpost/internal/auth"
	"github.com/outpost-s3/outpost/internal/authn"
	"github.com/outpost-s3/outpost/internal/authz"
	"github.com/outpost-s3/outpost/internal/blob"
	"github.com/outpost-s3/outpost/internal/iam"
	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/objects"
	"github.com/outpost-s3/outpost/internal/s3err"
	"github.com/outpost-s3/outpost/sigv4"
)

// Config is everything a Server needs. There is no global state: two
// Inline storage limits (Config.InlineMax).
const (
	DefaultInlineMax = 16 << 10
	MaxInline        = 256 << 10
)

// servers with two configs can run in one process.
type Config struct {
	Region    string // e.g. us-east-1
	OutpostID string // op- + 17 hex digits
	AccountID string // the owning account, 12 digits
	// Domain, when set, enables virtual-hosted-style requests
	// (bucket.DOMAIN) besides path-style ones.
	Domain string

	Meta  meta.Store
	Blobs blob.Store
	// Keys resolves access keys; nil means an auth.KeyStore over Meta.
	Keys sigv4.KeyStore
	// Keyring is the master key: it decrypts secrets at rest and seals STS
	// session tokens. nil means a random key, so session tokens and
	// secrets stored through this server do not outlive it.
	Keyring *iam.Keyring

	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MaxObjectSize caps a single PUT (default 5 GiB, as S3).
	MaxObjectSize int64
	// InlineMax is the largest object (PUT or copy) whose bytes are stored
	// in its metadata row rather than in a blob: such a write costs one
	// metadata commit, shared with concurrent writes, instead of a file
	// create, fsync and rename. 0 means the default, 16 KiB; negative
	// stores every object in blobs. At most MaxInline.
	InlineMax int64
	// PlaintextAtRest stores object bytes as sent unless a request asks for
	// SSE-S3 or SSE-C (--encrypt-at-rest=false, for disks that are already
	// encrypted). By default every object is sealed with SSE-S3, as on S3
	// on Outposts.
	PlaintextAtRest bool
	// OrphanGrace is how old an unreferenced blob must be before the
	// sweep removes it (default 1 hour).
	OrphanGrace time.Duration
	// TrustedProxies are the peers whose X-Forwarded-For, -Host, -Proto,
	// -Port and -Prefix headers are believed. Empty: none.
	TrustedProxies []netip.Prefix
	// PublicURL is the address clients use when a proxy serves Outpost
	// under another host or a path prefix (e.g. https://files.example.com/s3).
	PublicURL string
	// Observers receive one Record per request, after the access log
	// line (observe.go): metrics and audit plug in here.
	Observers []Observer
	// Limits are the S3 on Outposts quotas (control.go); zero fields take
	// the AWS values.
	Limits Limits
}

// Server serves the S3 API.
type Server struct {
	cfg Config
	log *slog.Logger
	// authn checks S3 and s3-outposts requests, queryAuthn IAM and STS
	// ones (scope services iam and sts, any region: IAM is signed for
	// us-east-1 whatever the client's region).
	authn, queryAuthn *authn.Authenticator
	hostID            string
	now               func() time.Time
	reqSeq            atomic.Uint64
	reqBase           string
	// publicURL is the parsed PublicURL and publicPrefix its path ("" when none).
	publicURL    *url.URL
	publicPrefix string
	// ident is the IAM state (authz.go).
	ident *identity
	// authorizer makes every authorization decision (internal/authz).
	authorizer *authz.Authorizer
	// nets caches the networks and endpoints (network.go).
	nets netCache
	// keyUse holds access key uses until FlushKeyUsage (keyusage.go).
	keyUse keyUsage
	// objects runs the object operations the handlers have parsed.
	objects *objects.Service
}

// New builds a Server from cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Meta == nil || cfg.Blobs == nil {
		return nil, errors.New("server: Meta and Blobs are required")
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxObjectSize == 0 {
		cfg.MaxObjectSize = 5 << 30
	}
	switch {
	case cfg.InlineMax == 0:
		cfg.InlineMax = DefaultInlineMax
	case cfg.InlineMax > MaxInline:
		cfg.InlineMax = MaxInline
	}
	if cfg.OrphanGrace == 0 {
		cfg.OrphanGrace = time.Hour
	}
	if cfg.Keyring == nil {
		cfg.Keyring = iam.NewRandomKeyring()
	}
	if cfg.Keys == nil {
		cfg.Keys = &auth.KeyStore{Meta: cfg.Meta, Keyring: cfg.Keyring}
	}
	pub, prefix, err := parsePublicURL(cfg.PublicURL)
	if err != nil {
		return nil, err
	}
	var b [8]byte
	rand.Read(b[:])
	s := &Server{
		cfg:     cfg,
		log:     cfg.Logger,
		now:     cfg.Now,
		hostID:  hex.EncodeToString(b[:]),
		reqBase: strings.ToUpper(hex.EncodeToString(b[:4])),

		publicURL:    pub,
		publicPrefix: prefix,
	}
	if s.objects, err = objects.New(objects.Config{Meta: cfg.Meta, Blobs: cfg.Blobs, Logger: cfg.Logger, Now: cfg.Now}); err != nil {
		return nil, err
	}
	s.authn = authn.New(sigv4.VerifierConfig{
		Keys:     cfg.Keys,
		Region:   cfg.Region,
		Services: []string{"s3", "s3-outposts"},
		Now:      cfg.Now,
	})
	s.queryAuthn = authn.New(sigv4.VerifierConfig{
		Keys:     cfg.Keys,
		Services: []string{"iam", "sts"},
		Now:      cfg.Now,
	})
	s.initNetworks()
	s.initIdentity()
	return s, nil
}

// requestID returns a 16-character upper-case hex ID, unique per server.
func (s *Server) requestID() string {
	n := s.reqSeq.Add(1)
	const digits = "0123456789ABCDEF"
	var b [16]byte
	copy(b[:], s.reqBase)
	for i := 15; i >= 8; i-- {
		b[i] = digits[n&15]
		n >>= 4
	}
	return string(b[:])
}

// statusWriter records the status and byte count for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = 200
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// ReadFrom keeps sendfile available when the body is an *os.File.
func (w *statusWriter) ReadFrom(r io.Reader) (int64, error) {
	if w.status == 0 {
		w.status = 200
	}
	n, err := io.Copy(w.ResponseWriter, r)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	start := time.Now()
	w := &statusWriter{ResponseWriter: rw}
	rc := &reqCtx{s: s, w: w, r: r, id: s.requestID(), start: s.now()}
	h := w.Header()
	h.Set("x-amz-request-id", rc.id)
	h.Set("x-amz-id-2", s.hostID)
	h.Set("Server", "Outpost")

	err := s.handle(rc)
	if err != nil {
		s.writeError(rc, err)
	}
	if r.Body != nil {
		r.Body.Close()
	}
	s.observe(rc, w, time.Since(start), err) // observe.go
}

// writeError is the one place an error leaves the server: in the form of
// the API classification found (classify.go).
func (s *Server) writeError(rc *reqCtx, err error) {
	if rc.class.API == APIQuery {
		q := rc.q
		if q == nil { // the form could not be read
			q = &queryCtx{rc: rc, service: "iam"}
		}
		q.writeError(err) // query.go: IAM/STS XML, logs its own failures
		return
	}
	e := toS3Error(err)
	if e.Status >= 500 {
		s.log.Error("request failed", "request_id", rc.id, "op", rc.op.name, "error", err)
	}
	switch rc.class.API {
	case APIControl:
		writeControlError(rc, e) // control.go
	case APIS3Outposts:
		writeJSONError(rc, e) // s3outposts.go
	case APIAdminNetworks:
		writeAdminError(rc, e) // admin_networks.go
	default:
		s3err.Write(rc.w, rc.r, e, rc.r.URL.Path, rc.id, s.hostID)
	}
}
