package server

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/outpost-s3/outpost/arn"
	"github.com/outpost-s3/outpost/internal/authz"
	"github.com/outpost-s3/outpost/internal/bucketconfig"
	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/policy"
	"github.com/outpost-s3/outpost/internal/s3err"
	"github.com/outpost-s3/outpost/internal/s3xml"
	"github.com/outpost-s3/outpost/sigv4"
)

// The S3 Control API for S3 on Outposts: bucket and access point
// management under /v20180820/ (https://docs.aws.amazon.com/AmazonS3/latest/s3-outposts/S3OutpostsAPI.html).
//
// Clients name a bucket or access point either by name (aws-sdk-go-v2
// extracts it from the ARN it was given) or by its URL-encoded ARN
// (botocore, the AWS CLI). Either way the request carries x-amz-outpost-id
// and, except for CreateBucket, x-amz-account-id, and is signed with
// SigV4 for the service s3-outposts.

// controlNS is the XML namespace of S3 Control documents.
const controlNS = s3xml.ControlNamespace

// controlRoot is the first path segment of every S3 Control request. A
// plain bucket of that name cannot be reached path-style.
const controlRoot = "v20180820"

// Limits are the S3 on Outposts quotas
// (https://docs.aws.amazon.com/AmazonS3/latest/s3-outposts/S3OnOutpostsRestrictionsLimitations.html).
// Zero fields take the AWS value.
type Limits struct {
	// BucketsPerAccount caps the Outposts buckets of one account on the
	// outpost (AWS: 100). CreateBucket beyond it fails with TooManyBuckets.
	BucketsPerAccount int
	// AccessPointsPerBucket caps the access points of one bucket (AWS: 10).
	AccessPointsPerBucket int
	// EndpointsPerOutpost caps the s3outposts endpoints of the outpost (AWS: 100).
	EndpointsPerOutpost int
	// CapacityBytes is the capacity ListOutpostsWithS3 reports; 0 leaves
	// CapacityInBytes out.
	CapacityBytes int64
}

func (l Limits) withDefaults() Limits {
	if l.BucketsPerAccount <= 0 {
		l.BucketsPerAccount = 100
	}
	if l.AccessPointsPerBucket <= 0 {
		l.AccessPointsPerBucket = 10
	}
	if l.EndpointsPerOutpost <= 0 {
		l.EndpointsPerOutpost = 100
	}
	return l
}

// maxAccessPointPolicySize is the S3 on Outposts limit on access point
// policies (20 KB); bucket policies have the same limit.
const maxAccessPointPolicySize = 20 * 1024

func hostOnly(h string) string {
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.HasSuffix(h, "]") {
		h = h[:i]
	}
	return strings.ToLower(h)
}

// ctlReq is one S3 Control request on its way through the handler.
type ctlReq struct {
	*reqCtx
	// account and outpost are the ones the request names (headers or ARN).
	account, outpost string
	// name is the bucket or access point named in the path.
	name string
	b    *meta.Bucket      // the bucket, for bucket operations
	ap   *meta.AccessPoint // the access point, for access point operations
	// arnAccount and arnOutpost come from an ARN in the request, if any.
	arnAccount, arnOutpost string
}

// ctlOp is one S3 Control operation.
type ctlOp struct {
	name   string
	action string // the IAM action, s3-outposts:…
	// on says what the path names: "" (nothing), "bucket", "accesspoint".
	on string
	fn func(*ctlReq) error
}

// controlPath splits /v20180820/{kind}[/{name}[/{sub}]] into its parts.
// name is unescaped; an ARN sent with literal slashes is put back together.
func controlPath(escaped string) (kind, name, sub string, ok bool) {
	rest, found := strings.CutPrefix(escaped, "/"+controlRoot)
	if !found {
		return "", "", "", false
	}
	rest = strings.TrimPrefix(rest, "/")
	var segs []string
	for _, p := range strings.Split(rest, "/") {
		u, err := url.PathUnescape(p)
		if err != nil {
			return "", "", "", false
		}
		segs = append(segs, u)
	}
	if len(segs) == 0 || segs[0] == "" {
		return "", "", "", false
	}
	kind = segs[0]
	segs = segs[1:]
	if len(segs) >= 4 && strings.HasPrefix(segs[0], "arn:") && !strings.Contains(segs[0], "/") {
		// arn:…:outpost / OP / bucket / NAME sent unescaped: four segments.
		segs = append([]string{strings.Join(segs[:4], "/")}, segs[4:]...)
	}
	if len(segs) > 0 {
		name = segs[0]
		segs = segs[1:]
	}
	if len(segs) > 1 {
		return "", "", "", false
	}
	if len(segs) == 1 {
		sub = segs[0]
	}
	return kind, name, sub, true
}

