package limits_test

import (
	"crypto/tls"
	"testing"

	"github.com/outpost-s3/outpost/internal/testserver"
)

// TestTLSRefusesOldVersionsAndWeakCiphers dials the running server's HTTPS
// listener with each protocol version and with the weak TLS 1.2 suites Go
// still implements: only TLS 1.2 with forward-secret AEAD suites, and TLS
// 1.3, may complete a handshake.
func TestTLSRefusesOldVersionsAndWeakCiphers(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{TLS: true})
	dial := func(cfg *tls.Config) (*tls.ConnectionState, error) {
		cfg.InsecureSkipVerify = true // the chain is tlsutil's business; here only the parameters matter
		c, err := tls.Dial("tcp", srv.TLSAddr, cfg)
		if err != nil {
			return nil, err
		}
		defer c.Close()
		st := c.ConnectionState()
		return &st, nil
	}
	for _, v := range []uint16{tls.VersionTLS10, tls.VersionTLS11} {
		if _, err := dial(&tls.Config{MinVersion: v, MaxVersion: v}); err == nil {
			t.Errorf("handshake with %s succeeded", tls.VersionName(v))
		}
	}
	weak := append([]*tls.CipherSuite{}, tls.InsecureCipherSuites()...)
	for _, cs := range tls.CipherSuites() {
		// Secure by Go's standards but without forward secrecy or AEAD.
		switch cs.ID {
		case tls.TLS_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_256_CBC_SHA,
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
			tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA:
			weak = append(weak, cs)
		}
	}
	for _, cs := range weak {
		if _, err := dial(&tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{cs.ID}}); err == nil {
			t.Errorf("handshake with weak suite %s succeeded", cs.Name)
		}
	}
	st, err := dial(&tls.Config{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatalf("TLS 1.2: %v", err)
	}
	t.Logf("TLS 1.2 negotiates %s", tls.CipherSuiteName(st.CipherSuite))
	if st, err = dial(&tls.Config{MinVersion: tls.VersionTLS13}); err != nil || st.Version != tls.VersionTLS13 {
		t.Fatalf("TLS 1.3: %v", err)
	}
	t.Logf("%d weak suites and TLS 1.0/1.1 refused", len(weak))
}
