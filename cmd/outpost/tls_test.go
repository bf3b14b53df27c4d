package main

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --tls-listen adds an HTTPS listener whose generated CA the banner names;
// the certificate covers the host names the SDKs build for access points.
func TestServeTLSListenerWithGeneratedCA(t *testing.T) {
	bin := buildBinary(t)
	data := filepath.Join(t.TempDir(), "data")
	s := startServe(t, bin, nil, "--data", data, "--listen", "127.0.0.1:0", "--tls-listen", "127.0.0.1:0")
	httpsURL, caFile := s.banner["https"], s.banner["tls ca"]
	if !strings.HasPrefix(httpsURL, "https://localhost:") || caFile != filepath.Join(data, "tls", "ca.pem") {
		t.Fatalf("banner: https %q, tls ca %q (want %s)", httpsURL, caFile, filepath.Join(data, "tls", "ca.pem"))
	}
	if fi, err := os.Stat(filepath.Join(data, "tls", "ca-key.pem")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("CA key: %v %v", fi, err)
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(httpsURL, "https://"))
	addr := net.JoinHostPort("127.0.0.1", port)
	for _, host := range []string{"localhost", "my-ap-" + s.banner["account ID"] + "." + s.banner["outpost ID"] + ".localhost"} {
		c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: host})
		if err != nil {
			t.Fatalf("TLS to %s: %v", host, err)
		}
		c.Close()
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool},
		DialContext: (&net.Dialer{}).DialContext}}
	resp, err := client.Get("https://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || resp.TLS == nil {
		t.Fatalf("anonymous ListBuckets over HTTPS: %d", resp.StatusCode)
	}
}
