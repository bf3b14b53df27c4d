package tlsutil

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

const outpost = "op-01ac5d28a6a232904"

func TestNamesCoverTheHostsTheSDKsBuild(t *testing.T) {
	names := Names(outpost, "s3.example.internal", []string{"files.lan", "10.0.0.5"})
	for _, want := range []string{
		"localhost", "127.0.0.1", "::1",
		"*." + outpost + ".localhost", "*.ec2.localhost",
		"s3.example.internal", "*.s3.example.internal", "*." + outpost + ".s3.example.internal", "*.ec2.s3.example.internal",
		"files.lan", "*." + outpost + ".files.lan", "10.0.0.5",
	} {
		if !slices.Contains(names, want) {
			t.Errorf("Names lacks %q: %v", want, names)
		}
	}
	if slices.Contains(names, "*."+outpost+".10.0.0.5") {
		t.Errorf("Names made a wildcard under an IP address: %v", names)
	}
}

func TestEnsureIssuesACertificateTheCAVerifiesForAccessPointHosts(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	f, err := Ensure(dir, Names(outpost, "", nil), now)
	if err != nil {
		t.Fatal(err)
	}
	for path, mode := range map[string]os.FileMode{f.CAKey: 0o600, f.Key: 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != mode {
			t.Errorf("%s mode %v, want %v", path, fi.Mode().Perm(), mode)
		}
	}
	pool, err := CertPool(f.CA)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.LoadX509KeyPair(f.Cert, f.Key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(pair.Certificate[0])
	for _, host := range []string{
		"localhost", "127.0.0.1", "::1",
		"my-ap-111122223333." + outpost + ".localhost",
		"example-outp-o01ac5d28a6a232904e8xz5w8ijx1qzlbp3i3kuse10--op-s3." + outpost + ".localhost",
		"my-ap-s-e01ac5d28a6a232904e8xz5w8ijx1qzlbp3i3kuse10--op-s3.ec2.localhost",
	} {
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: host, Roots: pool, CurrentTime: now}); err != nil {
			t.Errorf("%s: %v", host, err)
		}
	}
	// One wildcard level only: a name two labels deep is not covered.
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "a.b." + outpost + ".localhost", Roots: pool, CurrentTime: now}); err == nil {
		t.Error("a.b.OUTPOST.localhost verified; a wildcard covers one label")
	}
}

func TestEnsureKeepsTheCAAndRenewsTheServerCertificate(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	f1, err := Ensure(dir, Names(outpost, "", nil), now)
	if err != nil {
		t.Fatal(err)
	}
	ca1, _ := os.ReadFile(f1.CA)
	cert1, _ := os.ReadFile(f1.Cert)

	// Same names: nothing changes.
	if _, err := Ensure(dir, Names(outpost, "", nil), now); err != nil {
		t.Fatal(err)
	}
	if cert, _ := os.ReadFile(f1.Cert); string(cert) != string(cert1) {
		t.Error("server certificate reissued although nothing changed")
	}

	// A new domain: a new server certificate from the same CA.
	f2, err := Ensure(dir, Names(outpost, "s3.example.internal", nil), now)
	if err != nil {
		t.Fatal(err)
	}
	ca2, _ := os.ReadFile(f2.CA)
	cert2, _ := os.ReadFile(f2.Cert)
	if string(ca1) != string(ca2) {
		t.Error("the CA changed")
	}
	if string(cert1) == string(cert2) {
		t.Error("server certificate not reissued for a new domain")
	}

	// Close to expiry: renewed.
	if _, err := Ensure(dir, Names(outpost, "s3.example.internal", nil), now.Add(certValidity-24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if cert3, _ := os.ReadFile(f2.Cert); string(cert3) == string(cert2) {
		t.Error("server certificate not renewed near expiry")
	}
}

func TestEnsureRefusesHalfACA(t *testing.T) {
	dir := t.TempDir()
	if _, err := Ensure(dir, []string{"localhost"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, CAKeyFile))
	if _, err := Ensure(dir, []string{"localhost"}, time.Now()); err == nil {
		t.Fatal("Ensure made a new CA key beside the old CA certificate")
	}
}

func TestServerConfigRefusesTLS11AndServesTLS12(t *testing.T) {
	dir := t.TempDir()
	f, err := Ensure(dir, Names(outpost, "", nil), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.LoadX509KeyPair(f.Cert, f.Key)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(r.Host))
	}))
	srv.TLS = ServerConfig(pair)
	srv.StartTLS()
	defer srv.Close()
	pool, _ := CertPool(f.CA)
	addr := srv.Listener.Addr().String()
	dial := func(max uint16) error {
		c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: "my-ap-111122223333." + outpost + ".localhost", MaxVersion: max})
		if err == nil {
			c.Close()
		}
		return err
	}
	if err := dial(tls.VersionTLS12); err != nil {
		t.Errorf("TLS 1.2: %v", err)
	}
	if err := dial(tls.VersionTLS13); err != nil {
		t.Errorf("TLS 1.3: %v", err)
	}
	if err := dial(tls.VersionTLS11); err == nil {
		t.Error("TLS 1.1 accepted")
	}
}
