package server

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strconv"

	"github.com/outpost-s3/outpost/arn"
	"github.com/outpost-s3/outpost/internal/authz"
	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/s3err"
)

// The s3outposts API (endpoint management), REST-JSON under /S3Outposts/
// (https://docs.aws.amazon.com/AmazonS3/latest/s3-outposts/S3OutpostsEndpointsWorking.html).
// An endpoint connects a VPC — here a declared meta.Network — to the
// outpost; the subnet named at creation must belong to one.

// s3OutpostsRoot is the first path segment of every s3outposts request
// (not a valid bucket name: it has capitals).
const s3OutpostsRoot = "S3Outposts"

// Error codes of the s3outposts API and their HTTP status.
var (
	s3oValidation   = &s3err.Error{Code: "ValidationException", Status: 400, Message: "The request is not valid."}
	s3oNotFound     = &s3err.Error{Code: "ResourceNotFoundException", Status: 404, Message: "The requested resource was not found."}
	s3oConflict     = &s3err.Error{Code: "ConflictException", Status: 409, Message: "There was a conflict with this action, and it could not be completed."}
	s3oAccessDenied = &s3err.Error{Code: "AccessDeniedException", Status: 403, Message: "Access was denied for this action."}
)

// Patterns of the s3outposts API model.
var (
	subnetIDRe = regexp.MustCompile(`^subnet-([0-9a-f]{8}|[0-9a-f]{17})$`)
	sgIDRe     = regexp.MustCompile(`^sg-([0-9a-f]{8}|[0-9a-f]{17})$`)
	coipPoolRe = regexp.MustCompile(`^ipv4pool-coip-([0-9a-f]{17})$`)
)

// writeJSONError sends an error in the REST-JSON form: the code in
// x-amzn-ErrorType and {"message": …} as the body. S3-style errors from
// authentication keep their code.
func writeJSONError(rc *reqCtx, e *s3err.Error) {
	code := e.Code
	if code == "AccessDenied" {
		code = s3oAccessDenied.Code
	}
	h := rc.w.Header()
	for k, v := range e.Header {
		h[k] = v
	}
	body, _ := json.Marshal(map[string]string{"message": e.Message})
	h.Set("x-amzn-ErrorType", code)
	h.Set("x-amzn-RequestId", rc.id)
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	rc.w.WriteHeader(e.Status)
	if rc.r.Method != http.MethodHead {
		rc.w.Write(body)
	}
}

func (rc *reqCtx) writeJSON(v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	h := rc.w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	rc.w.WriteHeader(http.StatusOK)
	rc.w.Write(body)
	return nil
}

// serveS3Outposts routes, authenticates, authorizes and runs an
// s3outposts request.
func (s *Server) serveS3Outposts(rc *reqCtx) error {
	name := rc.class.Operation
	type route struct {
		method string
		fn     func(*reqCtx) error
	}
	routes := map[string]route{
		"CreateEndpoint":      {http.MethodPost, (*reqCtx).createEndpoint},
		"DeleteEndpoint":      {http.MethodDelete, (*reqCtx).deleteEndpoint},
		"ListEndpoints":       {http.MethodGet, (*reqCtx).listEndpoints},
		"ListOutpostsWithS3":  {http.MethodGet, (*reqCtx).listOutpostsWithS3},
		"ListSharedEndpoints": {http.MethodGet, (*reqCtx).listSharedEndpoints},
	}
	rt, ok := routes[name]
	// The s3outposts SDKs sign the body's hash without sending
	// X-Amz-Content-Sha256 (only S3 sends it); supply it so the verifier
	// checks the hash of the body actually received. Bodies are small JSON.
	if rc.r.Header.Get("X-Amz-Content-Sha256") == "" && rc.r.Body != nil {
		body, tooLarge, err := readSmallBody(rc.r, maxXMLBody)
		switch {
		case err != nil:
			return s3oValidation.WithMessage("The request body could not be read.")
		case tooLarge:
			return s3oValidation.WithMessage("The request body is too large.")
		}
		supplyPayloadHash(rc.r, body)
	}
	if err := s.authenticateOutposts(rc); err != nil {
		return err
	}
	if !ok || rc.r.Method != rt.method {
		return s3oValidation.WithMessage("Unknown s3outposts operation " + rc.r.Method + " " + rc.r.URL.Path)
	}
	return rt.fn(rc)
}

