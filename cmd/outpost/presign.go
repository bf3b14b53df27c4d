package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/outpost-s3/outpost/arn"
	"github.com/outpost-s3/outpost/presign"
)

const presignUsage = `Usage: outpost presign s3://ACCESS_POINT_ARN_OR_ALIAS_OR_BUCKET/KEY [flags]

Prints a presigned URL, as "aws s3 presign" does, and nothing else, so
  curl "$(outpost presign s3://my-bucket/report.pdf --endpoint-url http://127.0.0.1:9000)"
works. Whoever holds the URL can perform the method on that one object until
it expires, with the permissions of the credentials that signed it.

Credentials are found as the AWS CLI finds them: AWS_ACCESS_KEY_ID /
AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, then the profile in
~/.aws/credentials and ~/.aws/config (--profile or AWS_PROFILE). A URL signed
with temporary credentials stops working when they expire.

An access point ARN is addressed as the AWS SDKs do:
https://{access-point}-{account}.{outpost-id}.{endpoint host}/KEY, signed for
s3-outposts in the ARN's region. An alias or a bucket is addressed
path-style: {endpoint}/{alias-or-bucket}/KEY.

Flags:
`

func runPresign(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("presign", flag.ContinueOnError)
	fs.SetOutput(stderr)
	expiresIn := fs.String("expires-in", "3600", "seconds until the URL expires, 1 to 604800 (7 days)")
	method := fs.String("method", "GET", "HTTP method the URL allows: GET, PUT, DELETE or HEAD")
	contentType := fs.String("content-type", "", "for PUT: the Content-Type the uploader must send (signed); for GET: the Content-Type the download is served with (as --response-content-type)")
	contentDisposition := fs.String("content-disposition", "", "for PUT: the Content-Disposition the uploader must send (signed); for GET: as --response-content-disposition")
	respType := fs.String("response-content-type", "", "for GET: serve the object with this Content-Type (signed response-content-type), e.g. application/pdf")
	respDisposition := fs.String("response-content-disposition", "", `for GET: serve the object with this Content-Disposition (signed), e.g. inline (open in the browser tab) or 'attachment; filename="report.pdf"' (download)`)
	endpoint := fs.String("endpoint-url", "", "the server's URL, e.g. https://localhost:9443 (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or the profile's endpoint_url)")
	region := fs.String("region", "", "signing region (default: the ARN's region, else the profile's, else us-east-1)")
	profile := fs.String("profile", "", "named profile from ~/.aws/credentials and ~/.aws/config")
	sigVersion := fs.String("signature-version", "v4", "v4 (AWS4-HMAC-SHA256), v4a (AWS4-ECDSA-P256-SHA256) or v2 (legacy, what AWS CLI v1 uses by default)")
	fs.Usage = func() {
		fmt.Fprint(stderr, presignUsage)
		fs.PrintDefaults()
	}
	// Accept flags before or after the S3 URI, as the AWS CLI does.
	var positional []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(positional) != 1 {
		fmt.Fprintln(stderr, "outpost presign: need exactly one s3://RESOURCE/KEY argument")
		fs.Usage()
		return 2
	}
	secs, err := strconv.ParseInt(*expiresIn, 10, 64)
	if err != nil || secs < 1 || secs > 604800 {
		fmt.Fprintf(stderr, "outpost presign: --expires-in %s is out of range: a presigned URL must expire after 1 to 604800 seconds (7 days)\n", *expiresIn)
		return 2
	}
	m := strings.ToUpper(*method)
	switch m {
	case "GET", "PUT", "DELETE", "HEAD":
	default:
		fmt.Fprintf(stderr, "outpost presign: --method %s: use GET, PUT, DELETE or HEAD\n", *method)
		return 2
	}
	resource, key, err := parseS3URI(positional[0])
	if err != nil {
		fmt.Fprintln(stderr, "outpost presign:", err)
		return 2
	}
	var algo string
	switch strings.ToLower(*sigVersion) {
	case "v4", "s3v4":
		algo = presign.SigV4
	case "v4a", "s3v4a":
		algo = presign.SigV4A
	case "v2", "s3":
		algo = presign.SigV2
	default:
		fmt.Fprintf(stderr, "outpost presign: --signature-version %s: use v4, v4a or v2\n", *sigVersion)
		return 2
	}
	var opts []func(*config.LoadOptions) error
	if *profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(*profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		fmt.Fprintln(stderr, "outpost presign: load AWS configuration:", err)
		return 1
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "outpost presign: no credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use --profile):", err)
		return 1
	}
	ep := *endpoint
	if ep == "" {
		ep = os.Getenv("AWS_ENDPOINT_URL_S3")
	}
	if ep == "" && cfg.BaseEndpoint != nil {
		ep = *cfg.BaseEndpoint
	}
	reg := *region
	if reg == "" && !arn.IsARN(resource) {
		reg = cfg.Region
	}
	hdr, query, err := presignContent(m, *contentType, *contentDisposition, *respType, *respDisposition)
	if err != nil {
		fmt.Fprintln(stderr, "outpost presign:", err)
		return 2
	}
	expires := time.Duration(secs) * time.Second
	u, err := presign.URL(presign.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey, SessionToken: creds.SessionToken},
		presign.Request{Method: m, Resource: resource, Key: key, Expires: expires, Endpoint: ep, Region: reg, Algorithm: algo, Header: hdr, Query: query})
	if err != nil {
		fmt.Fprintln(stderr, "outpost presign:", err)
		return 1
	}
	for _, w := range presignWarnings(creds, time.Now(), expires, resource, ep) {
		fmt.Fprintln(stderr, "outpost presign: warning:", w)
	}
	fmt.Fprintln(stdout, u)
	return 0
}