// routeControl picks the S3 Control operation.
func routeControl(method, kind, name, sub string) (ctlOp, error) {
	notOutposts := s3err.NotImplemented.WithMessage("This S3 Control operation is not supported by S3 on Outposts or Outpost.")
	switch kind {
	case "bucket":
		if name == "" {
			if sub == "" && method == http.MethodGet {
				return ctlOp{"ListRegionalBuckets", "s3-outposts:ListRegionalBuckets", "", (*ctlReq).listRegionalBuckets}, nil
			}
			break
		}
		type key struct{ method, sub string }
		ops := map[key]ctlOp{
			{http.MethodPut, ""}:                          {"CreateBucket", "s3-outposts:CreateBucket", "", (*ctlReq).createBucket},
			{http.MethodGet, ""}:                          {"GetBucket", "s3-outposts:GetBucket", "bucket", (*ctlReq).getBucket},
			{http.MethodDelete, ""}:                       {"DeleteBucket", "s3-outposts:DeleteBucket", "bucket", (*ctlReq).deleteBucket},
			{http.MethodPut, "policy"}:                    {"PutBucketPolicy", "s3-outposts:PutBucketPolicy", "bucket", (*ctlReq).putBucketPolicy},
			{http.MethodGet, "policy"}:                    {"GetBucketPolicy", "s3-outposts:GetBucketPolicy", "bucket", (*ctlReq).getBucketPolicy},
			{http.MethodDelete, "policy"}:                 {"DeleteBucketPolicy", "s3-outposts:DeleteBucketPolicy", "bucket", (*ctlReq).deleteBucketPolicy},
			{http.MethodPut, "tagging"}:                   {"PutBucketTagging", "s3-outposts:PutBucketTagging", "bucket", (*ctlReq).putBucketTagging},
			{http.MethodGet, "tagging"}:                   {"GetBucketTagging", "s3-outposts:GetBucketTagging", "bucket", (*ctlReq).getBucketTagging},
			{http.MethodDelete, "tagging"}:                {"DeleteBucketTagging", "s3-outposts:PutBucketTagging", "bucket", (*ctlReq).deleteBucketTagging},
			{http.MethodPut, "versioning"}:                {"PutBucketVersioning", "s3-outposts:PutBucketVersioning", "bucket", (*ctlReq).putBucketVersioning},
			{http.MethodGet, "versioning"}:                {"GetBucketVersioning", "s3-outposts:GetBucketVersioning", "bucket", (*ctlReq).getBucketVersioning},
			{http.MethodPut, "lifecycleconfiguration"}:    {"PutBucketLifecycleConfiguration", "s3-outposts:PutLifecycleConfiguration", "bucket", (*ctlReq).putLifecycle},
			{http.MethodGet, "lifecycleconfiguration"}:    {"GetBucketLifecycleConfiguration", "s3-outposts:GetLifecycleConfiguration", "bucket", (*ctlReq).getLifecycle},
			{http.MethodDelete, "lifecycleconfiguration"}: {"DeleteBucketLifecycleConfiguration", "s3-outposts:PutLifecycleConfiguration", "bucket", (*ctlReq).deleteLifecycle},
			{http.MethodPut, "replication"}:               {"PutBucketReplication", "s3-outposts:PutReplicationConfiguration", "bucket", (*ctlReq).replication},
			{http.MethodGet, "replication"}:               {"GetBucketReplication", "s3-outposts:GetReplicationConfiguration", "bucket", (*ctlReq).replication},
			{http.MethodDelete, "replication"}:            {"DeleteBucketReplication", "s3-outposts:PutReplicationConfiguration", "bucket", (*ctlReq).replication},
		}
		if o, ok := ops[key{method, sub}]; ok {
			return o, nil
		}
	case "accesspoint":
		if name == "" {
			if sub == "" && method == http.MethodGet {
				return ctlOp{"ListAccessPoints", "s3-outposts:ListAccessPoints", "", (*ctlReq).listAccessPoints}, nil
			}
			break
		}
		switch {
		case sub == "" && method == http.MethodPut:
			return ctlOp{"CreateAccessPoint", "s3-outposts:CreateAccessPoint", "", (*ctlReq).createAccessPoint}, nil
		case sub == "" && method == http.MethodGet:
			return ctlOp{"GetAccessPoint", "s3-outposts:GetAccessPoint", "accesspoint", (*ctlReq).getAccessPoint}, nil
		case sub == "" && method == http.MethodDelete:
			return ctlOp{"DeleteAccessPoint", "s3-outposts:DeleteAccessPoint", "accesspoint", (*ctlReq).deleteAccessPoint}, nil
		case sub == "policy" && method == http.MethodPut:
			return ctlOp{"PutAccessPointPolicy", "s3-outposts:PutAccessPointPolicy", "accesspoint", (*ctlReq).putAccessPointPolicy}, nil
		case sub == "policy" && method == http.MethodGet:
			return ctlOp{"GetAccessPointPolicy", "s3-outposts:GetAccessPointPolicy", "accesspoint", (*ctlReq).getAccessPointPolicy}, nil
		case sub == "policy" && method == http.MethodDelete:
			return ctlOp{"DeleteAccessPointPolicy", "s3-outposts:DeleteAccessPointPolicy", "accesspoint", (*ctlReq).deleteAccessPointPolicy}, nil
		}
	}
	return ctlOp{name: "Control:Unsupported"}, notOutposts
}

