// Package tlsutil gives Outpost a TLS certificate when the operator brings
// none: a private certificate authority generated once in the data
// directory, and a server certificate signed by it for the names the AWS
// SDKs build for S3 on Outposts access points.
//
// The SDKs always address an access point over https, at a host name they
// make by prepending labels to the configured endpoint
// ({ap}-{account}.{outpost-id}.{endpoint host}, {alias}.op-{outpost}.{host},
// {alias}.ec2.{host}), so the certificate carries one wildcard per outpost
// and endpoint host. Clients trust the CA file (AWS_CA_BUNDLE for the AWS
// CLI and SDKs).
package tlsutil

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// File names inside the directory given to Ensure.
const (
	CAFile     = "ca.pem"
	CAKeyFile  = "ca-key.pem"
	CertFile   = "server.pem"
	KeyFile    = "server-key.pem"
	caValidity = 10 * 365 * 24 * time.Hour
	// certValidity stays under the 825 days that macOS and iOS accept for
	// a server certificate from a private CA.
	certValidity = 800 * 24 * time.Hour
	// renewBefore is how long before expiry Ensure issues a new server
	// certificate.
	renewBefore = 30 * 24 * time.Hour
)

// Files are the paths of a generated certificate authority and server
// certificate.
type Files struct {
	CA, CAKey, Cert, Key string
}

// Names returns the host names and addresses a server certificate for an
// outpost must cover: localhost and the loopback addresses, the given
// host names, and, for each host name H (localhost and the domain
// included), the wildcards *.{outpostID}.H — access points by ARN
// ({ap}-{account}.op-….H) and aliases of Outposts racks ({alias}.op-….H)
// share that label — and *.ec2.H (aliases of Outposts servers). With a
// domain D it also adds D and *.D (virtual-hosted buckets and aliases).
//
// A wildcard covers exactly one label, which is what the SDKs prepend.
func Names(outpostID, domain string, hosts []string) []string {
	var out []string
	add := func(n string) {
		n = strings.ToLower(strings.TrimSuffix(n, "."))
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	add("localhost")
	add("127.0.0.1")
	add("::1")
	bases := []string{"localhost"}
	if domain != "" {
		add(domain)
		add("*." + domain)
		bases = append(bases, domain)
	}
	for _, h := range hosts {
		add(h)
		if net.ParseIP(h) == nil {
			bases = append(bases, h)
		}
	}
	for _, b := range bases {
		b = strings.ToLower(strings.TrimSuffix(b, "."))
		if outpostID != "" {
			add("*." + outpostID + "." + b)
		}
		add("*.ec2." + b)
	}
	return out
}

// Ensure returns the CA and server certificate in dir, creating what is
// missing: the CA once (its key mode 0600), the server certificate
// whenever the existing one lacks one of names, was not signed by the CA,
// or expires within 30 days. The CA is never replaced, so clients that
// trust it keep working across restarts and renewals.
func Ensure(dir string, names []string, now time.Time) (Files, error) {
	f := Files{
		CA: filepath.Join(dir, CAFile), CAKey: filepath.Join(dir, CAKeyFile),
		Cert: filepath.Join(dir, CertFile), Key: filepath.Join(dir, KeyFile),
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return f, fmt.Errorf("create %s: %w", dir, err)
	}
	ca, caKey, err := loadOrCreateCA(f, now)
	if err != nil {
		return f, err
	}
	if certCurrent(f, ca, names, now) {
		return f, nil
	}
	return f, issue(f, ca, caKey, names, now)
}

func loadOrCreateCA(f Files, now time.Time) (*x509.Certificate, crypto.Signer, error) {
	certPEM, err1 := os.ReadFile(f.CA)
	keyPEM, err2 := os.ReadFile(f.CAKey)
	if err1 == nil && err2 == nil {
		pair, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, nil, fmt.Errorf("read the CA in %s: %w (remove %s and %s to make a new one)", f.CA, err, f.CA, f.CAKey)
		}
		signer, ok := pair.PrivateKey.(crypto.Signer)
		if !ok {
			return nil, nil, fmt.Errorf("the CA key in %s cannot sign", f.CAKey)
		}
		ca, err := x509.ParseCertificate(pair.Certificate[0])
		if err != nil {
			return nil, nil, err
		}
		return ca, signer, nil
	}
	if !errors.Is(err1, os.ErrNotExist) && err1 != nil {
		return nil, nil, err1
	}
	if !errors.Is(err2, os.ErrNotExist) && err2 != nil {
		return nil, nil, err2
	}
	if (err1 == nil) != (err2 == nil) {
		return nil, nil, fmt.Errorf("found only one of %s and %s; restore the other or remove both to make a new CA", f.CA, f.CAKey)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	host, _ := os.Hostname()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{Organization: []string{"Outpost"}, CommonName: "Outpost local CA " + host},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(caValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	if err := writeKey(f.CAKey, key); err != nil {
		return nil, nil, err
	}
	if err := writeFile(f.CA, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return nil, nil, err
	}
	ca, err := x509.ParseCertificate(der)
	return ca, key, err
}

// certCurrent reports whether the server certificate on disk is signed by
// ca, covers names and is not about to expire.
func certCurrent(f Files, ca *x509.Certificate, names []string, now time.Time) bool {
	certPEM, err := os.ReadFile(f.Cert)
	if err != nil {
		return false
	}
	keyPEM, err := os.ReadFile(f.Key)
	if err != nil {
		return false
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return false
	}
	c, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil || c.CheckSignatureFrom(ca) != nil || now.Add(renewBefore).After(c.NotAfter) {
		return false
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			if !slices.ContainsFunc(c.IPAddresses, ip.Equal) {
				return false
			}
		} else if !slices.Contains(c.DNSNames, n) {
			return false
		}
	}
	return true
}

func issue(f Files, ca *x509.Certificate, caKey crypto.Signer, names []string, now time.Time) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{Organization: []string{"Outpost"}, CommonName: "localhost"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(certValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return fmt.Errorf("issue the server certificate: %w", err)
	}
	if err := writeKey(f.Key, key); err != nil {
		return err
	}
	return writeFile(f.Cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err)
	}
	return n
}

func writeKey(path string, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	return writeFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
}

// writeFile replaces path atomically, so a crash never leaves half a key.
func writeFile(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// ServerConfig returns the TLS settings Outpost serves with: TLS 1.2 at
// least, forward-secret AEAD cipher suites only for TLS 1.2 (TLS 1.3
// suites are all modern), HTTP/1.1 (the S3 API does not use HTTP/2).
func ServerConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
			tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		},
		NextProtos: []string{"http/1.1"},
	}
}

// CertPool reads a PEM file of CA certificates into a pool.
func CertPool(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(bytes.TrimSpace(b)) {
		return nil, fmt.Errorf("%s holds no PEM certificate", path)
	}
	return p, nil
}
