package server

import (
	"context"
	"net/netip"
	"sort"
	"sync"
	"time"

	"github.com/outpost-s3/outpost/internal/meta"
)

// Networks are Outpost's stand-in for VPCs (meta.Network): named sets of
// CIDRs. A request's source address (clientIP) decides which network it
// comes from, and so aws:SourceVpc; the S3 on Outposts endpoint of that
// network on this outpost, if there is one, is aws:SourceVpce. An access
// point bound to a VPC serves only requests that arrive through an
// endpoint of that VPC (accesspoint.go).
//
// Real VPCs on one outpost never overlap. Declared networks may (the
// default loopback network covers all of 127.0.0.0/8), so the most
// specific CIDR wins. An address in no network's CIDRs but in a network's
// OnPremCIDRs arrives through that network's endpoint only when the
// endpoint is of type CustomerOwnedIp: a Private endpoint is not reachable
// from the on-premises network
// (https://docs.aws.amazon.com/AmazonS3/latest/s3-outposts/S3OutpostsNetworking.html).

// Endpoint access types (the s3outposts EndpointAccessType enum).
const (
	AccessTypePrivate         = "Private"
	AccessTypeCustomerOwnedIP = "CustomerOwnedIp"
)

// netCacheTTL bounds how stale the network table of one node may be after
// another node changed it. Changes made through this node (its admin API,
// its s3outposts API) take effect at once.
const netCacheTTL = time.Second

// netIndex is a snapshot of the networks and of this outpost's endpoints,
// ready for address lookups.
type netIndex struct {
	vpcs   []netRange // most specific first
	onPrem []netRange // most specific first
	// endpoints maps a VPC ID to its available endpoint on this outpost.
	endpoints map[string]meta.Endpoint
}

type netRange struct {
	p   netip.Prefix
	vpc string
}

// origin is where a request came from.
type origin struct {
	vpc      string         // aws:SourceVpc; "" when in no declared network
	endpoint *meta.Endpoint // the endpoint it came through; nil when none
	onPrem   bool           // from a VPC's on-premises range, through a CustomerOwnedIp endpoint
}

// vpce is aws:SourceVpce: the endpoint ID, "" when none.
func (o origin) vpce() string {
	if o.endpoint == nil {
		return ""
	}
	return o.endpoint.ID
}

// lookup finds the origin of a source address.
func (ix *netIndex) lookup(ip netip.Addr) origin {
	if !ip.IsValid() {
		return origin{}
	}
	ip = ip.Unmap()
	for _, r := range ix.vpcs {
		if r.p.Contains(ip) {
			o := origin{vpc: r.vpc}
			if e, ok := ix.endpoints[r.vpc]; ok {
				o.endpoint = &e
			}
			return o
		}
	}
	for _, r := range ix.onPrem {
		if !r.p.Contains(ip) {
			continue
		}
		if e, ok := ix.endpoints[r.vpc]; ok && e.AccessType == AccessTypeCustomerOwnedIP {
			return origin{vpc: r.vpc, endpoint: &e, onPrem: true}
		}
	}
	return origin{}
}

// buildNetIndex indexes networks and the endpoints of one outpost.
func buildNetIndex(nets []meta.Network, eps []meta.Endpoint, outpostID string) *netIndex {
	ix := &netIndex{endpoints: make(map[string]meta.Endpoint)}
	add := func(dst *[]netRange, cidr, vpc string) {
		p, err := parseCIDR(cidr)
		if err == nil {
			*dst = append(*dst, netRange{p, vpc})
		}
	}
	for _, n := range nets {
		for _, c := range n.CIDRs {
			add(&ix.vpcs, c, n.VpcID)
		}
		for _, c := range n.OnPremCIDRs {
			add(&ix.onPrem, c, n.VpcID)
		}
	}
	specificFirst := func(rs []netRange) {
		sort.SliceStable(rs, func(i, j int) bool { return rs[i].p.Bits() > rs[j].p.Bits() })
	}
	specificFirst(ix.vpcs)
	specificFirst(ix.onPrem)
	for _, e := range eps {
		if e.OutpostID != outpostID || (e.Status != "" && e.Status != "Available") {
			continue
		}
		ix.endpoints[e.VpcID] = e
	}
	return ix
}