// authorizeEndpoints decides an s3outposts action with the caller's
// identity policies (endpoints have no resource policies).
func (rc *reqCtx) authorizeEndpoints(resource string) error {
	d, err := rc.decideOn(rc.op.action, resource, "", "")
	if err != nil {
		return err
	}
	if !d.Allowed {
		return s3oAccessDenied
	}
	rc.authz = &authzState{allowed: true}
	return nil
}

func (rc *reqCtx) outpostARN(account string) string {
	return authz.OutpostsARN(rc.s.cfg.Region, account, rc.s.cfg.OutpostID, arn.KindOutpost, "")
}

func (rc *reqCtx) endpointARN(e *meta.Endpoint) string {
	return authz.OutpostsARN(rc.s.cfg.Region, e.Account, e.OutpostID, arn.KindEndpoint, e.ID)
}

// anyEndpointARN is the resource of listing the caller's endpoints: every
// endpoint of the account, on any outpost.
func (rc *reqCtx) anyEndpointARN() string {
	return authz.OutpostsARN(rc.s.cfg.Region, rc.principal.Account, "*", arn.KindEndpoint, "*")
}

// checkOutpost answers ResourceNotFoundException for another outpost.
func (rc *reqCtx) checkOutpost(id string) error {
	if id == "" {
		return s3oValidation.WithMessage("OutpostId is required.")
	}
	if id != rc.s.cfg.OutpostID {
		return s3oNotFound.WithMessage("Outpost " + id + " not found.")
	}
	return nil
}

type createEndpointRequest struct {
	OutpostID             string `json:"OutpostId"`
	SubnetID              string `json:"SubnetId"`
	SecurityGroupID       string `json:"SecurityGroupId"`
	AccessType            string `json:"AccessType"`
	CustomerOwnedIPv4Pool string `json:"CustomerOwnedIpv4Pool"`
}