// serveControl routes, authenticates, authorizes and runs an S3 Control
// request.
func (s *Server) serveControl(rc *reqCtx) error {
	// Authenticate before reporting routing errors, as S3 does.
	if err := s.authenticateOutposts(rc); err != nil {
		return err
	}
	if err := rc.class.RouteErr; err != nil {
		return err
	}
	o := rc.ctl
	c := &ctlReq{reqCtx: rc, name: rc.class.Bucket}
	if err := c.identify(o); err != nil {
		return err
	}
	if err := c.load(o); err != nil {
		return err
	}
	if err := c.authorize(o); err != nil {
		return err
	}
	if !rc.caller.Valid() {
		return errNoIdentity
	}
	return o.fn(c)
}

// authenticateOutposts verifies the signature of an S3 Control or
// s3outposts request: SigV4 (or SigV4A) for the service s3-outposts.
func (s *Server) authenticateOutposts(rc *reqCtx) error {
	if sigv4.IsSigV2(rc.r) {
		return errSigV2NotSupported // sigv2.go; before the signature is checked
	}
	if err := s.authenticate(rc); err != nil {
		return err
	}
	v := rc.verified
	if v == nil || v.AuthType == sigv4.AuthAnonymous || rc.principal.Anonymous() {
		return s3err.AccessDenied.WithMessage("S3 on Outposts control requests must be signed.")
	}
	if v.Service != arn.ServiceOutposts {
		return s3err.AuthorizationHeaderMalformed.WithMessage("The authorization header is malformed; incorrect service '" + v.Service + "'. This endpoint belongs to 's3-outposts'.")
	}
	return nil
}

// parseARNName resolves a bucket or access point given by name or ARN.
func (c *ctlReq) parseARNName(raw string, kind arn.Kind) (string, error) {
	if !strings.HasPrefix(raw, "arn:") {
		return raw, nil
	}
	res, err := arn.ParseOutposts(raw)
	if err != nil || res.Kind != kind {
		msg := "Invalid ARN: expected an S3 on Outposts " + kind.String() + " ARN."
		if err != nil {
			msg = "Invalid ARN: " + err.Error()
		}
		return "", s3err.InvalidRequest.WithMessage(msg)
	}
	if res.Region != c.s.cfg.Region {
		return "", s3err.InvalidRequest.WithMessage("The region in the ARN (" + res.Region + ") is not this outpost's region (" + c.s.cfg.Region + ").")
	}
	if (c.arnOutpost != "" && c.arnOutpost != res.OutpostID) || (c.arnAccount != "" && c.arnAccount != res.AccountID) {
		return "", s3err.InvalidRequest.WithMessage("The ARNs in the request name different outposts or accounts.")
	}
	c.arnOutpost, c.arnAccount = res.OutpostID, res.AccountID
	if kind == arn.KindAccessPoint {
		return res.AccessPoint, nil
	}
	return res.Bucket, nil
}

// identify settles which account and outpost the request is about, from
// x-amz-account-id, x-amz-outpost-id and any ARN, and checks they are the
// signer's account and this outpost.
func (c *ctlReq) identify(o ctlOp) error {
	var err error
	switch o.on {
	case "bucket":
		c.name, err = c.parseARNName(c.name, arn.KindBucket)
	case "accesspoint":
		c.name, err = c.parseARNName(c.name, arn.KindAccessPoint)
	default:
		if o.name == "CreateBucket" && strings.HasPrefix(c.name, "arn:") {
			c.name, err = c.parseARNName(c.name, arn.KindBucket)
		}
	}
	if err != nil {
		return err
	}
	if b := c.query.Get("bucket"); b != "" && o.name == "ListAccessPoints" {
		if _, err := c.parseARNName(b, arn.KindBucket); err != nil {
			return err
		}
	}
	h := c.r.Header
	c.outpost = h.Get("x-amz-outpost-id")
	if c.arnOutpost != "" {
		if c.outpost != "" && c.outpost != c.arnOutpost {
			return s3err.InvalidRequest.WithMessage("x-amz-outpost-id does not match the outpost in the ARN.")
		}
		c.outpost = c.arnOutpost
	}
	if c.outpost == "" {
		return s3err.InvalidRequest.WithMessage("S3 on Outposts requests need the x-amz-outpost-id header (or an Outposts ARN).")
	}
	if c.outpost != c.s.cfg.OutpostID {
		return s3err.NoSuchOutpost.With(s3err.Field{Name: "OutpostId", Value: c.outpost})
	}
	c.account = h.Get("x-amz-account-id")
	if c.arnAccount != "" {
		if c.account != "" && c.account != c.arnAccount {
			return s3err.InvalidRequest.WithMessage("x-amz-account-id does not match the account in the ARN.")
		}
		c.account = c.arnAccount
	}
	if c.account == "" {
		c.account = c.principal.Account
	}
	if c.account != c.principal.Account {
		return s3err.AccessDenied
	}
	return nil
}

