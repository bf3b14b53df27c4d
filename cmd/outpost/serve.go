package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/outpost-s3/outpost/internal/app"
	"github.com/outpost-s3/outpost/internal/server"
)

const serveUsage = `Usage: outpost serve [flags]

Runs the Outpost server. With no flags it keeps data in ./outpost-data and
listens on :9000. The outpost ID, account ID and root credentials are fixed
at first start and printed; the secret is printed only once.

Flags (each has an environment variable):
`

// env returns the environment value for name, or def.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg app.Config
	fs.StringVar(&cfg.DataDir, "data", env("OUTPOST_DATA", "./outpost-data"), "data directory (OUTPOST_DATA)")
	fs.StringVar(&cfg.Listen, "listen", env("OUTPOST_LISTEN", ":9000"), "HTTP listen address (OUTPOST_LISTEN)")
	fs.StringVar(&cfg.Region, "region", env("OUTPOST_REGION", "us-east-1"), "region the outpost is homed to (OUTPOST_REGION)")
	fs.StringVar(&cfg.Domain, "domain", env("OUTPOST_DOMAIN", ""), "base domain for virtual-hosted-style names, e.g. s3.example.internal (OUTPOST_DOMAIN)")
	fs.StringVar(&cfg.OutpostID, "outpost-id", env("OUTPOST_ID", ""), "outpost ID, op- + 17 hex digits; random at first start (OUTPOST_ID)")
	fs.StringVar(&cfg.AccountID, "account-id", env("OUTPOST_ACCOUNT_ID", ""), "owning account ID, 12 digits; random at first start (OUTPOST_ACCOUNT_ID)")
	fs.StringVar(&cfg.PostgresDSN, "postgres", env("OUTPOST_POSTGRES_DSN", ""), "keep metadata in PostgreSQL at this DSN instead of SQLite (OUTPOST_POSTGRES_DSN)")
	logFormat := fs.String("log-format", env("OUTPOST_LOG_FORMAT", "auto"), "log format: text, json or auto (json when stderr is not a terminal) (OUTPOST_LOG_FORMAT)")
	logLevel := fs.String("log-level", env("OUTPOST_LOG_LEVEL", "info"), "log level: debug, info, warn, error (OUTPOST_LOG_LEVEL)")
	trusted := fs.String("trusted-proxies", env("OUTPOST_TRUSTED_PROXIES", ""), "comma-separated CIDRs of reverse proxies whose X-Forwarded-For/-Host/-Proto/-Port/-Prefix headers are believed (OUTPOST_TRUSTED_PROXIES)")
	fs.StringVar(&cfg.PublicURL, "public-url", env("OUTPOST_PUBLIC_URL", ""), "the URL clients use when a trusted proxy serves Outpost under another host or a path prefix, e.g. https://files.example.com/s3 (OUTPOST_PUBLIC_URL)")
	orphanGrace := fs.Duration("orphan-grace", envDuration("OUTPOST_ORPHAN_GRACE", time.Hour), "age after which unreferenced blobs are swept (OUTPOST_ORPHAN_GRACE)")
	fs.Int64Var(&cfg.InlineMax, "inline-max", envInt("OUTPOST_INLINE_MAX", server.DefaultInlineMax), "objects up to this many bytes are stored in the metadata database, committed with it in one durable write; -1 stores every object as a blob file; at most 262144 (OUTPOST_INLINE_MAX)")
	encrypt := fs.Bool("encrypt-at-rest", envBool("OUTPOST_ENCRYPT_AT_REST", true), "seal every object with SSE-S3 (AES-256-GCM under per-object keys wrapped by the master key), as S3 on Outposts does; false stores objects as sent unless a request asks for SSE-S3 or SSE-C, for disks that are already encrypted (OUTPOST_ENCRYPT_AT_REST)")
	fs.DurationVar(&cfg.SweepEvery, "sweep-every", envDuration("OUTPOST_SWEEP_EVERY", 10*time.Minute), "how often to look for orphan blobs (OUTPOST_SWEEP_EVERY)")
	fs.DurationVar(&cfg.LifecycleEvery, "lifecycle-every", envDuration("OUTPOST_LIFECYCLE_EVERY", time.Hour), "how often to apply buckets' lifecycle rules (OUTPOST_LIFECYCLE_EVERY)")
	fs.DurationVar(&cfg.KeyUsageEvery, "key-usage-every", envDuration("OUTPOST_KEY_USAGE_EVERY", time.Minute), "how often access key last-use times (IAM GetAccessKeyLastUsed) are written to the metadata store; also written at shutdown (OUTPOST_KEY_USAGE_EVERY)")
	fs.IntVar(&cfg.Limits.BucketsPerAccount, "max-buckets", int(envInt("OUTPOST_MAX_BUCKETS", 100)), "Outposts buckets per account (OUTPOST_MAX_BUCKETS)")
	fs.IntVar(&cfg.Limits.AccessPointsPerBucket, "max-access-points", int(envInt("OUTPOST_MAX_ACCESS_POINTS", 10)), "access points per bucket (OUTPOST_MAX_ACCESS_POINTS)")
	fs.IntVar(&cfg.Limits.EndpointsPerOutpost, "max-endpoints", int(envInt("OUTPOST_MAX_ENDPOINTS", 100)), "s3outposts endpoints on the outpost (OUTPOST_MAX_ENDPOINTS)")
	fs.Int64Var(&cfg.Limits.CapacityBytes, "capacity", envInt("OUTPOST_CAPACITY", 0), "capacity in bytes that ListOutpostsWithS3 reports; 0 to leave it out (OUTPOST_CAPACITY)")
	fs.DurationVar(&cfg.ReadHeaderTimeout, "read-header-timeout", envDuration("OUTPOST_READ_HEADER_TIMEOUT", 30*time.Second), "time allowed to send a request's headers (OUTPOST_READ_HEADER_TIMEOUT)")
	fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", envDuration("OUTPOST_IDLE_TIMEOUT", 120*time.Second), "keep-alive connections idle this long are closed (OUTPOST_IDLE_TIMEOUT)")
	fs.DurationVar(&cfg.BodyIdleTimeout, "body-timeout", envDuration("OUTPOST_BODY_TIMEOUT", 60*time.Second), "a client that sends no request-body byte for this long is cut off with RequestTimeout (OUTPOST_BODY_TIMEOUT)")
	fs.Int64Var(&cfg.MinBodyRate, "min-body-rate", envInt("OUTPOST_MIN_BODY_RATE", app.DefaultMinBodyRate), "bytes per second a request body must average after the first --body-timeout; -1 for no minimum (OUTPOST_MIN_BODY_RATE)")
	fs.IntVar(&cfg.MaxConns, "max-conns", int(envInt("OUTPOST_MAX_CONNS", 0)), "connections served at once; 0 for no cap (OUTPOST_MAX_CONNS)")
	fs.StringVar(&cfg.TLSListen, "tls-listen", env("OUTPOST_TLS_LISTEN", ""), "HTTPS listen address beside --listen, e.g. :9443; the AWS SDKs reach access point ARNs only over HTTPS (OUTPOST_TLS_LISTEN)")
	fs.StringVar(&cfg.TLSCert, "tls-cert", env("OUTPOST_TLS_CERT", ""), "PEM certificate (chain) for --tls-listen; empty: generate a CA and certificate in DATA/tls (OUTPOST_TLS_CERT)")
	fs.StringVar(&cfg.TLSKey, "tls-key", env("OUTPOST_TLS_KEY", ""), "PEM private key of --tls-cert (OUTPOST_TLS_KEY)")
	tlsHosts := fs.String("tls-hosts", env("OUTPOST_TLS_HOSTS", ""), "comma-separated extra host names or addresses for the generated certificate (OUTPOST_TLS_HOSTS)")
	fs.StringVar(&cfg.Networks, "networks", env("OUTPOST_NETWORKS", ""), "JSON file of networks (VPCs) to declare at start; see docs/networking.md (OUTPOST_NETWORKS)")
	fs.Usage = func() {
		fmt.Fprint(stderr, serveUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	cfg.RootAccessKeyID = os.Getenv("OUTPOST_ROOT_ACCESS_KEY_ID")
	cfg.RootSecretAccessKey = os.Getenv("OUTPOST_ROOT_SECRET_ACCESS_KEY")
	cfg.MasterKey = os.Getenv("OUTPOST_MASTER_KEY")
	cfg.MasterKeyPrevious = os.Getenv("OUTPOST_MASTER_KEY_PREVIOUS")
	cfg.OrphanGrace = *orphanGrace
	cfg.PlaintextAtRest = !*encrypt
	prefixes, err := parseCIDRs(*trusted)
	if err != nil {
		fmt.Fprintln(stderr, "outpost serve: --trusted-proxies:", err)
		return 2
	}
	cfg.TrustedProxies = prefixes
	for _, h := range strings.Split(*tlsHosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			cfg.TLSHosts = append(cfg.TLSHosts, h)
		}
	}
	cfg.Logger = newLogger(stderr, *logFormat, *logLevel)

	// Bind the listeners before opening the data directory: a first start
	// that cannot listen (the port is taken) must not create the identity,
	// or its root secret would be stored but never shown.
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		fmt.Fprintln(stderr, "outpost serve:", err)
		return 1
	}
	var tlsLn net.Listener
	if cfg.TLSListen != "" {
		if tlsLn, err = net.Listen("tcp", cfg.TLSListen); err != nil {
			fmt.Fprintln(stderr, "outpost serve: --tls-listen:", err)
			ln.Close()
			return 1
		}
	}
	a, err := app.Open(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "outpost serve:", err)
		ln.Close()
		if tlsLn != nil {
			tlsLn.Close()
		}
		return 1
	}
	printBanner(stdout, a, ln.Addr().String(), tlsLn)
	a.StartBackground()
	errc := make(chan error, 2)
	go func() { errc <- a.Serve(ln) }()
	if tlsLn != nil {
		go func() { errc <- a.ServeTLS(tlsLn) }()
	}
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(stderr, "outpost serve:", err)
			a.Shutdown(context.Background())
			return 1
		}
	case <-ctx.Done():
		cfg.Logger.Info("shutting down: finishing in-flight requests")
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := a.Shutdown(sctx); err != nil {
			fmt.Fprintln(stderr, "outpost serve: shutdown:", err)
			return 1
		}
	}
	return 0
}

