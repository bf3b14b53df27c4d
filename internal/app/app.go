// Package app assembles a running Outpost from its configuration: it opens
// the stores in the data directory, fixes the outpost's identity at first
// start, creates the root credentials, and serves HTTP. Tests start a whole
// server through it; the `outpost serve` command is a thin shell around it.
package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"github.com/outpost-s3/outpost/internal/blob"
	fsblob "github.com/outpost-s3/outpost/internal/blob/fs"
	"github.com/outpost-s3/outpost/internal/bucketconfig"
	"github.com/outpost-s3/outpost/internal/iam"
	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/meta/sqlmeta"
	"github.com/outpost-s3/outpost/internal/objects"
	"github.com/outpost-s3/outpost/internal/server"
)

// Config is the whole configuration of one Outpost process.
// DefaultMinBodyRate is the request-body rate, in bytes per second, that a
// client must average once the first BodyIdleTimeout has passed: 256 B/s
// (2 kbit/s). A client that trickles a body a byte at a time could otherwise
// hold a connection for as long as it likes (AWS answers such uploads with
// RequestTimeout). No real client comes near it: even the AWS CLI's ten
// concurrent part uploads trip it only on a link slower than 20 kbit/s,
// below GPRS.
const DefaultMinBodyRate = 256

type Config struct {
	DataDir   string // default ./outpost-data
	Listen    string // default :9000
	Region    string // default us-east-1
	Domain    string // virtual-hosted-style base domain, optional
	OutpostID string // fixed at first start; random when empty
	AccountID string // fixed at first start; random when empty
	// RootAccessKeyID and RootSecretAccessKey set the root credentials;
	// when empty they are generated at first start.
	RootAccessKeyID     string
	RootSecretAccessKey string
	// MasterKey (base64 of 32 bytes) encrypts secret access keys at rest
	// and seals STS session tokens; empty means the key file
	// DATA/master.key, created (mode 0600) at first start.
	// MasterKeyPrevious lists earlier master keys (comma-separated base64)
	// still accepted for decryption while rotating.
	MasterKey         string
	MasterKeyPrevious string
	// PostgresDSN, when set, keeps metadata in PostgreSQL instead of SQLite.
	PostgresDSN string
	// TrustedProxies are CIDRs of reverse proxies whose X-Forwarded-*
	// headers are believed. PublicURL is the address clients use when a
	// proxy serves Outpost under another host or a path prefix.
	TrustedProxies []netip.Prefix
	PublicURL      string

	Logger *slog.Logger
	Now    func() time.Time
	// OrphanGrace is how old an unreferenced blob must be before the sweep
	// removes it (default 1 hour). SweepEvery is the sweep period (default 10 minutes).
	OrphanGrace time.Duration
	SweepEvery  time.Duration
	// InlineMax: objects up to this size are stored in their metadata row
	// (server.Config.InlineMax: 0 is the default 16 KiB, negative never).
	InlineMax int64
	// PlaintextAtRest turns off SSE-S3 by default (--encrypt-at-rest=false):
	// objects are stored as sent unless a request asks for encryption.
	PlaintextAtRest bool
	// LifecycleEvery is the period of the lifecycle worker, which applies
	// buckets' lifecycle rules (default 1 hour; AWS runs about daily).
	LifecycleEvery time.Duration
	// KeyUsageEvery is how often the access key uses seen (for IAM's
	// GetAccessKeyLastUsed) are written to the metadata store (default 1
	// minute); they are also written at shutdown. Until then the node that
	// saw a use answers it from memory; other nodes see it after the write.
	KeyUsageEvery time.Duration
	// Limits are the S3 on Outposts quotas (buckets per account, access
	// points per bucket, endpoints per outpost); zero fields take AWS's.
	Limits server.Limits

	// ReadHeaderTimeout bounds reading one request's headers (default 30s);
	// IdleTimeout closes a keep-alive connection idle this long (default 120s).
	ReadHeaderTimeout time.Duration
	IdleTimeout       time.Duration
	// BodyIdleTimeout cuts off a client that sends no byte of a request
	// body for this long (default 60s): the request fails with
	// RequestTimeout and the connection is closed. MinBodyRate, in bytes
	// per second, also cuts off a client whose average body rate, after a
	// first BodyIdleTimeout of grace, falls below it (0: DefaultMinBodyRate;
	// negative: no minimum).
	BodyIdleTimeout time.Duration
	MinBodyRate     int64
	// MaxConns caps the connections served at once per listener; further
	// connections wait in the kernel's accept queue (0: no cap). A cap
	// makes slow clients able to crowd others out, so keep it generous.
	MaxConns int

	// WrapMeta and WrapBlobs, when set, wrap the opened stores before the
	// server uses them: tests inject faults (full disk, failed fsync, an
	// unavailable database) through them.
	WrapMeta  func(meta.Store) meta.Store
	WrapBlobs func(blob.Store) blob.Store

	// TLSListen is the address of the HTTPS listener beside Listen ("" for
	// none). TLSCert and TLSKey are PEM files of the certificate to serve;
	// when both are empty Outpost generates a CA in DATA/tls and a
	// certificate for the access point host names (tls.go). TLSHosts are
	// extra host names or addresses for the generated certificate.
	TLSListen       string
	TLSCert, TLSKey string
	TLSHosts        []string
	// Networks is a JSON file of networks (VPCs) declared at every start
	// (networks.go, docs/networking.md).
	Networks string
	// Observers receive one record per request (server.Observer): the seam
	// for metrics and audit. The access log is always written.
	Observers []server.Observer
}

