package app

import (
	"context"
	"errors"
	"fmt"
	"github.com/outpost-s3/outpost/internal/iam"
	"os"

	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/server"
)

// The default network: a fresh install declares the loopback addresses as
// one VPC with an endpoint on the outpost, so the quick start (clients on
// the same machine) reaches access points bound to it with no setup.
const (
	DefaultVpcID           = "vpc-00000000000000001"
	DefaultVpcName         = "loopback"
	DefaultSubnetID        = "subnet-00000000000000001"
	DefaultSubnet6ID       = "subnet-00000000000000002"
	DefaultSecurityGroupID = "sg-00000000000000001"
)

// defaultNetwork is the loopback VPC.
func defaultNetwork() meta.Network {
	return meta.Network{
		VpcID: DefaultVpcID, Name: DefaultVpcName,
		CIDRs: []string{"127.0.0.0/8", "::1/128"},
		Subnets: []meta.Subnet{
			{SubnetID: DefaultSubnetID, CIDR: "127.0.0.0/8"},
			{SubnetID: DefaultSubnet6ID, CIDR: "::1/128"},
		},
	}
}

// setupNetworks applies the --networks file (create or replace each
// network in it) and, at the first start only, declares the loopback VPC
// and its endpoint when no network exists by then. A network deleted by
// the operator is never re-created.
func (a *App) setupNetworks(ctx context.Context) error {
	if a.cfg.Networks != "" {
		data, err := os.ReadFile(a.cfg.Networks)
		if err != nil {
			return fmt.Errorf("read the networks file: %w", err)
		}
		nets, err := server.ParseNetworks(data)
		if err != nil {
			return fmt.Errorf("networks file %s: %w", a.cfg.Networks, err)
		}
		have, err := a.Meta.ListNetworks(ctx)
		if err != nil {
			return err
		}
		for _, n := range nets {
			if err := server.SubnetsUnique(have, n); err != nil {
				return fmt.Errorf("networks file %s: %w", a.cfg.Networks, err)
			}
			if err := a.Meta.PutNetwork(ctx, n); err != nil {
				return fmt.Errorf("declare network %s: %w", n.VpcID, err)
			}
			a.log.Info("network declared", "vpc", n.VpcID, "from", a.cfg.Networks)
		}
	}
	if _, err := a.Meta.GetSetting(ctx, "default_network"); err == nil {
		return nil
	} else if !errors.Is(err, meta.ErrNotFound) {
		return err
	}
	have, err := a.Meta.ListNetworks(ctx)
	if err != nil {
		return err
	}
	if len(have) == 0 {
		if err := a.Meta.PutNetwork(ctx, defaultNetwork()); err != nil {
			return fmt.Errorf("declare the loopback network: %w", err)
		}
		e := meta.Endpoint{
			ID: newEndpointID(), Account: a.Identity.AccountID, OutpostID: a.Identity.OutpostID,
			VpcID: DefaultVpcID, SubnetID: DefaultSubnetID, SecurityGroupID: DefaultSecurityGroupID,
			AccessType: server.AccessTypePrivate, CidrBlock: "127.0.0.0/8", Status: "Available", CreatedAt: a.cfg.Now().UTC(),
		}
		if err := a.Meta.CreateEndpoint(ctx, e); err != nil && !errors.Is(err, meta.ErrConflict) {
			return fmt.Errorf("create the loopback endpoint: %w", err)
		}
		a.log.Info("declared the loopback network and its endpoint", "vpc", DefaultVpcID, "endpoint", e.ID)
	}
	_, err = a.Meta.PutSettingIfAbsent(ctx, "default_network", DefaultVpcID)
	return err
}

// newEndpointID returns an S3 on Outposts endpoint ID: 19 lower-case
// alphanumerics.
func newEndpointID() string { return iam.RandomString("abcdefghijklmnopqrstuvwxyz0123456789", 19) }