func (rc *reqCtx) createEndpoint() error {
	ctx := rc.r.Context()
	var req createEndpointRequest
	body, err := io.ReadAll(io.LimitReader(rc.body(), maxXMLBody+1))
	if err != nil {
		return err
	}
	if len(body) > maxXMLBody {
		return s3oValidation.WithMessage("The request body is too large.")
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return s3oValidation.WithMessage("The request body is not valid JSON: " + err.Error())
	}
	if err := rc.checkOutpost(req.OutpostID); err != nil {
		return err
	}
	switch {
	case !subnetIDRe.MatchString(req.SubnetID):
		return s3oValidation.WithMessage("SubnetId must match ^subnet-([0-9a-f]{8}|[0-9a-f]{17})$.")
	case !sgIDRe.MatchString(req.SecurityGroupID):
		return s3oValidation.WithMessage("SecurityGroupId must match ^sg-([0-9a-f]{8}|[0-9a-f]{17})$.")
	}
	if req.AccessType == "" {
		req.AccessType = "Private"
	}
	switch req.AccessType {
	case "Private":
		if req.CustomerOwnedIPv4Pool != "" {
			return s3oValidation.WithMessage("CustomerOwnedIpv4Pool is only valid with AccessType CustomerOwnedIp.")
		}
	case "CustomerOwnedIp":
		if !coipPoolRe.MatchString(req.CustomerOwnedIPv4Pool) {
			return s3oValidation.WithMessage("AccessType CustomerOwnedIp needs CustomerOwnedIpv4Pool matching ^ipv4pool-coip-([0-9a-f]{17})$.")
		}
	default:
		return s3oValidation.WithMessage("AccessType must be Private or CustomerOwnedIp.")
	}
	e := meta.Endpoint{
		ID: newEndpointID(), Account: rc.principal.Account, OutpostID: req.OutpostID, SubnetID: req.SubnetID,
		SecurityGroupID: req.SecurityGroupID, AccessType: req.AccessType, CustomerOwnedIPv4Pool: req.CustomerOwnedIPv4Pool,
		Status: "Available", CreatedAt: rc.start,
	}
	if err := rc.authorizeEndpoints(rc.endpointARN(&e)); err != nil {
		return err
	}
	st := rc.s.cfg.Meta
	nets, err := st.ListNetworks(ctx)
	if err != nil {
		return err
	}
	for _, n := range nets {
		for _, sn := range n.Subnets {
			if sn.SubnetID == req.SubnetID {
				e.VpcID, e.CidrBlock = n.VpcID, sn.CIDR
			}
		}
	}
	if e.VpcID == "" {
		return s3oValidation.WithMessage("Subnet " + req.SubnetID + " is not in any declared network (VPC). Declare the VPC and its subnets first.")
	}
	limit := rc.s.limits().EndpointsPerOutpost
	if err := st.CreateEndpointWithin(ctx, e, limit); errors.Is(err, meta.ErrLimitExceeded) {
		return s3oValidation.WithMessage("The outpost already has the maximum of " + itoa(limit) + " endpoints.")
	} else if errors.Is(err, meta.ErrConflict) {
		return s3oConflict.WithMessage("VPC " + e.VpcID + " already has an endpoint on outpost " + e.OutpostID + ".")
	} else if err != nil {
		return err
	}
	return rc.writeJSON(map[string]string{"EndpointArn": rc.endpointARN(&e)})
}

