package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/s3err"
)

// The networks admin API: a small JSON API with which the operator declares
// networks (our stand-in for VPCs), signed like any S3 request (SigV4,
// service s3) by the root user of the server's owning account.
//
//	GET    /outpost/admin/networks            {"networks": [Network, …]}
//	GET    /outpost/admin/networks/origin     where the caller comes from: {"sourceIp", "vpcId", "endpointId", "onPremises"}
//	GET    /outpost/admin/networks/{vpcId}    Network
//	PUT    /outpost/admin/networks/{vpcId}    create or replace; body Network; answers Network
//	DELETE /outpost/admin/networks/{vpcId}    204; 409 while an endpoint uses the VPC
//
// Errors are {"code": …, "message": …, "requestId": …} with the HTTP
// status. The path takes the keys admin/networks… of a bucket named
// "outpost" for path-style requests; such keys stay reachable
// virtual-hosted style or through an access point. Documented in
// docs/networking.md.

const adminNetworksPath = "admin/networks"

// NetworkJSON is the JSON form of a network, in the --networks file and in
// the admin API.
type NetworkJSON struct {
	VpcID       string       `json:"vpcId"`
	Name        string       `json:"name,omitempty"`
	CIDRs       []string     `json:"cidrs"`
	Subnets     []SubnetJSON `json:"subnets,omitempty"`
	OnPremCIDRs []string     `json:"onPremCidrs,omitempty"`
}

// SubnetJSON is the JSON form of a subnet.
type SubnetJSON struct {
	SubnetID string `json:"subnetId"`
	CIDR     string `json:"cidr"`
}

// vpcIDRe is what Outpost accepts as a VPC ID: AWS's vpc- + 8 or 17 hex
// digits, or an operator's own vpc-NAME.
var vpcIDRe = regexp.MustCompile(`^vpc-[0-9a-z][0-9a-z-]{0,59}$`)

// Network validates n and returns it in canonical form (CIDRs masked).
// Subnet IDs follow the s3outposts API pattern, so endpoints can name them;
// each subnet lies inside one of the VPC's CIDRs.
func (n NetworkJSON) Network() (meta.Network, error) {
	out := meta.Network{VpcID: n.VpcID, Name: n.Name}
	if !vpcIDRe.MatchString(n.VpcID) {
		return out, fmt.Errorf("vpcId %q: want vpc- followed by lower-case letters, digits and '-' (e.g. vpc-0a1b2c3d4e5f60718)", n.VpcID)
	}
	if len(n.Name) > 255 {
		return out, fmt.Errorf("network %s: name longer than 255 characters", n.VpcID)
	}
	if len(n.CIDRs) == 0 {
		return out, fmt.Errorf("network %s: cidrs is empty; a VPC needs at least one address range", n.VpcID)
	}
	var vpcs []netip.Prefix
	for _, c := range n.CIDRs {
		p, err := parseCIDR(strings.TrimSpace(c))
		if err != nil {
			return out, fmt.Errorf("network %s: %q is not a CIDR", n.VpcID, c)
		}
		vpcs = append(vpcs, p)
		out.CIDRs = append(out.CIDRs, p.String())
	}
	seen := map[string]bool{}
	for _, s := range n.Subnets {
		if !subnetIDRe.MatchString(s.SubnetID) {
			return out, fmt.Errorf("network %s: subnetId %q: want subnet- followed by 8 or 17 lower-case hex digits", n.VpcID, s.SubnetID)
		}
		if seen[s.SubnetID] {
			return out, fmt.Errorf("network %s: subnet %s appears twice", n.VpcID, s.SubnetID)
		}
		seen[s.SubnetID] = true
		p, err := parseCIDR(strings.TrimSpace(s.CIDR))
		if err != nil {
			return out, fmt.Errorf("network %s: subnet %s: %q is not a CIDR", n.VpcID, s.SubnetID, s.CIDR)
		}
		inside := false
		for _, v := range vpcs {
			if v.Bits() <= p.Bits() && v.Contains(p.Addr()) {
				inside = true
			}
		}
		if !inside {
			return out, fmt.Errorf("network %s: subnet %s (%s) is not inside the VPC's cidrs", n.VpcID, s.SubnetID, p)
		}
		out.Subnets = append(out.Subnets, meta.Subnet{SubnetID: s.SubnetID, CIDR: p.String()})
	}
	for _, c := range n.OnPremCIDRs {
		p, err := parseCIDR(strings.TrimSpace(c))
		if err != nil {
			return out, fmt.Errorf("network %s: onPremCidrs: %q is not a CIDR", n.VpcID, c)
		}
		out.OnPremCIDRs = append(out.OnPremCIDRs, p.String())
	}
	return out, nil
}

