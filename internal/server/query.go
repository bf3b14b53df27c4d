package server

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/outpost-s3/outpost/internal/auth"
	"github.com/outpost-s3/outpost/internal/authn"
	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/sigv4"
)

// The AWS query protocol (IAM, STS): POST / with a form body
// Action=…&Version=…, signed for service iam or sts, answered with
// <ActionResponse xmlns=…><ActionResult>…</ActionResult><ResponseMetadata>…
// (https://docs.aws.amazon.com/IAM/latest/APIReference/iam-api.pdf, "Making query requests").

const (
	iamNS = "https://iam.amazonaws.com/doc/2010-05-08/"
	stsNS = "https://sts.amazonaws.com/doc/2011-06-15/"
	// maxQueryBody bounds a query request body: the largest IAM documents
	// (10 KB role policies) fit many times over, even URL-encoded.
	maxQueryBody = 1 << 20
)

// queryCtx is one IAM or STS request.
type queryCtx struct {
	rc      *reqCtx
	service string // "iam" or "sts"
	action  string
	form    url.Values
	p       *auth.Principal
}

// queryError is an IAM/STS error response.
type queryError struct {
	status  int
	code    string
	message string
}

func (e *queryError) Error() string { return e.code + ": " + e.message }

func qerr(status int, code, format string, args ...any) *queryError {
	return &queryError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

// IAM error constructors, with AWS's status codes.
func errNoSuchEntity(format string, args ...any) *queryError {
	return qerr(404, "NoSuchEntity", format, args...)
}
func errEntityExists(format string, args ...any) *queryError {
	return qerr(409, "EntityAlreadyExists", format, args...)
}
func errMalformedPolicy(format string, args ...any) *queryError {
	return qerr(400, "MalformedPolicyDocument", format, args...)
}
func errLimitExceeded(format string, args ...any) *queryError {
	return qerr(409, "LimitExceeded", format, args...)
}
func errValidation(format string, args ...any) *queryError {
	return qerr(400, "ValidationError", format, args...)
}

type queryHandler func(q *queryCtx) (any, error)

// serveQueryAPI authenticates and runs an IAM or STS action. Its errors
// are written in the IAM/STS XML form (writeError).
func (s *Server) serveQueryAPI(rc *reqCtx) error {
	rc.q = &queryCtx{rc: rc, service: "iam"}
	return s.runQuery(rc.q)
}

func (s *Server) runQuery(q *queryCtx) error {
	rc := q.rc
	r := rc.r
	bodyForm, form := rc.bodyForm, rc.form
	q.form = form
	q.action = form.Get("Action")

	id, err := s.queryAuthn.Authenticate(r.Context(), authn.Request{R: r, Addresses: rc.addresses(r.URL.EscapedPath())})
	if err != nil {
		if _, ok := stsActions[q.action]; ok {
			q.service = "sts"
		}
		return queryAuthError(err)
	}
	v := id.Verified()
	if v.Service != "" {
		q.service = v.Service
	}
	if err := bodyCoveredBySignature(v, bodyForm, rc.query); err != nil {
		return err
	}
	rc.setIdentity(id)
	if v.AuthType == sigv4.AuthAnonymous {
		return qerr(403, "MissingAuthenticationToken", "Request is missing Authentication Token")
	}
	if v.Region != "" && v.Region != s.cfg.Region && v.Region != "us-east-1" {
		return qerr(403, "SignatureDoesNotMatch", "Credential should be scoped to a valid region, not '%s'.", v.Region)
	}
	p := id.Principal()
	if p == nil {
		return qerr(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
	}
	q.p = p
	if _, err := io.Copy(io.Discard, v.Body); err != nil {
		return queryAuthError(err)
	}
	s.recordKeyUse(v)
	var h queryHandler
	switch q.service {
	case "sts":
		h = stsActions[q.action]
	default:
		h = iamActions[q.action]
		if h == nil {
			h = adminActions[q.action]
		}
	}
	rc.op.name = q.service + ":" + q.action
	if q.action == "" {
		return qerr(400, "MissingAction", "Missing Action")
	}
	if h == nil {
		return qerr(400, "InvalidAction", "Could not find operation %s for version %s", q.action, form.Get("Version"))
	}
	res, err := h(q)
	if err != nil {
		return err
	}
	q.write(res)
	return nil
}

// bodyCoveredBySignature refuses a request whose body parameters the
// signature does not cover: a presigned URL (query authentication) signs
// only its query string, and a header-signed request with UNSIGNED-PAYLOAD
// leaves its body open too. Such a request's parameters come from the signed
// query alone; a body that adds or changes one (a presigned
// GetCallerIdentity posted with Action=GetSessionToken) is answered
// SignatureDoesNotMatch rather than run, so no holder of a link can make it
// do what its signer did not sign.
func bodyCoveredBySignature(v *sigv4.Verified, body, signed url.Values) error {
	if len(body) == 0 || v.AuthType == sigv4.AuthAnonymous {
		return nil
	}
	if v.AuthType != sigv4.AuthQuery && v.PayloadHash != sigv4.UnsignedPayload {
		return nil // the body's SHA-256 is part of the signature
	}
	for k, vs := range body {
		if !slices.Equal(vs, signed[k]) {
			return qerr(403, "SignatureDoesNotMatch", "The request body sets the parameter %s, which the signature does not cover: a presigned or UNSIGNED-PAYLOAD request takes its parameters from the signed query string only.", k)
		}
	}
	return nil
}

// queryAuthError turns a verification failure into the error IAM and STS
// send: they speak of security tokens where S3 speaks of access keys.
func queryAuthError(err error) error {
	var se *sigv4.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code {
	case sigv4.CodeInvalidAccessKeyID, sigv4.CodeInvalidToken:
		return qerr(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
	case sigv4.CodeExpiredToken:
		return qerr(400, "ExpiredToken", "The security token included in the request is expired")
	case "SignatureDoesNotMatch":
		return qerr(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	case "AuthorizationHeaderMalformed":
		return qerr(400, "IncompleteSignature", "%s", se.Message)
	case "RequestTimeTooSkewed":
		return qerr(403, "SignatureDoesNotMatch", "Signature expired: the request time is too far from the server time.")
	}
	return qerr(se.Status, se.Code, "%s", se.Message)
}

func (q *queryCtx) ns() string {
	if q.service == "sts" {
		return stsNS
	}
	return iamNS
}

// write sends <ActionResponse><ActionResult>result</ActionResult>…; a nil
// result sends the response without a Result element.
func (q *queryCtx) write(result any) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	fmt.Fprintf(&b, `<%sResponse xmlns="%s">`, q.action, q.ns())
	if result != nil {
		enc := xml.NewEncoder(&b)
		if err := enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: q.action + "Result"}}); err != nil {
			q.writeError(err)
			return
		}
		enc.Flush()
	}
	fmt.Fprintf(&b, `<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>`, q.rc.id, q.action)
	h := q.rc.w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("x-amzn-RequestId", q.rc.id)
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	q.rc.w.WriteHeader(http.StatusOK)
	q.rc.w.Write(b.Bytes())
}