// newEndpointID returns 19 random lower-case alphanumerics.
func newEndpointID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	out := make([]byte, 0, 19)
	var buf [32]byte
	for len(out) < 19 {
		rand.Read(buf[:])
		for _, b := range buf {
			if b < 252 && len(out) < 19 { // 252 = 7*36: no bias
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out)
}

type endpointJSON struct {
	EndpointArn           string             `json:"EndpointArn"`
	OutpostsID            string             `json:"OutpostsId"`
	CidrBlock             string             `json:"CidrBlock"`
	Status                string             `json:"Status"`
	CreationTime          float64            `json:"CreationTime"`
	NetworkInterfaces     []networkInterface `json:"NetworkInterfaces"`
	VpcID                 string             `json:"VpcId"`
	SubnetID              string             `json:"SubnetId"`
	SecurityGroupID       string             `json:"SecurityGroupId"`
	AccessType            string             `json:"AccessType"`
	CustomerOwnedIPv4Pool string             `json:"CustomerOwnedIpv4Pool,omitempty"`
}

type networkInterface struct {
	NetworkInterfaceID string `json:"NetworkInterfaceId"`
}

// endpointView is an endpoint as ListEndpoints shows it. Its network
// interface is named after the endpoint (there is no real ENI).
func (rc *reqCtx) endpointView(e *meta.Endpoint) endpointJSON {
	sum := sha256.Sum256([]byte(e.ID))
	return endpointJSON{
		EndpointArn: rc.endpointARN(e), OutpostsID: e.OutpostID, CidrBlock: e.CidrBlock, Status: e.Status,
		CreationTime:      float64(e.CreatedAt.UnixMilli()) / 1000,
		NetworkInterfaces: []networkInterface{{NetworkInterfaceID: "eni-" + hex.EncodeToString(sum[:])[:17]}},
		VpcID:             e.VpcID, SubnetID: e.SubnetID, SecurityGroupID: e.SecurityGroupID,
		AccessType: e.AccessType, CustomerOwnedIPv4Pool: e.CustomerOwnedIPv4Pool,
	}
}

// pageParams reads nextToken and maxResults (1–100, default 100).
func (rc *reqCtx) pageParams() (marker string, max int, err error) {
	max, err = maxResults(rc.query, 100, 100)
	if err != nil {
		return "", 0, s3oValidation.WithMessage("maxResults must be an integer from 0 to 100.")
	}
	marker, err = parsePageToken(rc.query.Get("nextToken"))
	if err != nil {
		return "", 0, s3oValidation.WithMessage("nextToken is not valid.")
	}
	return marker, max, nil
}

func (rc *reqCtx) listEndpoints() error {
	marker, max, err := rc.pageParams()
	if err != nil {
		return err
	}
	if err := rc.authorizeEndpoints(rc.anyEndpointARN()); err != nil {
		return err
	}
	es, err := rc.s.cfg.Meta.ListEndpoints(rc.r.Context(), rc.principal.Account, "")
	if err != nil {
		return err
	}
	res := struct {
		Endpoints []endpointJSON `json:"Endpoints"`
		NextToken string         `json:"NextToken,omitempty"`
	}{Endpoints: []endpointJSON{}}
	for i := range es {
		if es[i].ID <= marker {
			continue
		}
		if len(res.Endpoints) == max {
			res.NextToken = pageToken(es[i-1].ID)
			break
		}
		res.Endpoints = append(res.Endpoints, rc.endpointView(&es[i]))
	}
	return rc.writeJSON(res)
}

func (rc *reqCtx) listSharedEndpoints() error {
	if _, _, err := rc.pageParams(); err != nil {
		return err
	}
	if err := rc.checkOutpost(rc.query.Get("outpostId")); err != nil {
		return err
	}
	if err := rc.authorizeEndpoints(rc.anyEndpointARN()); err != nil {
		return err
	}
	// Endpoints are not shared across accounts (no AWS RAM here).
	return rc.writeJSON(map[string]any{"Endpoints": []endpointJSON{}})
}

func (rc *reqCtx) deleteEndpoint() error {
	ctx := rc.r.Context()
	id := rc.query.Get("endpointId")
	if !arn.ValidEndpointID(id) {
		return s3oValidation.WithMessage("endpointId must be 19 letters and digits.")
	}
	if err := rc.checkOutpost(rc.query.Get("outpostId")); err != nil {
		return err
	}
	st := rc.s.cfg.Meta
	e, err := st.GetEndpoint(ctx, id)
	if errors.Is(err, meta.ErrNoSuchEndpoint) || (err == nil && (e.Account != rc.principal.Account || e.OutpostID != rc.s.cfg.OutpostID)) {
		return s3oNotFound.WithMessage("Endpoint " + id + " not found.")
	}
	if err != nil {
		return err
	}
	if err := rc.authorizeEndpoints(rc.endpointARN(&e)); err != nil {
		return err
	}
	if err := st.DeleteEndpoint(ctx, id); err != nil && !errors.Is(err, meta.ErrNoSuchEndpoint) {
		return err
	}
	rc.w.Header().Set("Content-Length", "0")
	rc.w.WriteHeader(http.StatusOK)
	return nil
}

func (rc *reqCtx) listOutpostsWithS3() error {
	if _, _, err := rc.pageParams(); err != nil {
		return err
	}
	if err := rc.authorizeEndpoints("*"); err != nil {
		return err
	}
	owner := rc.s.cfg.AccountID
	o := map[string]any{
		"OutpostArn":   "arn:aws:outposts:" + rc.s.cfg.Region + ":" + owner + ":outpost/" + rc.s.cfg.OutpostID,
		"S3OutpostArn": rc.outpostARN(owner) + "/s3",
		"OutpostId":    rc.s.cfg.OutpostID,
		"OwnerId":      owner,
	}
	if c := rc.s.limits().CapacityBytes; c > 0 {
		o["CapacityInBytes"] = c
	}
	return rc.writeJSON(map[string]any{"Outposts": []any{o}})
}