// load fetches the bucket or access point the path names.
func (c *ctlReq) load(o ctlOp) error {
	ctx := c.r.Context()
	switch o.on {
	case "bucket":
		b, err := c.s.cfg.Meta.GetBucket(ctx, c.name)
		if errors.Is(err, meta.ErrNoSuchBucket) || (err == nil && (b.OutpostID != c.outpost || b.Account != c.account)) {
			return s3err.NoSuchBucket.With(s3err.Field{Name: "BucketName", Value: c.name})
		}
		if err != nil {
			return err
		}
		c.b, c.bkt = &b, &b
	case "accesspoint":
		ap, err := c.s.cfg.Meta.GetAccessPoint(ctx, c.account, c.outpost, c.name)
		if errors.Is(err, meta.ErrNoSuchAccessPoint) {
			return s3err.NoSuchAccessPoint.With(s3err.Field{Name: "AccessPointName", Value: c.name})
		}
		if err != nil {
			return err
		}
		c.ap = &ap
	}
	return nil
}

// authorize decides the operation with the caller's identity policies and,
// for bucket operations, the bucket policy (internal/authz).
func (c *ctlReq) authorize(o ctlOp) error {
	var d policy.Decision
	var err error
	if c.b != nil {
		d, err = c.decide(c.b, nil, o.action, "")
	} else {
		ctx := c.globalContext()
		c.s3Context(ctx, arn.ServiceOutposts)
		d, err = c.s.authorizer.Decide(c.r.Context(), authz.Input{Principal: c.principal, Action: o.action,
			Resource: c.resourceARN(o), Account: c.account, AccessPoint: c.ap, Context: ctx})
	}
	if err != nil {
		return err
	}
	if !d.Allowed {
		return s3err.AccessDenied
	}
	c.authz = &authzState{allowed: true}
	return nil
}

// resourceARN is the policy resource of an operation that is not on an
// existing bucket.
func (c *ctlReq) resourceARN(o ctlOp) string {
	switch o.name {
	case "CreateBucket":
		return c.bucketARN(c.name)
	case "ListRegionalBuckets":
		return authz.OutpostsARN(c.s.cfg.Region, c.account, c.outpost, arn.KindOutpost, "")
	case "ListAccessPoints":
		return c.accessPointARN("*")
	}
	return c.accessPointARN(c.name)
}

func (c *ctlReq) bucketARN(name string) string {
	return authz.OutpostsARN(c.s.cfg.Region, c.account, c.outpost, arn.KindBucket, name)
}

func (c *ctlReq) accessPointARN(name string) string {
	return authz.OutpostsARN(c.s.cfg.Region, c.account, c.outpost, arn.KindAccessPoint, name)
}

// ---- error and response forms ----

// writeControlError sends the S3 Control error form:
// <ErrorResponse><Error><Code/><Message/>…</Error><RequestId/><HostId/></ErrorResponse>.
func writeControlError(rc *reqCtx, e *s3err.Error) {
	h := rc.w.Header()
	for k, v := range e.Header {
		h[k] = v
	}
	if rc.r.Method == http.MethodHead {
		rc.w.WriteHeader(e.Status)
		return
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString("<ErrorResponse><Error><Code>")
	xml.EscapeText(&b, []byte(e.Code))
	b.WriteString("</Code><Message>")
	xml.EscapeText(&b, []byte(e.Message))
	b.WriteString("</Message>")
	for _, f := range e.Fields {
		b.WriteString("<" + f.Name + ">")
		xml.EscapeText(&b, []byte(f.Value))
		b.WriteString("</" + f.Name + ">")
	}
	b.WriteString("</Error><RequestId>")
	xml.EscapeText(&b, []byte(rc.id))
	b.WriteString("</RequestId><HostId>")
	xml.EscapeText(&b, []byte(rc.s.hostID))
	b.WriteString("</HostId></ErrorResponse>")
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	rc.w.WriteHeader(e.Status)
	rc.w.Write(b.Bytes())
}

// pageToken encodes a listing position as an opaque NextToken.
func pageToken(marker string) string { return base64.RawURLEncoding.EncodeToString([]byte(marker)) }

func parsePageToken(tok string) (string, error) {
	if tok == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return "", s3err.InvalidArgument.WithMessage("The continuation token provided is incorrect")
	}
	return string(b), nil
}

// maxResults reads the maxResults query parameter: def when absent or 0,
// an error outside 0..limit.
func maxResults(q url.Values, def, limit int) (int, error) {
	v := q.Get("maxResults")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > limit {
		return 0, s3err.InvalidArgument.WithMessage("maxResults must be an integer from 0 to " + itoa(limit))
	}
	if n == 0 {
		return def, nil
	}
	return n, nil
}

// ---- buckets ----

type ctlCreateBucketConfiguration struct {
	XMLName            xml.Name `xml:"CreateBucketConfiguration"`
	LocationConstraint string   `xml:"LocationConstraint"`
}

type ctlCreateBucketResult struct {
	XMLName   xml.Name `xml:"CreateBucketResult"`
	NS        string   `xml:"xmlns,attr"`
	BucketArn string   `xml:"BucketArn"`
}

