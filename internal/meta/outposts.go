package meta

import (
	"context"
	"errors"
	"time"
)

// Errors of the S3 on Outposts model.
var (
	ErrNoSuchAccessPoint = errors.New("meta: no such access point")
	ErrNoSuchEndpoint    = errors.New("meta: no such endpoint")
	ErrNoSuchNetwork     = errors.New("meta: no such network")
)

// AccessPoint is an S3 on Outposts access point: the way data requests
// reach a bucket, from one network (VPC).
type AccessPoint struct {
	Name      string // 3–50 chars, unique per account and outpost
	Account   string // owner account (the bucket owner's)
	OutpostID string
	Bucket    string // bucket name (unique server-wide)
	Alias     string // immutable, generated at creation, unique server-wide
	// VpcID is the network requests must arrive from ("" means any network).
	VpcID     string
	CreatedAt time.Time
	// Policy is the access point policy JSON ("" when none).
	Policy string
}

// Network is a declared VPC: a named set of CIDRs (our stand-in for a VPC)
// with its subnets.
type Network struct {
	VpcID   string   // "vpc-" + 17 hex, or an operator-chosen ID
	Name    string   // optional label
	CIDRs   []string // the VPC's address ranges
	Subnets []Subnet
	// OnPremCIDRs are the customer-owned (on-premises) ranges that
	// CustomerOwnedIp endpoints of this VPC also admit.
	OnPremCIDRs []string
}

// Subnet is a CIDR inside a Network.
type Subnet struct {
	SubnetID string // "subnet-" + 17 hex
	CIDR     string
}

// Endpoint is an S3 on Outposts endpoint: it makes a VPC reach the outpost.
type Endpoint struct {
	ID                    string // 19 alphanumeric characters
	Account               string
	OutpostID             string
	VpcID                 string
	SubnetID              string
	SecurityGroupID       string
	AccessType            string // "Private" or "CustomerOwnedIp"
	CustomerOwnedIPv4Pool string
	CidrBlock             string // the subnet's CIDR
	Status                string // "Available"
	CreatedAt             time.Time
}

// OutpostsStore is the part of Store that holds the S3 on Outposts model:
// access points, networks and endpoints.
type OutpostsStore interface {
	CreateAccessPoint(ctx context.Context, ap AccessPoint) error // ErrConflict when the name or alias exists
	// CreateAccessPointWithin is CreateAccessPoint, refused with
	// ErrLimitExceeded when ap.Bucket already has max access points
	// (counted in the insert's transaction; max <= 0: no limit).
	CreateAccessPointWithin(ctx context.Context, ap AccessPoint, max int) error
	GetAccessPoint(ctx context.Context, account, outpostID, name string) (AccessPoint, error)
	GetAccessPointByAlias(ctx context.Context, alias string) (AccessPoint, error)
	// ListAccessPoints lists an account's access points on an outpost,
	// optionally only those of one bucket, in name order after marker.
	ListAccessPoints(ctx context.Context, account, outpostID, bucket, marker string, max int) ([]AccessPoint, error)
	DeleteAccessPoint(ctx context.Context, account, outpostID, name string) error
	SetAccessPointPolicy(ctx context.Context, account, outpostID, name, policy string) error // "" deletes

	PutNetwork(ctx context.Context, n Network) error // create or replace
	GetNetwork(ctx context.Context, vpcID string) (Network, error)
	ListNetworks(ctx context.Context) ([]Network, error)
	DeleteNetwork(ctx context.Context, vpcID string) error

	CreateEndpoint(ctx context.Context, e Endpoint) error // ErrConflict when the VPC already has one on the outpost
	// CreateEndpointWithin is CreateEndpoint, refused with ErrLimitExceeded
	// when e.OutpostID already has max endpoints (counted in the insert's
	// transaction; max <= 0: no limit).
	CreateEndpointWithin(ctx context.Context, e Endpoint, max int) error
	GetEndpoint(ctx context.Context, id string) (Endpoint, error)
	ListEndpoints(ctx context.Context, account, outpostID string) ([]Endpoint, error) // outpostID "" lists all
	DeleteEndpoint(ctx context.Context, id string) error
}
