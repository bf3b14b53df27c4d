package sigv4

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Signature Version 2 for S3, per
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html
// and as botocore's HmacV1Auth / HmacV1QueryAuth produce it.

// v2Subresources are the query parameters that are part of the SigV2
// CanonicalizedResource: the S3 documentation's list, the response-*
// overrides, the extra names botocore 1.43 signs, and "encryption", which
// botocore does not sign but which selects GetBucketEncryption: a SigV2
// request must sign every key the router acts on, so one that leaves it
// out does not verify.
var v2Subresources = map[string]bool{
	"accelerate": true, "acl": true, "analytics": true, "cors": true, "defaultObjectAcl": true,
	"delete": true, "encryption": true, "inventory": true, "lifecycle": true, "location": true, "logging": true,
	"metrics": true, "notification": true, "object-lock": true, "partNumber": true, "policy": true,
	"replication": true, "requestPayment": true, "restore": true, "select": true, "select-type": true,
	"storageClass": true, "tagging": true, "torrent": true, "uploadId": true, "uploads": true,
	"versionId": true, "versioning": true, "versions": true, "website": true,
	"response-cache-control": true, "response-content-disposition": true,
	"response-content-encoding": true, "response-content-language": true,
	"response-content-type": true, "response-expires": true,
}

// v2Subresource is one subresource of a request, decoded.
type v2Subresource struct {
	k, v  string
	hasEq bool
}

// v2SignedSubresources returns the subresources of rawQuery that the SigV2
// CanonicalizedResource names, in rawQuery's order. Keys and values are
// decoded as url.ParseQuery decodes them ('+' is a space), because that is
// what the router acts on: a key sent as "%61cl" is the acl subresource
// and must be signed as such, or a link for an object could be replayed as
// PutObjectAcl. botocore sends subresource names unescaped and escapes
// every '+' in a value, so the links it makes sign the same string.
func v2SignedSubresources(dst []v2Subresource, rawQuery string) []v2Subresource {
	for q := rawQuery; q != ""; {
		var part string
		if i := strings.IndexByte(q, '&'); i >= 0 {
			part, q = q[:i], q[i+1:]
		} else {
			part, q = q, ""
		}
		k, v, eq := strings.Cut(part, "=")
		if k = queryUnescape(k); !v2Subresources[k] {
			continue
		}
		dst = append(dst, v2Subresource{k, queryUnescape(v), eq})
	}
	return dst
}

// appendV2Subresources appends "?k=v&k2" for the subresources in rawQuery,
// sorted by name (stable), values decoded, as botocore does.
func appendV2Subresources(dst []byte, rawQuery string) []byte {
	var arr [8]v2Subresource
	sub := v2SignedSubresources(arr[:0], rawQuery)
	if len(sub) == 0 {
		return dst
	}
	slices.SortStableFunc(sub, func(a, b v2Subresource) int { return strings.Compare(a.k, b.k) })
	dst = append(dst, '?')
	for i, s := range sub {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, s.k...)
		if s.hasEq {
			dst = append(dst, '=')
			dst = append(dst, s.v...)
		}
	}
	return dst
}

// checkV2Signable refuses to sign a query whose CanonicalizedResource
// would be ambiguous: SigV2 joins the decoded subresources with '&', so a
// signed value holding '&' ("x&tagging") reads the same as a second
// subresource, and whoever held the link could send it as one.
func checkV2Signable(rawQuery string) error {
	var arr [8]v2Subresource
	for _, s := range v2SignedSubresources(arr[:0], rawQuery) {
		if strings.IndexByte(s.v, '&') >= 0 {
			return errors.New("sigv4: SigV2 cannot sign the " + s.k + " value " + strconv.Quote(s.v) +
				": its '&' would read as another subresource; sign with SigV4")
		}
	}
	return nil
}

// v2AmzHeaders collects x-amz-* headers (and, for query auth, x-amz-* query
// parameters, which botocore moves there) as sorted "name:value" lines.
func appendV2AmzHeaders(dst []byte, h http.Header, query []queryPair) []byte {
	type kv struct{ k, v string }
	var arr [8]kv
	list := arr[:0]
	add := func(k, v string) {
		for i := range list {
			if list[i].k == k {
				list[i].v += "," + v
				return
			}
		}
		list = append(list, kv{k, v})
	}
	for k, vs := range h {
		if len(k) < 6 || !strings.EqualFold(k[:6], "x-amz-") {
			continue
		}
		lk := strings.ToLower(k)
		for _, v := range vs {
			add(lk, strings.TrimSpace(v))
		}
	}
	for _, p := range query {
		// Decoded first, as the server reads x-amz-checksum-* parameters.
		k := queryUnescape(p.rawKey)
		if len(k) < 6 || !strings.EqualFold(k[:6], "x-amz-") {
			continue
		}
		add(strings.ToLower(k), strings.TrimSpace(queryUnescape(p.rawValue)))
	}
	slices.SortFunc(list, func(a, b kv) int { return strings.Compare(a.k, b.k) })
	for _, e := range list {
		dst = append(dst, e.k...)
		dst = append(dst, ':')
		dst = appendTrimmedValue(dst, e.v)
		dst = append(dst, '\n')
	}
	return dst
}