func (c *ctlReq) createBucket() error {
	ctx := c.r.Context()
	if !arn.ValidBucketName(c.name) {
		return s3err.InvalidBucketName.With(s3err.Field{Name: "BucketName", Value: c.name})
	}
	if acl := c.r.Header.Get("x-amz-acl"); acl != "" && acl != "private" {
		return s3err.InvalidRequest.WithMessage("S3 on Outposts buckets do not support ACLs.")
	}
	if c.r.Header.Get("x-amz-bucket-object-lock-enabled") == "true" {
		return s3err.InvalidRequest.WithMessage("S3 on Outposts does not support Object Lock.")
	}
	if c.r.ContentLength != 0 || c.verified.DecodedLength > 0 {
		var cfg ctlCreateBucketConfiguration
		if err := c.readXML(&cfg); err != nil {
			return err
		}
		if lc := cfg.LocationConstraint; lc != "" && lc != c.s.cfg.Region {
			return s3err.InvalidArgument.WithMessage("The specified location-constraint is not valid").With(s3err.Field{Name: "LocationConstraint", Value: lc})
		}
	}
	if existing, err := c.s.cfg.Meta.GetBucket(ctx, c.name); err == nil {
		if existing.Account == c.account && existing.OutpostID == c.outpost {
			return s3err.BucketAlreadyOwnedByYou.With(s3err.Field{Name: "BucketName", Value: c.name})
		}
		return s3err.BucketAlreadyExists.With(s3err.Field{Name: "BucketName", Value: c.name})
	}
	limit := c.s.limits().BucketsPerAccount
	err := c.s.cfg.Meta.CreateBucketWithin(ctx, meta.Bucket{
		Name: c.name, Account: c.account, OutpostID: c.outpost, CreatedAt: c.start, ACL: "private",
	}, limit)
	if errors.Is(err, meta.ErrLimitExceeded) {
		return s3err.TooManyBuckets.WithMessage("You have attempted to create more buckets than allowed: an account can have " + itoa(limit) + " buckets on an outpost.")
	}
	if errors.Is(err, meta.ErrBucketExists) {
		return s3err.BucketAlreadyExists.With(s3err.Field{Name: "BucketName", Value: c.name})
	}
	if err != nil {
		return err
	}
	c.w.Header().Set("Location", "/"+controlRoot+"/bucket/"+c.name)
	return c.writeXML(200, ctlCreateBucketResult{NS: controlNS, BucketArn: c.bucketARN(c.name)})
}

func (s *Server) limits() Limits { return s.cfg.Limits.withDefaults() }

type ctlGetBucketResult struct {
	XMLName                  xml.Name `xml:"GetBucketResult"`
	NS                       string   `xml:"xmlns,attr"`
	Bucket                   string   `xml:"Bucket"`
	PublicAccessBlockEnabled bool     `xml:"PublicAccessBlockEnabled"`
	CreationDate             string   `xml:"CreationDate"`
}

func (c *ctlReq) getBucket() error {
	return c.writeXML(200, ctlGetBucketResult{NS: controlNS, Bucket: c.b.Name, PublicAccessBlockEnabled: true, CreationDate: iso8601(c.b.CreatedAt)})
}

func (c *ctlReq) deleteBucket() error {
	ctx := c.r.Context()
	// "Before you can delete an Outposts bucket, you must delete any
	// Outposts access points for the bucket" (S3OutpostsDeleteBucket).
	aps, err := c.s.cfg.Meta.ListAccessPoints(ctx, c.account, c.outpost, c.b.Name, "", 1)
	if err != nil {
		return err
	}
	if len(aps) > 0 {
		return s3err.InvalidBucketState.WithMessage("The bucket has access points; delete them before the bucket.").With(s3err.Field{Name: "BucketName", Value: c.b.Name})
	}
	if err := c.s.deleteBucket(ctx, c.b.Name); err != nil {
		return err
	}
	return c.noContent()
}

type ctlRegionalBucket struct {
	Bucket                   string `xml:"Bucket"`
	BucketArn                string `xml:"BucketArn"`
	PublicAccessBlockEnabled bool   `xml:"PublicAccessBlockEnabled"`
	CreationDate             string `xml:"CreationDate"`
	OutpostId                string `xml:"OutpostId"`
}

type ctlListRegionalBucketsResult struct {
	XMLName   xml.Name            `xml:"ListRegionalBucketsResult"`
	NS        string              `xml:"xmlns,attr"`
	Buckets   []ctlRegionalBucket `xml:"RegionalBucketList>RegionalBucket"`
	NextToken string              `xml:"NextToken,omitempty"`
}