// NetworkToJSON is the JSON form of a network.
func NetworkToJSON(n meta.Network) NetworkJSON {
	j := NetworkJSON{VpcID: n.VpcID, Name: n.Name, CIDRs: n.CIDRs, OnPremCIDRs: n.OnPremCIDRs}
	if j.CIDRs == nil {
		j.CIDRs = []string{}
	}
	for _, s := range n.Subnets {
		j.Subnets = append(j.Subnets, SubnetJSON{SubnetID: s.SubnetID, CIDR: s.CIDR})
	}
	return j
}

// ParseNetworks reads a networks file: a JSON array of networks. Unknown
// fields are errors, so a typo does not silently open or close a network.
func ParseNetworks(data []byte) ([]meta.Network, error) {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	var in []NetworkJSON
	if err := dec.Decode(&in); err != nil {
		return nil, fmt.Errorf("want a JSON array of networks ([{\"vpcId\": …, \"cidrs\": […], \"subnets\": [{\"subnetId\": …, \"cidr\": …}]}]): %w", err)
	}
	var out []meta.Network
	for _, j := range in {
		n, err := j.Network()
		if err != nil {
			return nil, err
		}
		for _, o := range out {
			if o.VpcID == n.VpcID {
				return nil, fmt.Errorf("network %s is declared twice", n.VpcID)
			}
		}
		if err := SubnetsUnique(out, n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// SubnetsUnique reports an error when a subnet of n already belongs to
// another of nets: an endpoint names its subnet, and the subnet decides
// the endpoint's VPC.
func SubnetsUnique(nets []meta.Network, n meta.Network) error {
	for _, o := range nets {
		if o.VpcID == n.VpcID {
			continue // the network being replaced
		}
		for _, a := range o.Subnets {
			for _, b := range n.Subnets {
				if a.SubnetID == b.SubnetID {
					return fmt.Errorf("subnet %s is in both %s and %s", a.SubnetID, o.VpcID, n.VpcID)
				}
			}
		}
	}
	return nil
}

// writeAdminError sends an error of the networks admin API: JSON with the
// code, message and request ID.
func writeAdminError(rc *reqCtx, e *s3err.Error) {
	body, _ := json.Marshal(map[string]string{"code": e.Code, "message": e.Message, "requestId": rc.id})
	h := rc.w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	rc.w.WriteHeader(e.Status)
	if rc.r.Method != http.MethodHead {
		rc.w.Write(body)
	}
}

var (
	errNetworkConflict = &s3err.Error{Code: "Conflict", Status: http.StatusConflict, Message: "The network is in use."}
	errNetworkInvalid  = &s3err.Error{Code: "InvalidNetwork", Status: http.StatusBadRequest, Message: "The network is not valid."}
	errNoSuchNetwork   = &s3err.Error{Code: "NoSuchNetwork", Status: http.StatusNotFound, Message: "The specified network does not exist."}
)

func (s *Server) adminNetworks(rc *reqCtx) error {
	// The body is small: read it first, and, when the client signed it
	// without sending X-Amz-Content-Sha256 (curl --aws-sigv4 before 8.3,
	// generic SigV4 signers), supply the header so the signature covers
	// the hash of the body actually received.
	body, tooLarge, err := readSmallBody(rc.r, maxNetworkBody)
	switch {
	case err != nil:
		return err
	case tooLarge:
		return errNetworkInvalid.WithMessage("The network document is larger than 1 MiB.")
	}
	if rc.r.Header.Get("Authorization") != "" {
		supplyPayloadHash(rc.r, body)
	}
	if err := s.authenticate(rc); err != nil {
		return err
	}
	ctx := rc.r.Context()
	sub := strings.TrimPrefix(strings.TrimPrefix(rc.key, adminNetworksPath), "/")
	if sub == "origin" && rc.r.Method == http.MethodGet {
		if rc.principal.Anonymous() {
			return s3err.AccessDenied
		}
		o := rc.origin()
		return rc.writeJSON(map[string]any{
			"sourceIp": rc.clientIP().String(), "vpcId": o.vpc, "endpointId": o.vpce(), "onPremises": o.onPrem,
		})
	}
	if p := rc.principal; !p.IsRoot() || p.Account != s.cfg.AccountID {
		return s3err.AccessDenied.WithMessage("Only the root user of the server's owning account (" + s.cfg.AccountID + ") may manage networks.")
	}
	st := s.cfg.Meta
	if strings.Contains(sub, "/") {
		return errNoSuchNetwork
	}
	switch {
	case sub == "" && rc.r.Method == http.MethodGet:
		nets, err := st.ListNetworks(ctx)
		if err != nil {
			return err
		}
		out := []NetworkJSON{}
		for _, n := range nets {
			out = append(out, NetworkToJSON(n))
		}
		return rc.writeJSON(map[string]any{"networks": out})
	case sub == "":
		return s3err.MethodNotAllowed
	case rc.r.Method == http.MethodGet:
		n, err := st.GetNetwork(ctx, sub)
		if errors.Is(err, meta.ErrNoSuchNetwork) {
			return errNoSuchNetwork.WithMessage("Network " + sub + " does not exist.")
		}
		if err != nil {
			return err
		}
		return rc.writeJSON(NetworkToJSON(n))
	case rc.r.Method == http.MethodPut:
		return s.putNetwork(rc, st, sub)
	case rc.r.Method == http.MethodDelete:
		eps, err := st.ListEndpoints(ctx, "", "")
		if err != nil {
			return err
		}
		for _, e := range eps {
			if e.VpcID == sub {
				return errNetworkConflict.WithMessage("Endpoint " + e.ID + " connects " + sub + " to outpost " + e.OutpostID + "; delete it first (s3outposts DeleteEndpoint).")
			}
		}
		if err := st.DeleteNetwork(ctx, sub); errors.Is(err, meta.ErrNoSuchNetwork) {
			return errNoSuchNetwork.WithMessage("Network " + sub + " does not exist.")
		} else if err != nil {
			return err
		}
		s.log.Info("network deleted", "vpc", sub, "by", rc.principal.ARN)
		return rc.noContent()
	}
	return s3err.MethodNotAllowed
}

// maxNetworkBody bounds a network document (generous: thousands of CIDRs).
const maxNetworkBody = 1 << 20

func (s *Server) putNetwork(rc *reqCtx, st meta.OutpostsStore, vpcID string) error {
	ctx := rc.r.Context()
	body, err := io.ReadAll(rc.body())
	if err != nil {
		return err
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	var j NetworkJSON
	if err := dec.Decode(&j); err != nil {
		return errNetworkInvalid.WithMessage("The body is not a network document: " + err.Error())
	}
	if j.VpcID == "" {
		j.VpcID = vpcID
	}
	if j.VpcID != vpcID {
		return errNetworkInvalid.WithMessage("The body's vpcId " + j.VpcID + " differs from the path's " + vpcID + ".")
	}
	n, err := j.Network()
	if err != nil {
		return errNetworkInvalid.WithMessage(err.Error())
	}
	nets, err := st.ListNetworks(ctx)
	if err != nil {
		return err
	}
	if err := SubnetsUnique(nets, n); err != nil {
		return errNetworkConflict.WithMessage(err.Error())
	}
	// An endpoint's subnet must stay: it is how the endpoint joins the VPC.
	eps, err := st.ListEndpoints(ctx, "", "")
	if err != nil {
		return err
	}
	for _, e := range eps {
		if e.VpcID != n.VpcID {
			continue
		}
		kept := false
		for _, sn := range n.Subnets {
			kept = kept || sn.SubnetID == e.SubnetID
		}
		if !kept {
			return errNetworkConflict.WithMessage("Endpoint " + e.ID + " uses subnet " + e.SubnetID + "; keep the subnet or delete the endpoint first.")
		}
	}
	if err := st.PutNetwork(ctx, n); err != nil {
		return err
	}
	s.log.Info("network declared", "vpc", n.VpcID, "cidrs", strings.Join(n.CIDRs, ","), "by", rc.principal.ARN)
	return rc.writeJSON(NetworkToJSON(n))
}
