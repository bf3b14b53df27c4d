package server

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/outpost-s3/outpost/arn"
	"github.com/outpost-s3/outpost/internal/s3err"
)

// API is the wire protocol a request speaks. Classification picks it once,
// on entry; it chooses the router and the form every error is written in.
type API uint8

const (
	// APIS3 is the S3 data plane (objects, buckets, lists, multipart).
	APIS3 API = iota
	// APIControl is S3 Control (/v20180820/…): Outposts buckets and access
	// points. Errors are XML wrapped in ErrorResponse.
	APIControl
	// APIS3Outposts is the s3outposts endpoints API (/S3Outposts/…), REST-JSON.
	APIS3Outposts
	// APIQuery is the IAM, STS and admin query protocol (POST / with a form).
	APIQuery
	// APIAdminNetworks is the networks admin API (/outpost/admin/networks), JSON.
	APIAdminNetworks
)

var apiNames = [...]string{"s3", "s3control", "s3outposts", "query", "admin-networks"}

func (a API) String() string { return apiNames[a] }

// Class is what classification learns from a request's method, host, path,
// query and (for the query protocol) form body, before any store is read
// or any signature is checked.
type Class struct {
	API API
	// Operation is the AWS operation name (GetObject, CreateAccessPoint,
	// ListEndpoints, …); for the query protocol, the form's Action.
	Operation string
	// Bucket and Key are the bucket (or access point name or alias) and key
	// the request addresses; "" where it addresses none.
	Bucket, Key string
	// AccessPoint is the access point the request came through, as it
	// named it (by alias, or by name with account and outpost); nil for
	// none. Its bucket is found after classification.
	AccessPoint *apAddress
	// RouteErr is why no operation matched (reported after authentication,
	// as S3 does, so an unauthenticated caller learns nothing).
	RouteErr error
}

// classify fills rc.class beyond its API, which handle sets first with
// apiOf (so even a request that cannot be parsed is answered in its API's
// form), and the addressing fields of rc the handlers read: query, bucket,
// key, op. A returned error is a request that cannot be parsed.
func (s *Server) classify(rc *reqCtx) error {
	r := rc.r
	c := &rc.class
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return s3err.InvalidURI.WithCause(err)
	}
	rc.query = q
	rc.bucket, rc.key, err = s.target(r)
	if err != nil {
		return err
	}
	switch c.API {
	case APIAdminNetworks:
		c.Operation = "Admin:Networks"
	case APIControl:
		kind, name, sub, ok := controlPath(r.URL.EscapedPath())
		o := ctlOp{name: "Control:Unsupported"}
		if !ok {
			c.RouteErr = s3err.InvalidURI
		} else {
			o, c.RouteErr = routeControl(r.Method, kind, name, sub)
		}
		rc.ctl = o
		c.Operation = o.name
		rc.op = op{name: o.name, action: o.action}
		c.Bucket = name
		rc.bucket, rc.key = "", ""
	case APIS3Outposts:
		c.Operation = strings.TrimPrefix(r.URL.Path, "/"+s3OutpostsRoot+"/")
		rc.op = op{name: "S3Outposts:" + c.Operation, action: "s3-outposts:" + c.Operation}
		rc.bucket, rc.key = "", ""
	case APIQuery:
		rc.op = op{name: "Query"}
		if err := rc.readQueryForm(); err != nil {
			return err
		}
		c.Operation = rc.form.Get("Action")
	case APIS3:
		s.addressAccessPoint(rc)
		c.Bucket, c.Key = rc.bucket, rc.key
		if r.Method == http.MethodOptions && rc.bucket != "" {
			// A CORS preflight: browsers send it without credentials, so
			// it is answered before authentication, as S3 answers it.
			rc.op = op{name: "PreflightRequest"}
		} else {
			rc.op, c.RouteErr = s.route(rc)
		}
		c.Operation = rc.op.name
	}
	return nil
}

// apiOf tells which API a request speaks from its host and path alone.
// Virtual-hosted buckets (bucket.DOMAIN) and access point hosts are always
// the S3 data plane; on other hosts the path's first segment picks S3
// Control, s3outposts or the networks admin API, and POST / the query
// protocol.
func (s *Server) apiOf(rc *reqCtx) API {
	r := rc.r
	host := hostOnly(r.Host)
	if d := s.cfg.Domain; d != "" && strings.HasSuffix(host, "."+d) {
		return APIS3
	}
	p := r.URL.Path
	if p == "/outpost/"+adminNetworksPath || strings.HasPrefix(p, "/outpost/"+adminNetworksPath+"/") {
		if _, apHost := parseAccessPointHost(host); !apHost {
			return APIAdminNetworks
		}
	}
	if _, ok := parseAccessPointHost(hostOnly(rc.publicHost())); ok {
		return APIS3
	}
	switch {
	case p == "/"+controlRoot || strings.HasPrefix(p, "/"+controlRoot+"/"):
		return APIControl
	case p == "/"+s3OutpostsRoot || strings.HasPrefix(p, "/"+s3OutpostsRoot+"/"):
		return APIS3Outposts
	case p == "/" && r.Method == http.MethodPost:
		return APIQuery
	}
	return APIS3
}

// addressAccessPoint recognises a request addressed to an access point (by
// its host, an alias in the bucket's place, or an ARN path), records the
// address in rc.class.AccessPoint and sets rc.bucket and rc.key to what the
// router acts on. It reads no store: the access point is looked up by
// lookupRequestAccessPoint.
func (s *Server) addressAccessPoint(rc *reqCtx) {
	if a, ok := parseAccessPointHost(hostOnly(rc.publicHost())); ok {
		rc.key = strings.TrimPrefix(rc.r.URL.Path, "/")
		rc.bucket = a.alias
		if rc.bucket == "" {
			rc.bucket = a.name
		}
		rc.class.AccessPoint = &a
		return
	}
	switch {
	case arn.IsAlias(rc.bucket):
		rc.class.AccessPoint = &apAddress{alias: rc.bucket}
	case strings.HasPrefix(rc.bucket, "arn:"):
		a, bucket, key, ok := parseAccessPointARNPath(rc.bucket, rc.key)
		if !ok {
			return // an invalid bucket name: routed and refused as any other
		}
		rc.key = key
		if bucket != "" {
			rc.bucket = bucket
			return
		}
		rc.bucket = a.name
		rc.class.AccessPoint = &a
	}
}

// readQueryForm reads the bounded form body of a query-protocol request,
// keeps it for the verifier and merges it with the URL's parameters into
// rc.form (the body wins; X-Amz-* query parameters belong to the signature).
func (rc *reqCtx) readQueryForm() error {
	body, tooLarge, err := readSmallBody(rc.r, maxQueryBody)
	switch {
	case err != nil:
		return qerr(400, "IncompleteSignature", "The request body could not be read.")
	case tooLarge:
		return errValidation("The request body exceeds %d bytes.", maxQueryBody)
	}
	supplyPayloadHash(rc.r, body)
	bodyForm, err := url.ParseQuery(string(body))
	if err != nil {
		return errValidation("The request body is not a valid form: %v", err)
	}
	form := make(url.Values, len(bodyForm)+len(rc.query))
	for k, vs := range bodyForm {
		form[k] = vs
	}
	for k, vs := range rc.query {
		if _, ok := form[k]; !ok && !strings.HasPrefix(strings.ToLower(k), "x-amz-") {
			form[k] = vs
		}
	}
	rc.bodyForm, rc.form = bodyForm, form
	return nil
}