func (c *ctlReq) listRegionalBuckets() error {
	max, err := maxResults(c.query, 1000, 1000)
	if err != nil {
		return err
	}
	marker, err := parsePageToken(c.query.Get("nextToken"))
	if err != nil {
		return err
	}
	bs, err := c.s.cfg.Meta.ListBuckets(c.r.Context(), c.account, c.outpost)
	if err != nil {
		return err
	}
	res := ctlListRegionalBucketsResult{NS: controlNS, Buckets: []ctlRegionalBucket{}}
	for _, b := range bs {
		if b.Name <= marker {
			continue
		}
		if len(res.Buckets) == max {
			res.NextToken = pageToken(res.Buckets[len(res.Buckets)-1].Bucket)
			break
		}
		res.Buckets = append(res.Buckets, ctlRegionalBucket{
			Bucket: b.Name, BucketArn: c.bucketARN(b.Name), PublicAccessBlockEnabled: true,
			CreationDate: iso8601(b.CreatedAt), OutpostId: b.OutpostID,
		})
	}
	return c.writeXML(200, res)
}

// ---- policies ----

type ctlPolicyDoc struct {
	XMLName xml.Name
	NS      string `xml:"xmlns,attr,omitempty"`
	Policy  string `xml:"Policy"`
}

// readPolicy reads a Put…PolicyRequest body and validates the policy as
// an S3 on Outposts resource policy.
func (c *ctlReq) readPolicy() (string, error) {
	var d ctlPolicyDoc
	if err := c.readXML(&d); err != nil {
		return "", err
	}
	if err := validateOutpostsPolicy([]byte(d.Policy)); err != nil {
		return "", err
	}
	return d.Policy, nil
}

// validateOutpostsPolicy applies the policy language and the S3 on
// Outposts rules (20 KB, wildcard principals need a source-IP condition).
func validateOutpostsPolicy(doc []byte) error {
	if strings.TrimSpace(string(doc)) == "" {
		return s3err.MalformedPolicy.WithMessage("Policies must be valid JSON and the first byte must be '{'")
	}
	p, err := policy.ParseResourcePolicy(doc, maxAccessPointPolicySize)
	if err != nil {
		return s3err.MalformedPolicy.WithMessage(err.Error())
	}
	if err := policy.ValidateOutpostsResourcePolicy(p); err != nil {
		return s3err.MalformedPolicy.WithMessage(err.Error())
	}
	return nil
}

func (c *ctlReq) writePolicy(root, doc string) error {
	return c.writeXML(200, ctlPolicyDoc{XMLName: xml.Name{Local: root}, NS: controlNS, Policy: doc})
}

func (c *ctlReq) putBucketPolicy() error {
	doc, err := c.readPolicy()
	if err != nil {
		return err
	}
	if err := bucketconfig.PutPolicy(c.r.Context(), c.s.cfg.Meta, c.b.Name, doc); err != nil {
		return err
	}
	return c.ok()
}

func (c *ctlReq) getBucketPolicy() error {
	doc, err := bucketconfig.Policy(c.r.Context(), c.s.cfg.Meta, c.b.Name)
	if err != nil {
		return err
	}
	return c.writePolicy("GetBucketPolicyResult", doc)
}

func (c *ctlReq) deleteBucketPolicy() error {
	if err := bucketconfig.DeletePolicy(c.r.Context(), c.s.cfg.Meta, c.b.Name); err != nil {
		return err
	}
	return c.noContent()
}

// ---- tagging ----

func (c *ctlReq) putBucketTagging() error {
	t := s3xml.Tagging{Form: s3xml.Control}
	if err := c.readXML(&t); err != nil {
		return err
	}
	if err := bucketconfig.PutTags(c.r.Context(), c.s.cfg.Meta, c.b.Name, t.TagSet); err != nil {
		return err
	}
	return c.ok()
}

func (c *ctlReq) getBucketTagging() error {
	m, err := bucketconfig.Tags(c.r.Context(), c.s.cfg.Meta, c.b.Name)
	if err != nil {
		return err
	}
	return c.writeXML(200, s3xml.Tagging{Form: s3xml.Control, TagSet: s3xml.SortedTags(m)})
}

func (c *ctlReq) deleteBucketTagging() error {
	if err := bucketconfig.DeleteTags(c.r.Context(), c.s.cfg.Meta, c.b.Name); err != nil {
		return err
	}
	return c.noContent()
}

// ---- versioning ----

func (c *ctlReq) putBucketVersioning() error {
	var v s3xml.VersioningConfiguration
	if err := c.readXML(&v); err != nil {
		return err
	}
	if c.r.Header.Get("x-amz-mfa") != "" {
		return bucketconfig.ErrMFADelete
	}
	if err := bucketconfig.PutVersioning(c.r.Context(), c.s.cfg.Meta, c.b.Name, v); err != nil {
		return err
	}
	return c.ok()
}

func (c *ctlReq) getBucketVersioning() error {
	return c.writeXML(200, s3xml.BucketVersioning(s3xml.Control, c.b.Versioning))
}

// ---- replication ----

func (c *ctlReq) replication() error {
	return s3err.NotImplemented.WithMessage("S3 Replication on Outposts is not supported by Outpost.")
}

// ---- access points ----

type ctlVpcConfiguration struct {
	VpcId string `xml:"VpcId"`
}

type ctlCreateAccessPointRequest struct {
	XMLName          xml.Name             `xml:"CreateAccessPointRequest"`
	Bucket           string               `xml:"Bucket"`
	VpcConfiguration *ctlVpcConfiguration `xml:"VpcConfiguration"`
	BucketAccountID  string               `xml:"BucketAccountId"`
}

