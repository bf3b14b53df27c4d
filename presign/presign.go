// Package presign makes presigned URLs for S3 on Outposts access points,
// access point aliases and plain S3 buckets: links that let whoever holds
// them GET, PUT, HEAD or DELETE one object until they expire, with no
// credentials of their own.
//
// It builds the same URLs the AWS SDKs build (host names, signing service
// and region), works offline, and has no middleware stack: one call, a few
// allocations.
//
//	u, err := presign.URL(creds, presign.Request{
//		Method:   "GET",
//		Resource: "arn:aws:s3-outposts:us-east-1:111122223333:outpost/op-01ac5d28a6a232904/accesspoint/my-ap",
//		Key:      "reports/2026.pdf",
//		Expires:  time.Hour,
//		Endpoint: "https://outpost.example.internal:9443",
//	})
//
// Addressing follows the AWS SDK endpoint rules: an access point ARN
// becomes the virtual host {ap}-{account}.{outpost-id}.{endpoint host} over
// https (the SDKs force https for access points), signed for the service
// s3-outposts in the ARN's region; an access point alias or a bucket name
// is addressed path-style under the endpoint. Without an endpoint the AWS
// host names are used (s3-outposts.REGION.amazonaws.com, s3.REGION.amazonaws.com).
package presign

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/outpost-s3/outpost/arn"
	"github.com/outpost-s3/outpost/sigv4"
)

// Algorithms a URL can be signed with.
const (
	SigV4  = sigv4.AlgorithmV4
	SigV4A = sigv4.AlgorithmV4A
	SigV2  = sigv4.AlgorithmV2
)

// MaxExpires is the longest a presigned URL can work: 7 days.
const MaxExpires = 7 * 24 * time.Hour

// Credentials sign the URL. A URL signed with temporary credentials
// (SessionToken set) stops working when they expire.
type Credentials = sigv4.Credentials

// Request describes one presigned URL.
type Request struct {
	// Method is GET (default), PUT, HEAD or DELETE.
	Method string
	// Resource is an S3 on Outposts access point ARN, an access point
	// alias (…--op-s3) or a bucket name.
	Resource string
	// Key is the object key.
	Key string
	// Expires is how long the URL works, 1 second to 7 days.
	Expires time.Duration
	// Endpoint is the server's base URL, e.g. https://outpost.example:9443.
	// Empty means AWS's public endpoints.
	Endpoint string
	// Region signs the URL; default: the ARN's region, else us-east-1.
	Region string
	// Algorithm is SigV4 (default), SigV4A or SigV2. SigV2 is for plain
	// buckets only (see ErrSigV2AccessPoint).
	Algorithm string
	// Header binds the URL to request headers the holder must send, e.g.
	// Content-Type or x-amz-meta-* for a PUT.
	Header http.Header
	// Query adds parameters to the URL (and its signature), e.g.
	// versionId, response-content-disposition, or uploadId and partNumber
	// for a presigned multipart step.
	Query url.Values
	// Time is when the URL is signed; zero means now.
	Time time.Time
}

// ErrExpires is returned when Expires is outside 1 second to 7 days.
var ErrExpires = errors.New("presign: expiry must be between 1 second and 604800 seconds (7 days)")

// ErrSigV2AccessPoint is returned for a SigV2 URL to an access point ARN or
// alias: a SigV2 signature names only the key there, so such a link would
// work on every access point, and servers refuse it (400 InvalidRequest).
var ErrSigV2AccessPoint = errors.New("presign: SigV2 cannot sign a URL for an access point or alias (its signature would not name the access point); use SigV4 or SigV4A")

// URL returns the presigned URL for r.
func URL(c Credentials, r Request) (string, error) {
	if r.Expires < time.Second || r.Expires > MaxExpires {
		return "", ErrExpires
	}
	if r.Key == "" {
		return "", errors.New("presign: an object key is required")
	}
	t, err := Resolve(r.Resource, r.Endpoint, r.Region)
	if err != nil {
		return "", err
	}
	u := &url.URL{Scheme: t.Scheme, Host: t.Host, Path: t.PathPrefix + "/" + r.Key}
	u.RawPath = t.PathPrefix + "/" + sigv4.URIEncode(r.Key, true)
	if len(r.Query) > 0 {
		u.RawQuery = r.Query.Encode()
	}
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	algo := r.Algorithm
	if algo == SigV2 && t.Service == "s3-outposts" {
		return "", ErrSigV2AccessPoint
	}
	region := t.Region
	if algo == SigV4A {
		region = "*"
	}
	return sigv4.Presign(sigv4.PresignParams{
		Method: strings.ToUpper(method), URL: u, Header: r.Header, Credentials: c,
		Region: region, Service: t.Service, Time: r.Time, Expires: r.Expires, Algorithm: algo,
	})
}

// Target is where requests for a resource go and how they are signed.
type Target struct {
	Scheme, Host string
	// PathPrefix comes before "/KEY": "" for a virtual host, "/bucket" for path-style.
	PathPrefix string
	Service    string // signing service: s3-outposts or s3
	Region     string
}

// Resolve finds where requests for a resource (access point ARN, alias or
// bucket) go and how they are signed, against an endpoint, as the AWS SDKs do.
func Resolve(resource, endpoint, region string) (Target, error) {
	var ep *url.URL
	if endpoint != "" {
		u, err := url.Parse(endpoint)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return Target{}, fmt.Errorf("presign: endpoint %q must be an absolute http or https URL", endpoint)
		}
		ep = u
	}
	if arn.IsARN(resource) {
		res, err := arn.ParseOutposts(resource)
		if err != nil {
			return Target{}, fmt.Errorf("presign: %w", err)
		}
		if res.Kind != arn.KindAccessPoint {
			return Target{}, fmt.Errorf("presign: %s is a %s ARN; presigned URLs need an access point ARN", resource, res.Kind)
		}
		if region == "" {
			region = res.Region
		}
		prefix := res.AccessPoint + "-" + res.AccountID + "." + res.OutpostID + "."
		t := Target{Scheme: "https", Service: "s3-outposts", Region: region}
		if ep != nil {
			// The SDKs prepend the access point labels to the endpoint's
			// authority and force https; the endpoint's path is dropped.
			t.Host = prefix + ep.Host
		} else {
			t.Host = prefix + "s3-outposts." + res.Region + ".amazonaws.com"
		}
		return t, nil
	}
	if resource == "" {
		return Target{}, errors.New("presign: a bucket, access point ARN or alias is required")
	}
	if region == "" {
		region = "us-east-1"
	}
	service := "s3"
	if arn.IsAlias(resource) {
		service = "s3-outposts"
	}
	if ep == nil {
		host := "s3." + region + ".amazonaws.com"
		if service == "s3-outposts" {
			a, _ := arn.ParseAlias(resource)
			host = resource + "." + a.FullOutpostID() + ".s3-outposts." + region + ".amazonaws.com"
			return Target{Scheme: "https", Host: host, Service: service, Region: region}, nil
		}
		return Target{Scheme: "https", Host: host, PathPrefix: "/" + resource, Service: service, Region: region}, nil
	}
	return Target{Scheme: ep.Scheme, Host: ep.Host, PathPrefix: strings.TrimSuffix(ep.EscapedPath(), "/") + "/" + resource, Service: service, Region: region}, nil
}