// parseCIDR parses a CIDR or a single address (as a /32 or /128).
func parseCIDR(s string) (netip.Prefix, error) {
	if a, err := netip.ParseAddr(s); err == nil {
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p.Masked(), nil
}

// netCache holds the current netIndex for netCacheTTL.
type netCache struct {
	mu      sync.Mutex
	ix      *netIndex
	loaded  time.Time
	version uint64 // bumped by invalidate; a load started before is not kept
}

func (c *netCache) invalidate() {
	c.mu.Lock()
	c.ix = nil
	c.version++
	c.mu.Unlock()
}

// networks returns the network index, reading the store at most once per
// netCacheTTL.
func (s *Server) networks(ctx context.Context) (*netIndex, error) {
	c := &s.nets
	now := time.Now()
	c.mu.Lock()
	if c.ix != nil && now.Sub(c.loaded) < netCacheTTL {
		ix := c.ix
		c.mu.Unlock()
		return ix, nil
	}
	v := c.version
	c.mu.Unlock()
	st := s.cfg.Meta
	nets, err := st.ListNetworks(ctx)
	if err != nil {
		return nil, err
	}
	eps, err := st.ListEndpoints(ctx, "", s.cfg.OutpostID)
	if err != nil {
		return nil, err
	}
	ix := buildNetIndex(nets, eps, s.cfg.OutpostID)
	c.mu.Lock()
	if c.version == v {
		c.ix, c.loaded = ix, now
	}
	c.mu.Unlock()
	return ix, nil
}

// invalidatingStore is the metadata store as the server uses it: a change
// to networks or endpoints drops the cached network index, so it applies
// to the next request on this node.
type invalidatingStore struct {
	meta.Store
	c *netCache
}

func (s invalidatingStore) PutNetwork(ctx context.Context, n meta.Network) error {
	defer s.c.invalidate()
	return s.Store.PutNetwork(ctx, n)
}

func (s invalidatingStore) DeleteNetwork(ctx context.Context, vpcID string) error {
	defer s.c.invalidate()
	return s.Store.DeleteNetwork(ctx, vpcID)
}

func (s invalidatingStore) CreateEndpoint(ctx context.Context, e meta.Endpoint) error {
	defer s.c.invalidate()
	return s.Store.CreateEndpoint(ctx, e)
}

func (s invalidatingStore) CreateEndpointWithin(ctx context.Context, e meta.Endpoint, max int) error {
	defer s.c.invalidate()
	return s.Store.CreateEndpointWithin(ctx, e, max)
}

func (s invalidatingStore) DeleteEndpoint(ctx context.Context, id string) error {
	defer s.c.invalidate()
	return s.Store.DeleteEndpoint(ctx, id)
}

// initNetworks routes the server's metadata writes through the network
// cache.
func (s *Server) initNetworks() {
	s.cfg.Meta = invalidatingStore{Store: s.cfg.Meta, c: &s.nets}
}

// NetworksChanged drops the cached network table, for callers that change
// networks or endpoints in the metadata store directly.
func (s *Server) NetworksChanged() { s.nets.invalidate() }

// origin returns where the request came from, computed once per request.
// A metadata error is logged and treated as "from no network", which can
// only deny: VPC-bound access points refuse such a request, and policy
// conditions on aws:SourceVpc do not match.
func (rc *reqCtx) origin() origin {
	if rc.org != nil {
		return *rc.org
	}
	ix, err := rc.s.networks(rc.r.Context())
	if err != nil {
		rc.s.log.Error("read networks", "request_id", rc.id, "error", err)
		ix = &netIndex{}
	}
	o := ix.lookup(rc.clientIP())
	rc.org = &o
	return o
}

// sourceVpc is aws:SourceVpc: the VPC (declared network) the request came
// from, "" when its source address is in none.
func (rc *reqCtx) sourceVpc() string { return rc.origin().vpc }

// sourceVpce is aws:SourceVpce: the ID of the S3 on Outposts endpoint the
// request came through (the endpoint of its VPC on this outpost), "" when
// none.
func (rc *reqCtx) sourceVpce() string { return rc.origin().vpce() }