// Identity is what a server is, fixed at first start.
type Identity struct {
	Region    string
	OutpostID string
	AccountID string
	// RootAccessKeyID is the root user's key. RootSecret is set only when
	// the credentials were created by this start (to be printed once).
	RootAccessKeyID string
	RootSecret      string
}

// App is an opened Outpost: stores, identity and the HTTP handler.
type App struct {
	cfg      Config
	Identity Identity
	Meta     meta.Store
	Blobs    blob.Store
	Handler  *server.Server
	// Objects runs the object operations outside requests: the
	// lifecycle worker.
	Objects *objects.Service
	// Keyring is the master key (secrets at rest, session tokens).
	Keyring *iam.Keyring
	// TLS is the HTTPS configuration, nil without Config.TLSListen (tls.go).
	TLS *TLSInfo
	log *slog.Logger

	mu      sync.Mutex
	servers []*http.Server
	stop    chan struct{}
	wg      sync.WaitGroup
}

var (
	outpostIDRe = regexp.MustCompile(`^op-[0-9a-f]{17}$`)
	accountRe   = regexp.MustCompile(`^[0-9]{12}$`)
)

// Open prepares the data directory and returns an App ready to serve.
func Open(ctx context.Context, cfg Config) (*App, error) {
	if cfg.DataDir == "" {
		cfg.DataDir = "./outpost-data"
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
	if cfg.OrphanGrace == 0 {
		cfg.OrphanGrace = time.Hour
	}
	if cfg.SweepEvery == 0 {
		cfg.SweepEvery = 10 * time.Minute
	}
	if cfg.LifecycleEvery == 0 {
		cfg.LifecycleEvery = time.Hour
	}
	if cfg.KeyUsageEvery == 0 {
		cfg.KeyUsageEvery = time.Minute
	}
	if cfg.ReadHeaderTimeout == 0 {
		cfg.ReadHeaderTimeout = 30 * time.Second
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 120 * time.Second
	}
	if cfg.BodyIdleTimeout == 0 {
		cfg.BodyIdleTimeout = 60 * time.Second
	}
	switch {
	case cfg.MinBodyRate == 0:
		cfg.MinBodyRate = DefaultMinBodyRate
	case cfg.MinBodyRate < 0:
		cfg.MinBodyRate = 0
	}
	if cfg.OutpostID != "" && !outpostIDRe.MatchString(cfg.OutpostID) {
		return nil, fmt.Errorf("invalid outpost ID %q: want op- followed by 17 lower-case hex digits", cfg.OutpostID)
	}
	if cfg.AccountID != "" && !accountRe.MatchString(cfg.AccountID) {
		return nil, fmt.Errorf("invalid account ID %q: want 12 digits", cfg.AccountID)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	fsb, err := fsblob.Open(filepath.Join(cfg.DataDir, "blobs"))
	if err != nil {
		return nil, fmt.Errorf("open blob store: %w", err)
	}
	var blobs blob.Store = fsb
	if cfg.WrapBlobs != nil {
		blobs = cfg.WrapBlobs(blobs)
	}
	var ms meta.Store
	if cfg.PostgresDSN != "" {
		ms, err = sqlmeta.OpenPostgres(cfg.PostgresDSN)
	} else {
		ms, err = sqlmeta.OpenSQLite(filepath.Join(cfg.DataDir, "meta.db"))
	}
	if err != nil {
		return nil, fmt.Errorf("open metadata store: %w", err)
	}
	if cfg.WrapMeta != nil {
		ms = cfg.WrapMeta(ms)
	}
	a := &App{cfg: cfg, Meta: ms, Blobs: blobs, log: cfg.Logger, stop: make(chan struct{})}
	if err := a.openKeyring(); err != nil {
		ms.Close()
		return nil, err
	}
	if err := a.bootstrap(ctx); err != nil {
		ms.Close()
		return nil, err
	}
	if err := a.secureIdentity(ctx); err != nil {
		ms.Close()
		return nil, err
	}
	if err := a.setupNetworks(ctx); err != nil {
		ms.Close()
		return nil, err
	}
	if err := a.setupTLS(); err != nil {
		ms.Close()
		return nil, err
	}
	a.Handler, err = server.New(server.Config{
		Region: a.Identity.Region, OutpostID: a.Identity.OutpostID, AccountID: a.Identity.AccountID,
		Domain: cfg.Domain, Meta: ms, Blobs: blobs, Logger: cfg.Logger, Now: cfg.Now, Keyring: a.Keyring,
		OrphanGrace: cfg.OrphanGrace, TrustedProxies: cfg.TrustedProxies, PublicURL: cfg.PublicURL,
		Observers: cfg.Observers, Limits: cfg.Limits, InlineMax: cfg.InlineMax, PlaintextAtRest: cfg.PlaintextAtRest,
	})
	if err == nil {
		a.Objects, err = objects.New(objects.Config{Meta: ms, Blobs: blobs, Logger: cfg.Logger, Now: cfg.Now,
			Lifecycle: func(ctx context.Context, bucket string) ([]objects.LifecycleRule, error) {
				return bucketconfig.LifecycleRules(ctx, ms, bucket)
			}})
	}
	if err != nil {
		ms.Close()
		return nil, err
	}
	return a, nil
}

// bootstrap fixes the identity in the metadata store at first start and
// checks later starts agree with it.
func (a *App) bootstrap(ctx context.Context) error {
	cfg := a.cfg
	fix := func(name, want, random string) (string, error) {
		v := want
		if v == "" {
			v = random
		}
		got, err := a.Meta.PutSettingIfAbsent(ctx, name, v)
		if err != nil {
			return "", fmt.Errorf("store %s: %w", name, err)
		}
		if want != "" && got != want {
			return "", fmt.Errorf("the data directory %s belongs to %s %s, not %s", cfg.DataDir, name, got, want)
		}
		return got, nil
	}
	var err error
	id := &a.Identity
	if id.Region, err = fix("region", cfg.Region, ""); err != nil {
		return err
	}
	if id.OutpostID, err = fix("outpost_id", cfg.OutpostID, "op-"+randomHex(17)); err != nil {
		return err
	}
	if id.AccountID, err = fix("account_id", cfg.AccountID, iam.NewAccountID()); err != nil {
		return err
	}
	keyID, secret := cfg.RootAccessKeyID, cfg.RootSecretAccessKey
	if (keyID == "") != (secret == "") {
		return errors.New("set both OUTPOST_ROOT_ACCESS_KEY_ID and OUTPOST_ROOT_SECRET_ACCESS_KEY, or neither")
	}
	if keyID != "" {
		k, err := a.Meta.GetAccessKey(ctx, keyID)
		switch {
		case errors.Is(err, meta.ErrNotFound):
			if err := a.Meta.PutAccessKey(ctx, meta.AccessKey{AccessKeyID: keyID, Secret: a.Keyring.EncryptSecret(keyID, secret), Account: id.AccountID, Status: "Active", CreatedAt: cfg.Now().UTC()}); err != nil {
				return fmt.Errorf("store root key: %w", err)
			}
		case err != nil:
			return fmt.Errorf("read root key: %w", err)
		case k.Account != id.AccountID || k.UserName != "":
			return fmt.Errorf("access key %s already belongs to another principal", keyID)
		case a.checkSecret(k, secret) != nil:
			return a.checkSecret(k, secret)
		}
		id.RootAccessKeyID = keyID
		_, _ = a.Meta.PutSettingIfAbsent(ctx, "root_access_key_id", keyID)
		return nil
	}
	stored, err := a.Meta.GetSetting(ctx, "root_access_key_id")
	if err == nil {
		id.RootAccessKeyID = stored
		return nil
	}
	if !errors.Is(err, meta.ErrNotFound) {
		return err
	}
	keyID, secret = iam.NewAccessKeyID(), iam.NewSecret()
	if err := a.Meta.PutAccessKey(ctx, meta.AccessKey{AccessKeyID: keyID, Secret: a.Keyring.EncryptSecret(keyID, secret), Account: id.AccountID, Status: "Active", CreatedAt: cfg.Now().UTC()}); err != nil {
		return fmt.Errorf("store root key: %w", err)
	}
	if _, err := a.Meta.PutSettingIfAbsent(ctx, "root_access_key_id", keyID); err != nil {
		return err
	}
	id.RootAccessKeyID, id.RootSecret = keyID, secret
	return nil
}

// Serve accepts connections on ln until Close. It returns http.ErrServerClosed after Close.
func (a *App) Serve(ln net.Listener) error { return a.serve(ln, nil) }

// serve accepts connections on ln, TLS ones when tlsConfig is set.
func (a *App) serve(ln net.Listener, tlsConfig *tls.Config) error {
	if a.cfg.MaxConns > 0 {
		ln = newLimitListener(ln, a.cfg.MaxConns)
	}
	if tlsConfig != nil {
		ln = tls.NewListener(ln, tlsConfig)
	}
	srv := &http.Server{
		Handler:           bodyDeadlines(a.Handler, a.cfg.BodyIdleTimeout, a.cfg.MinBodyRate),
		ReadHeaderTimeout: a.cfg.ReadHeaderTimeout,
		IdleTimeout:       a.cfg.IdleTimeout,
		MaxHeaderBytes:    1 << 20, // the handler answers S3's own 8 KB limit with an S3 error
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	a.mu.Lock()
	a.servers = append(a.servers, srv)
	a.mu.Unlock()
	return srv.Serve(ln)
}

// StartBackground runs the orphan sweep now and periodically, the
// lifecycle worker every LifecycleEvery, the access key usage flush
// every KeyUsageEvery and, while a master key rotation is under way, one
// pass re-wrapping object data keys under the current key.
func (a *App) StartBackground() {
	a.rewrapInBackground()
	a.every(a.cfg.LifecycleEvery, func() { a.RunLifecycle(context.Background()) })
	a.every(a.cfg.KeyUsageEvery, func() { a.FlushKeyUsage(context.Background()) })
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		t := time.NewTicker(a.cfg.SweepEvery)
		defer t.Stop()
		for {
			a.Sweep(context.Background())
			select {
			case <-a.stop:
				return
			case <-t.C:
			}
		}
	}()
}

// every runs fn every period until Shutdown, the first time one period
// after start.
func (a *App) every(period time.Duration, fn func()) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-a.stop:
				return
			case <-t.C:
				fn()
			}
		}
	}()
}