type xmlQueryError struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	NS      string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

// writeError sends an IAM/STS error. Errors that are not queryErrors are
// logged and reported as ServiceFailure without their text.
func (q *queryCtx) writeError(err error) {
	var qe *queryError
	if !errors.As(err, &qe) {
		qe = mapMetaError(err)
		if qe == nil {
			q.rc.s.log.Error("query request failed", "request_id", q.rc.id, "action", q.action, "error", err)
			qe = qerr(500, "ServiceFailure", "Request processing has failed due to an internal error.")
		}
	}
	var e xmlQueryError
	e.NS = q.ns()
	e.Error.Type = "Sender"
	if qe.status >= 500 {
		e.Error.Type = "Receiver"
	}
	e.Error.Code, e.Error.Message = qe.code, qe.message
	e.RequestID = q.rc.id
	out, _ := xml.Marshal(e)
	h := q.rc.w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("x-amzn-RequestId", q.rc.id)
	q.rc.w.WriteHeader(qe.status)
	q.rc.w.Write([]byte(xml.Header))
	q.rc.w.Write(out)
	q.rc.s.log.Debug("query error", "request_id", q.rc.id, "action", q.action, "code", qe.code)
}

// mapMetaError maps store errors that need no context; nil for others.
func mapMetaError(err error) *queryError {
	var dc *meta.DeleteConflictError
	switch {
	case errors.As(err, &dc):
		return qerr(409, "DeleteConflict", "%s", dc.Message)
	case errors.Is(err, meta.ErrUnavailable):
		return qerr(503, "ServiceUnavailable", "The service is unavailable. Please retry.")
	}
	return nil
}

// get returns a form parameter.
func (q *queryCtx) get(name string) string { return q.form.Get(name) }

// required returns a parameter that must be present.
func (q *queryCtx) required(name string) (string, error) {
	v := q.form.Get(name)
	if v == "" {
		return "", errValidation("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", lowerFirst(name))
	}
	return v, nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// intParam parses an optional integer parameter.
func (q *queryCtx) intParam(name string, def int) (int, error) {
	v := q.form.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, errValidation("Value '%s' at '%s' failed to satisfy constraint: Member must be a number", v, lowerFirst(name))
	}
	return n, nil
}

// members returns the values of a list parameter: Name.member.1, Name.member.2, …
func (q *queryCtx) members(name string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := q.form[name+".member."+strconv.Itoa(i)]
		if !ok || len(v) == 0 {
			return out
		}
		out = append(out, v[0])
	}
}

// isoTime formats times as IAM and STS do.
func isoTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// encodePolicy URL-encodes a policy document, as IAM returns documents
// (RFC 3986: spaces as %20).
func encodePolicy(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

// allowed evaluates the caller's identity policies for an IAM or STS
// action on a resource of the caller's own account.
func (q *queryCtx) allowed(action, resource string) error {
	d, err := q.rc.decideOn(action, resource, "", "")
	if err != nil || !d.Allowed {
		return q.denied(action, resource)
	}
	return nil
}

func (q *queryCtx) denied(action, resource string) error {
	return qerr(403, "AccessDenied", "User: %s is not authorized to perform: %s on resource: %s", q.p.ARN, action, resource)
}