// presignContent turns the content flags into signed request headers (PUT:
// what the uploader must send) or signed response-* overrides (GET and
// HEAD: how the object is served, so a browser opens or downloads it).
func presignContent(method, ctype, disposition, respType, respDisposition string) (http.Header, url.Values, error) {
	var hdr http.Header
	var q url.Values
	switch method {
	case "PUT":
		if respType != "" || respDisposition != "" {
			return nil, nil, errors.New("--response-content-type and --response-content-disposition are for GET links; a PUT link takes --content-type and --content-disposition")
		}
		for name, v := range map[string]string{"Content-Type": ctype, "Content-Disposition": disposition} {
			if v != "" {
				if hdr == nil {
					hdr = http.Header{}
				}
				hdr.Set(name, v)
			}
		}
	case "GET", "HEAD":
		if respType == "" {
			respType = ctype
		}
		if respDisposition == "" {
			respDisposition = disposition
		}
		for name, v := range map[string]string{"response-content-type": respType, "response-content-disposition": respDisposition} {
			if v != "" {
				if q == nil {
					q = url.Values{}
				}
				q.Set(name, v)
			}
		}
	default:
		if ctype != "" || disposition != "" || respType != "" || respDisposition != "" {
			return nil, nil, fmt.Errorf("content flags do not apply to a %s link", method)
		}
	}
	return hdr, q, nil
}

// presignWarnings lists what would make the link fail sooner or elsewhere
// than its holder expects: credentials that end before the link does (the
// link dies with them), and an access point ARN against an endpoint that
// the ARN's host name cannot be built on.
func presignWarnings(c aws.Credentials, now time.Time, expires time.Duration, resource, endpoint string) []string {
	var ws []string
	if c.SessionToken != "" {
		switch {
		case c.CanExpire && !c.Expires.IsZero() && c.Expires.Before(now.Add(expires)):
			ws = append(ws, fmt.Sprintf("the signing credentials are temporary and end at %s; the link stops working then, %s before its --expires-in",
				c.Expires.UTC().Format(time.RFC3339), now.Add(expires).Sub(c.Expires).Round(time.Second)))
		case !c.CanExpire || c.Expires.IsZero():
			ws = append(ws, "the signing credentials are temporary (they carry a session token): the link stops working when that session ends, even before its --expires-in")
		}
	}
	if arn.IsARN(resource) && endpoint != "" {
		if u, err := url.Parse(endpoint); err == nil {
			if net.ParseIP(u.Hostname()) != nil {
				ws = append(ws, fmt.Sprintf("an access point ARN is reached at {access-point}-{account}.{outpost-id}.%s, which is not a host name when the endpoint is an IP address; use a name that resolves, e.g. --endpoint-url https://localhost:%s", u.Host, portOr(u, "9443")))
			}
			if u.Scheme == "http" {
				ws = append(ws, fmt.Sprintf("access point ARNs are reached over HTTPS (the AWS SDKs force it), so the link is https://…%s; point --endpoint-url at the server's --tls-listen address", u.Host))
			}
		}
	}
	return ws
}

func portOr(u *url.URL, def string) string {
	if p := u.Port(); p != "" {
		return p
	}
	return def
}

// parseS3URI splits s3://RESOURCE/KEY, where RESOURCE may be an access
// point ARN (which itself contains slashes).
func parseS3URI(s string) (resource, key string, err error) {
	rest, ok := strings.CutPrefix(s, "s3://")
	if !ok {
		return "", "", fmt.Errorf("%q is not an S3 URI: use s3://ACCESS_POINT_ARN/KEY, s3://ALIAS/KEY or s3://BUCKET/KEY", s)
	}
	if strings.HasPrefix(rest, "arn:") {
		i := strings.Index(rest, "/accesspoint/")
		if i < 0 {
			return "", "", fmt.Errorf("%q: presigned URLs on S3 on Outposts need an access point ARN (…:outpost/OUTPOST_ID/accesspoint/NAME)", s)
		}
		after := rest[i+len("/accesspoint/"):]
		name, k, found := strings.Cut(after, "/")
		if !found || k == "" || name == "" {
			return "", "", fmt.Errorf("%q has no object key after the access point ARN", s)
		}
		return rest[:i+len("/accesspoint/")] + name, k, nil
	}
	b, k, found := strings.Cut(rest, "/")
	if !found || b == "" || k == "" {
		return "", "", fmt.Errorf("%q has no object key: use s3://BUCKET/KEY", s)
	}
	return b, k, nil
}