func envInt(name string, def int64) int64 {
	if v := os.Getenv(name); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	}
	return def
}

func envBool(name string, def bool) bool {
	if v := os.Getenv(name); v != "" {
		if b, err := strconv.ParseBool(v); err == nil {
			return b
		}
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

// printBanner tells the user how to reach the server. The root secret is
// shown only when this start created it.
func printBanner(w io.Writer, a *app.App, addr string, tlsLn net.Listener) {
	host, port, _ := net.SplitHostPort(addr)
	everywhere := host == "" || host == "::" || host == "0.0.0.0"
	if everywhere {
		host = "127.0.0.1"
	}
	id := a.Identity
	fmt.Fprintf(w, "Outpost %s\n", version)
	fmt.Fprintf(w, "  endpoint:    http://%s\n", net.JoinHostPort(host, port))
	if everywhere {
		// The endpoint line names loopback, but the port is open to the
		// network: say so, so nobody is surprised.
		fmt.Fprintf(w, "  listening:   %s on every interface (--listen 127.0.0.1:%s for this machine only)\n", addr, port)
	}
	if tlsLn != nil {
		// localhost, not an address: the SDKs prepend labels to the host
		// for access points, and *.localhost resolves to loopback.
		thost, tport, _ := net.SplitHostPort(tlsLn.Addr().String())
		if thost == "" || thost == "::" || thost == "0.0.0.0" || thost == "127.0.0.1" || thost == "::1" {
			thost = "localhost"
		}
		fmt.Fprintf(w, "  https:       https://%s\n", net.JoinHostPort(thost, tport))
		if a.TLS != nil && a.TLS.CAFile != "" {
			fmt.Fprintf(w, "  tls ca:      %s\n", a.TLS.CAFile)
		}
	}
	fmt.Fprintf(w, "  region:      %s\n", id.Region)
	fmt.Fprintf(w, "  outpost ID:  %s\n", id.OutpostID)
	fmt.Fprintf(w, "  account ID:  %s\n", id.AccountID)
	fmt.Fprintf(w, "  access key:  %s\n", id.RootAccessKeyID)
	if id.RootSecret != "" {
		fmt.Fprintf(w, "  secret key:  %s\n", id.RootSecret)
		fmt.Fprintln(w, "  (the secret key is shown only now; keep it safe)")
	}
	fmt.Fprintln(w, "ready")
}

func newLogger(w io.Writer, format, level string) *slog.Logger {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		lv = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lv}
	if format == "auto" {
		format = "json"
		if f, ok := w.(*os.File); ok {
			if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
				format = "text"
			}
		}
	}
	if strings.EqualFold(format, "text") {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// parseCIDRs parses a comma-separated list of CIDRs or single addresses.
func parseCIDRs(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("%q is not an address or CIDR", f)
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR", f)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