// FlushKeyUsage writes the access key uses seen since the last flush to
// the metadata store (server.FlushKeyUsage).
func (a *App) FlushKeyUsage(ctx context.Context) error {
	err := a.Handler.FlushKeyUsage(ctx)
	if err != nil {
		a.log.Warn("access key usage flush failed; kept for the next one", "error", err)
	}
	return err
}

// RunLifecycle applies every bucket's lifecycle rules once, at the
// configured clock (Config.Now): tests move the clock and call it.
func (a *App) RunLifecycle(ctx context.Context) (objects.LifecycleStats, error) {
	st, err := a.Objects.RunLifecycle(ctx)
	if err != nil {
		a.log.Warn("lifecycle pass failed", "error", err)
	}
	return st, err
}

// Sweep removes orphan blobs older than the grace period.
func (a *App) Sweep(ctx context.Context) (int, error) {
	n, err := blob.Sweep(ctx, a.Blobs, a.Meta.BlobReferenced, a.cfg.Now().Add(-a.cfg.OrphanGrace), a.log)
	if err != nil {
		a.log.Warn("orphan sweep failed", "error", err)
	} else if n > 0 {
		a.log.Info("orphan sweep removed blobs", "count", n)
	}
	return n, err
}

// Shutdown stops accepting requests, lets in-flight ones finish (until ctx
// ends), and closes the stores.
func (a *App) Shutdown(ctx context.Context) error {
	a.mu.Lock()
	servers := a.servers
	a.mu.Unlock()
	var first error
	for _, s := range servers {
		if err := s.Shutdown(ctx); err != nil && first == nil {
			first = err
		}
	}
	select {
	case <-a.stop:
	default:
		close(a.stop)
	}
	a.wg.Wait()
	// The last uses seen, once no request can add more; given its own
	// bounded time, as ctx may have run out waiting for requests.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	a.FlushKeyUsage(fctx)
	cancel()
	if err := a.Meta.Close(); err != nil && first == nil {
		first = err
	}
	return first
}

func randomHex(n int) string { return iam.RandomString("0123456789abcdef", n) }