// v2StringToSign builds Method\nContent-MD5\nContent-Type\nDate\n
// CanonicalizedAmzHeaders CanonicalizedResource.
func v2StringToSign(method, contentMD5, contentType, date string, h http.Header, query []queryPair,
	resource, rawQuery string) string {
	b := make([]byte, 0, 128+len(resource))
	b = append(b, method...)
	b = append(b, '\n')
	b = append(b, strings.TrimSpace(contentMD5)...)
	b = append(b, '\n')
	b = append(b, strings.TrimSpace(contentType)...)
	b = append(b, '\n')
	b = append(b, date...)
	b = append(b, '\n')
	b = appendV2AmzHeaders(b, h, query)
	b = append(b, resource...)
	b = appendV2Subresources(b, rawQuery)
	return string(b)
}

func v2Sign(secret, sts string) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(sts))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// SignRequestV2 signs r in place with SigV2 in the Authorization header
// ("AWS AKID:signature"). resource is the CanonicalizedResource path as
// sent, including the bucket for virtual-hosted requests ("/bucket/key");
// "" means r's escaped path. It sets Date (and X-Amz-Security-Token with a
// session token).
func SignRequestV2(r *http.Request, c Credentials, resource string, t time.Time) error {
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return errors.New("sigv4: credentials need an access key ID and a secret")
	}
	if t.IsZero() {
		t = time.Now()
	}
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	if resource == "" {
		resource = r.URL.EscapedPath()
	}
	if err := checkV2Signable(r.URL.RawQuery); err != nil {
		return err
	}
	r.Header.Set("Date", t.UTC().Format(http.TimeFormat))
	if c.SessionToken != "" {
		r.Header.Set("X-Amz-Security-Token", c.SessionToken)
	}
	r.Header.Del("Authorization")
	date := r.Header.Get("Date")
	if r.Header.Get("X-Amz-Date") != "" {
		date = ""
	}
	sts := v2StringToSign(r.Method, r.Header.Get("Content-Md5"), r.Header.Get("Content-Type"), date,
		r.Header, nil, resource, r.URL.RawQuery)
	r.Header.Set("Authorization", "AWS "+c.AccessKeyID+":"+v2Sign(c.SecretAccessKey, sts))
	return nil
}

func presignV2(p PresignParams, method string, t time.Time, exp int64) (string, error) {
	c := p.Credentials
	if err := checkV2Signable(p.URL.RawQuery); err != nil {
		return "", err
	}
	expires := strconv.FormatInt(t.Unix()+exp, 10)
	resource := p.V2Resource
	if resource == "" {
		resource = CanonicalURI(p.URL.EscapedPath())
	}
	var extra []queryPair
	if c.SessionToken != "" {
		extra = append(extra, queryPair{rawKey: "x-amz-security-token", rawValue: URIEncode(c.SessionToken, false)})
	}
	var md5, ctype string
	if p.Header != nil {
		md5, ctype = p.Header.Get("Content-Md5"), p.Header.Get("Content-Type")
	}
	sts := v2StringToSign(method, md5, ctype, expires, p.Header, extra, resource, p.URL.RawQuery)
	sig := v2Sign(c.SecretAccessKey, sts)
	var b strings.Builder
	b.WriteString(p.URL.Scheme)
	b.WriteString("://")
	b.WriteString(stripDefaultPort(p.URL.Scheme, p.URL.Host))
	b.WriteString(CanonicalURI(p.URL.EscapedPath()))
	b.WriteByte('?')
	if p.URL.RawQuery != "" {
		b.WriteString(p.URL.RawQuery)
		b.WriteByte('&')
	}
	b.WriteString("AWSAccessKeyId=")
	b.WriteString(URIEncode(c.AccessKeyID, false))
	b.WriteString("&Expires=")
	b.WriteString(expires)
	b.WriteString("&Signature=")
	b.WriteString(URIEncode(sig, false))
	if c.SessionToken != "" {
		b.WriteString("&x-amz-security-token=")
		b.WriteString(URIEncode(c.SessionToken, false))
	}
	return b.String(), nil
}
