package server

import (
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// trusted reports whether the connection's peer is a configured proxy,
// whose X-Forwarded-* headers may be believed.
func (s *Server) trusted(r *http.Request) bool {
	if len(s.cfg.TrustedProxies) == 0 {
		return false
	}
	ip, ok := peerAddr(r)
	if !ok {
		return false
	}
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func peerAddr(r *http.Request) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return ip.Unmap(), true
}

// clientIP is the address the request came from: the connection's peer,
// or, when that peer is a trusted proxy, the right-most address in
// X-Forwarded-For that is not itself a trusted proxy. Headers from an
// untrusted peer are ignored, so nobody can claim another source address
// (aws:SourceIp, network origin) by sending X-Forwarded-For.
func (rc *reqCtx) clientIP() netip.Addr {
	if rc.clientAddr.IsValid() {
		return rc.clientAddr
	}
	ip, _ := peerAddr(rc.r)
	if rc.s.trusted(rc.r) {
		parts := strings.Split(strings.Join(rc.r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(parts) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(strings.TrimSpace(parts[i]))
			if err != nil {
				break
			}
			a = a.Unmap()
			ip = a
			inProxy := false
			for _, p := range rc.s.cfg.TrustedProxies {
				if p.Contains(a) {
					inProxy = true
					break
				}
			}
			if !inProxy {
				break
			}
		}
	}
	rc.clientAddr = ip
	return ip
}

// publicHost is the Host the client used, which is the one it signed:
// the request's Host, or X-Forwarded-Host (with X-Forwarded-Port) when a
// trusted proxy rewrote it, or the host of --public-url.
func (rc *reqCtx) publicHost() string {
	r := rc.r
	if rc.s.trusted(r) {
		if fh := firstValue(r.Header.Get("X-Forwarded-Host")); fh != "" {
			host := fh
			proto := strings.ToLower(firstValue(r.Header.Get("X-Forwarded-Proto")))
			if port := firstValue(r.Header.Get("X-Forwarded-Port")); port != "" && !strings.Contains(stripIPv6(host), ":") {
				if !(proto == "https" && port == "443") && !(proto == "http" && port == "80") {
					host = net.JoinHostPort(host, port)
				}
			}
			return stripDefaultPort(host, proto)
		}
		if rc.s.publicURL != nil {
			return rc.s.publicURL.Host
		}
	}
	return r.Host
}

// secure reports whether the client's connection was TLS (aws:SecureTransport).
func (rc *reqCtx) secure() bool {
	if rc.r.TLS != nil {
		return true
	}
	if rc.s.trusted(rc.r) {
		return strings.EqualFold(firstValue(rc.r.Header.Get("X-Forwarded-Proto")), "https")
	}
	return false
}

// publicPath maps the request path back to what the client signed when the
// server runs under a path prefix (--public-url https://host/prefix): a
// proxy strips the prefix, the signature covers it.
func (rc *reqCtx) publicPath() string {
	p := rc.r.URL.EscapedPath()
	if pre := rc.s.publicPrefix; pre != "" && rc.s.trusted(rc.r) {
		return pre + p
	}
	if pre := rc.r.Header.Get("X-Forwarded-Prefix"); pre != "" && rc.s.trusted(rc.r) {
		return strings.TrimSuffix(pre, "/") + p
	}
	return p
}

func firstValue(v string) string {
	v, _, _ = strings.Cut(v, ",")
	return strings.TrimSpace(v)
}

func stripIPv6(h string) string {
	if i := strings.LastIndex(h, "]"); i >= 0 {
		return h[i+1:]
	}
	return h
}

func stripDefaultPort(host, proto string) string {
	if (proto == "https" && strings.HasSuffix(host, ":443")) || (proto == "http" && strings.HasSuffix(host, ":80")) {
		return host[:strings.LastIndex(host, ":")]
	}
	return host
}

// parsePublicURL validates --public-url and returns its path prefix.
func parsePublicURL(s string) (*url.URL, string, error) {
	if s == "" {
		return nil, "", nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, "", &url.Error{Op: "parse", URL: s, Err: errBadPublicURL}
	}
	return u, strings.TrimSuffix(u.EscapedPath(), "/"), nil
}

type constErr string

func (e constErr) Error() string { return string(e) }

const errBadPublicURL = constErr("want an absolute http or https URL such as https://files.example.com/s3")
