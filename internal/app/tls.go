package app

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"

	"github.com/outpost-s3/outpost/internal/tlsutil"
)

// TLSInfo describes the HTTPS side of an App, when Config.TLSListen is set.
type TLSInfo struct {
	// Config is what ServeTLS serves with.
	Config *tls.Config
	// CAFile is the generated certificate authority clients should trust
	// (AWS_CA_BUNDLE), "" when the operator brought a certificate.
	CAFile string
	// CertFile and KeyFile are the server certificate and key in use.
	CertFile, KeyFile string
}

// setupTLS loads the operator's certificate, or makes (once) a CA in
// DATA/tls and a server certificate for the names the SDKs build for this
// outpost's access points (tlsutil.Names).
func (a *App) setupTLS() error {
	cfg := a.cfg
	if cfg.TLSListen == "" && cfg.TLSCert == "" && cfg.TLSKey == "" {
		return nil
	}
	if (cfg.TLSCert == "") != (cfg.TLSKey == "") {
		return fmt.Errorf("set both --tls-cert and --tls-key, or neither to use a generated certificate")
	}
	info := &TLSInfo{CertFile: cfg.TLSCert, KeyFile: cfg.TLSKey}
	if cfg.TLSCert == "" {
		hosts := append([]string{}, cfg.TLSHosts...)
		if h, err := os.Hostname(); err == nil && h != "" {
			hosts = append(hosts, h)
		}
		if cfg.PublicURL != "" {
			if u, err := url.Parse(cfg.PublicURL); err == nil && u.Hostname() != "" {
				hosts = append(hosts, u.Hostname())
			}
		}
		if h, _, err := net.SplitHostPort(cfg.TLSListen); err == nil && h != "" && h != "0.0.0.0" && h != "::" {
			hosts = append(hosts, h)
		}
		// The AWS SDKs send an access point alias to AWS's own host name
		// whatever endpoint they are given ({alias}.op-{outpost}.s3-outposts.
		// {region}.amazonaws.com); with a hosts-file line pointing it here,
		// an unmodified SDK works if the certificate covers that name too.
		hosts = append(hosts, "s3-outposts."+cfg.Region+".amazonaws.com")
		f, err := tlsutil.Ensure(filepath.Join(cfg.DataDir, "tls"), tlsutil.Names(a.Identity.OutpostID, cfg.Domain, hosts), cfg.Now())
		if err != nil {
			return fmt.Errorf("generate a TLS certificate: %w", err)
		}
		info.CAFile, info.CertFile, info.KeyFile = f.CA, f.Cert, f.Key
		if abs, err := filepath.Abs(f.CA); err == nil {
			info.CAFile = abs
		}
	}
	pair, err := tls.LoadX509KeyPair(info.CertFile, info.KeyFile)
	if err != nil {
		return fmt.Errorf("load the TLS certificate: %w", err)
	}
	info.Config = tlsutil.ServerConfig(pair)
	a.TLS = info
	return nil
}

// ServeTLS accepts TLS connections on ln until Close, like Serve. It
// fails unless the App was opened with TLS (Config.TLSListen or
// Config.TLSCert).
func (a *App) ServeTLS(ln net.Listener) error {
	if a.TLS == nil {
		return fmt.Errorf("TLS is not configured: set --tls-listen")
	}
	return a.serve(ln, a.TLS.Config)
}
