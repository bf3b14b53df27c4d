package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

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
	contentType := fs.String("content-type", "", "for PUT: the Content-Type the uploader must send (signed)")
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
	var hdr http.Header
	if *contentType != "" {
		hdr = http.Header{"Content-Type": {*contentType}}
	}
	u, err := presign.URL(presign.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey, SessionToken: creds.SessionToken},
		presign.Request{Method: m, Resource: resource, Key: key, Expires: time.Duration(secs) * time.Second, Endpoint: ep, Region: reg, Algorithm: algo, Header: hdr})
	if err != nil {
		fmt.Fprintln(stderr, "outpost presign:", err)
		return 1
	}
	fmt.Fprintln(stdout, u)
	return 0
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