type ctlCreateAccessPointResult struct {
	XMLName        xml.Name `xml:"CreateAccessPointResult"`
	NS             string   `xml:"xmlns,attr"`
	AccessPointArn string   `xml:"AccessPointArn"`
	Alias          string   `xml:"Alias"`
}

func (c *ctlReq) createAccessPoint() error {
	ctx := c.r.Context()
	st := c.s.cfg.Meta
	if !arn.ValidAccessPointName(c.name) {
		return s3err.InvalidAccessPoint.With(s3err.Field{Name: "AccessPointName", Value: c.name})
	}
	var req ctlCreateAccessPointRequest
	if err := c.readXML(&req); err != nil {
		return err
	}
	if req.Bucket == "" {
		return s3err.InvalidRequest.WithMessage("CreateAccessPoint needs the bucket (its ARN).")
	}
	// The bucket ARN may name the account and outpost too; they must agree.
	bucket, err := c.parseARNName(req.Bucket, arn.KindBucket)
	if err != nil {
		return err
	}
	if (c.arnOutpost != "" && c.arnOutpost != c.outpost) || (c.arnAccount != "" && c.arnAccount != c.account) {
		return s3err.InvalidRequest.WithMessage("The bucket ARN names another account or outpost than the request.")
	}
	if req.BucketAccountID != "" && req.BucketAccountID != c.account {
		return s3err.InvalidRequest.WithMessage("S3 on Outposts access points must belong to the bucket owner.")
	}
	b, err := c.s.cfg.Meta.GetBucket(ctx, bucket)
	if errors.Is(err, meta.ErrNoSuchBucket) || (err == nil && (b.OutpostID != c.outpost || b.Account != c.account)) {
		return s3err.NoSuchBucket.With(s3err.Field{Name: "BucketName", Value: bucket})
	}
	if err != nil {
		return err
	}
	var vpc string
	if req.VpcConfiguration != nil {
		vpc = strings.TrimSpace(req.VpcConfiguration.VpcId)
		if vpc == "" || len(vpc) > 1024 {
			return s3err.InvalidRequest.WithMessage("VpcConfiguration needs a VpcId.")
		}
	}
	if _, err := st.GetAccessPoint(ctx, c.account, c.outpost, c.name); err == nil {
		return s3err.AccessPointAlreadyOwnedByYou.With(s3err.Field{Name: "AccessPointName", Value: c.name})
	} else if !errors.Is(err, meta.ErrNoSuchAccessPoint) {
		return err
	}
	limit := c.s.limits().AccessPointsPerBucket
	ap := meta.AccessPoint{
		Name: c.name, Account: c.account, OutpostID: c.outpost, Bucket: b.Name, VpcID: vpc, CreatedAt: c.start,
	}
	for attempt := 0; ; attempt++ {
		ap.Alias, err = arn.NewAlias(c.name, c.outpost, arn.HWTypeRack, arn.RegionPrefix(c.s.cfg.Region), rand.Reader)
		if err != nil {
			return err
		}
		err = st.CreateAccessPointWithin(ctx, ap, limit)
		if errors.Is(err, meta.ErrLimitExceeded) {
			return s3err.InvalidRequest.WithMessage("You have attempted to create more access points than allowed: a bucket can have " + itoa(limit) + " access points.")
		}
		if !errors.Is(err, meta.ErrConflict) {
			break
		}
		// Either the name was taken since we looked, or (vanishingly
		// rarely) the alias: tell which, and draw a new alias.
		if _, gerr := st.GetAccessPoint(ctx, c.account, c.outpost, c.name); gerr == nil {
			return s3err.AccessPointAlreadyOwnedByYou.With(s3err.Field{Name: "AccessPointName", Value: c.name})
		}
		if attempt == 3 {
			return err
		}
	}
	if err != nil {
		return err
	}
	return c.writeXML(200, ctlCreateAccessPointResult{NS: controlNS, AccessPointArn: c.accessPointARN(ap.Name), Alias: ap.Alias})
}

type ctlPublicAccessBlock struct {
	BlockPublicAcls       bool `xml:"BlockPublicAcls"`
	IgnorePublicAcls      bool `xml:"IgnorePublicAcls"`
	BlockPublicPolicy     bool `xml:"BlockPublicPolicy"`
	RestrictPublicBuckets bool `xml:"RestrictPublicBuckets"`
}

type ctlGetAccessPointResult struct {
	XMLName          xml.Name             `xml:"GetAccessPointResult"`
	NS               string               `xml:"xmlns,attr"`
	Name             string               `xml:"Name"`
	Bucket           string               `xml:"Bucket"`
	NetworkOrigin    string               `xml:"NetworkOrigin"`
	VpcConfiguration *ctlVpcConfiguration `xml:"VpcConfiguration,omitempty"`
	PublicAccess     ctlPublicAccessBlock `xml:"PublicAccessBlockConfiguration"`
	CreationDate     string               `xml:"CreationDate"`
	Alias            string               `xml:"Alias"`
	AccessPointArn   string               `xml:"AccessPointArn"`
	BucketAccountID  string               `xml:"BucketAccountId"`
}

// networkOrigin is what GetAccessPoint shows: S3 on Outposts access points
// are VPC-only and AWS answers "Vpc" for them (s3-outposts-access-points-alias.md);
// an access point created without a VPC is open to any network.
func networkOrigin(ap *meta.AccessPoint) (string, *ctlVpcConfiguration) {
	if ap.VpcID == "" {
		return "Internet", nil
	}
	return "Vpc", &ctlVpcConfiguration{VpcId: ap.VpcID}
}

func (c *ctlReq) getAccessPoint() error {
	origin, vpc := networkOrigin(c.ap)
	return c.writeXML(200, ctlGetAccessPointResult{
		NS: controlNS, Name: c.ap.Name, Bucket: c.ap.Bucket, NetworkOrigin: origin, VpcConfiguration: vpc,
		PublicAccess: ctlPublicAccessBlock{true, true, true, true},
		CreationDate: iso8601(c.ap.CreatedAt), Alias: c.ap.Alias,
		AccessPointArn: c.accessPointARN(c.ap.Name), BucketAccountID: c.ap.Account,
	})
}

func (c *ctlReq) deleteAccessPoint() error {
	err := c.s.cfg.Meta.DeleteAccessPoint(c.r.Context(), c.account, c.outpost, c.ap.Name)
	if errors.Is(err, meta.ErrNoSuchAccessPoint) {
		return s3err.NoSuchAccessPoint.With(s3err.Field{Name: "AccessPointName", Value: c.ap.Name})
	}
	if err != nil {
		return err
	}
	return c.noContent()
}

type ctlAccessPoint struct {
	Name             string               `xml:"Name"`
	NetworkOrigin    string               `xml:"NetworkOrigin"`
	VpcConfiguration *ctlVpcConfiguration `xml:"VpcConfiguration,omitempty"`
	Bucket           string               `xml:"Bucket"`
	AccessPointArn   string               `xml:"AccessPointArn"`
	Alias            string               `xml:"Alias"`
	BucketAccountID  string               `xml:"BucketAccountId"`
}

type ctlListAccessPointsResult struct {
	XMLName      xml.Name         `xml:"ListAccessPointsResult"`
	NS           string           `xml:"xmlns,attr"`
	AccessPoints []ctlAccessPoint `xml:"AccessPointList>AccessPoint"`
	NextToken    string           `xml:"NextToken,omitempty"`
}

func (c *ctlReq) listAccessPoints() error {
	st := c.s.cfg.Meta
	max, err := maxResults(c.query, 1000, 1000)
	if err != nil {
		return err
	}
	marker, err := parsePageToken(c.query.Get("nextToken"))
	if err != nil {
		return err
	}
	var bucket string
	if b := c.query.Get("bucket"); b != "" {
		if bucket, err = c.parseARNName(b, arn.KindBucket); err != nil {
			return err
		}
	}
	aps, err := st.ListAccessPoints(c.r.Context(), c.account, c.outpost, bucket, marker, max+1)
	if err != nil {
		return err
	}
	res := ctlListAccessPointsResult{NS: controlNS, AccessPoints: []ctlAccessPoint{}}
	if len(aps) > max {
		aps = aps[:max]
		res.NextToken = pageToken(aps[len(aps)-1].Name)
	}
	for i := range aps {
		ap := &aps[i]
		origin, vpc := networkOrigin(ap)
		res.AccessPoints = append(res.AccessPoints, ctlAccessPoint{
			Name: ap.Name, NetworkOrigin: origin, VpcConfiguration: vpc, Bucket: ap.Bucket,
			AccessPointArn: c.accessPointARN(ap.Name), Alias: ap.Alias, BucketAccountID: ap.Account,
		})
	}
	return c.writeXML(200, res)
}

func (c *ctlReq) putAccessPointPolicy() error {
	doc, err := c.readPolicy()
	if err != nil {
		return err
	}
	if err := c.s.cfg.Meta.SetAccessPointPolicy(c.r.Context(), c.account, c.outpost, c.ap.Name, doc); err != nil {
		if errors.Is(err, meta.ErrNoSuchAccessPoint) {
			return s3err.NoSuchAccessPoint.With(s3err.Field{Name: "AccessPointName", Value: c.ap.Name})
		}
		return err
	}
	return c.ok()
}

func (c *ctlReq) getAccessPointPolicy() error {
	if c.ap.Policy == "" {
		return s3err.NoSuchAccessPointPolicy.With(s3err.Field{Name: "AccessPointName", Value: c.ap.Name})
	}
	return c.writePolicy("GetAccessPointPolicyResult", c.ap.Policy)
}

func (c *ctlReq) deleteAccessPointPolicy() error {
	err := c.s.cfg.Meta.SetAccessPointPolicy(c.r.Context(), c.account, c.outpost, c.ap.Name, "")
	if err != nil && !errors.Is(err, meta.ErrNoSuchAccessPoint) {
		return err
	}
	return c.noContent()
}
