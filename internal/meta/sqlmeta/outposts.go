package sqlmeta

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/outpost-s3/outpost/internal/meta"
)

// migration003Outposts adds the S3 on Outposts model: access points,
// declared networks (VPCs) and endpoints.
//
// Access points are keyed by (account, outpost, name) — the identity in
// their ARN — and their alias is unique server-wide because a request
// names an access point by alias alone. There is deliberately no foreign
// key to buckets: whether a bucket with access points may be deleted is
// the API layer's decision, not the store's. A network keeps its CIDRs
// and subnets as JSON: they are read and written whole. One endpoint per
// VPC per outpost is the unique index endpoints_vpc.
const migration003Outposts = `
CREATE TABLE access_points (
	account {{KEY}} NOT NULL,
	outpost_id {{KEY}} NOT NULL,
	name {{KEY}} NOT NULL,
	bucket {{KEY}} NOT NULL,
	alias {{KEY}} NOT NULL,
	vpc_id TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	policy TEXT NOT NULL,
	PRIMARY KEY (account, outpost_id, name)
);
CREATE UNIQUE INDEX access_points_alias ON access_points (alias);
CREATE INDEX access_points_bucket ON access_points (bucket, name);
CREATE TABLE networks (
	vpc_id {{KEY}} PRIMARY KEY,
	name TEXT NOT NULL,
	cidrs TEXT NOT NULL,
	subnets TEXT NOT NULL,
	on_prem_cidrs TEXT NOT NULL
);
CREATE TABLE endpoints (
	id {{KEY}} PRIMARY KEY,
	account {{KEY}} NOT NULL,
	outpost_id {{KEY}} NOT NULL,
	vpc_id {{KEY}} NOT NULL,
	subnet_id TEXT NOT NULL,
	security_group_id TEXT NOT NULL,
	access_type TEXT NOT NULL,
	coip_pool TEXT NOT NULL,
	cidr_block TEXT NOT NULL,
	status TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX endpoints_vpc ON endpoints (outpost_id, vpc_id);
CREATE INDEX endpoints_account ON endpoints (account, outpost_id, id);
`

// ---- access points ----

const accessPointCols = "name, account, outpost_id, bucket, alias, vpc_id, created_at, policy"

func scanAccessPoint(sc interface{ Scan(...any) error }) (meta.AccessPoint, error) {
	var ap meta.AccessPoint
	var created int64
	err := sc.Scan(&ap.Name, &ap.Account, &ap.OutpostID, &ap.Bucket, &ap.Alias, &ap.VpcID, &created, &ap.Policy)
	ap.CreatedAt = fromNanos(created)
	return ap, err
}

// CreateAccessPoint stores a new access point; meta.ErrConflict when the
// account already has one of that name on the outpost, or the alias is taken.
func (s *Store) CreateAccessPoint(ctx context.Context, ap meta.AccessPoint) error {
	return s.CreateAccessPointWithin(ctx, ap, 0)
}

// CreateAccessPointWithin: see meta.OutpostsStore.
func (s *Store) CreateAccessPointWithin(ctx context.Context, ap meta.AccessPoint, max int) error {
	if ap.CreatedAt.IsZero() {
		ap.CreatedAt = time.Now()
	}
	return s.write(ctx, "create access point "+ap.Name, func(c conn) error {
		if err := c.within(max, "access-points/"+ap.Bucket, "SELECT COUNT(*) FROM access_points WHERE bucket = ?", ap.Bucket); err != nil {
			return err
		}
		// No conflict target: either unique key (name or alias) conflicts.
		return insertOnce(c.exec("INSERT INTO access_points ("+accessPointCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
			ap.Name, ap.Account, ap.OutpostID, ap.Bucket, ap.Alias, ap.VpcID, ap.CreatedAt.UnixNano(), ap.Policy))
	})
}

func noSuchAccessPoint(err error) error {
	if errors.Is(err, sql.ErrNoRows) || errors.Is(err, meta.ErrNotFound) {
		return meta.ErrNoSuchAccessPoint
	}
	return err
}

// GetAccessPoint returns an access point, or meta.ErrNoSuchAccessPoint.
func (s *Store) GetAccessPoint(ctx context.Context, account, outpostID, name string) (meta.AccessPoint, error) {
	return cached(s.cache, cacheKey{kind: cacheAccessPoint, a: account, b: outpostID, c: name}, false, func() (meta.AccessPoint, error) {
		ap, err := scanAccessPoint(s.pool(ctx).queryRow("SELECT "+accessPointCols+" FROM access_points WHERE account = ? AND outpost_id = ? AND name = ?",
			account, outpostID, name))
		return ap, s.fail("get access point "+name, noSuchAccessPoint(err))
	})
}

// GetAccessPointByAlias returns the access point with an alias, or
// meta.ErrNoSuchAccessPoint.
func (s *Store) GetAccessPointByAlias(ctx context.Context, alias string) (meta.AccessPoint, error) {
	return cached(s.cache, cacheKey{kind: cacheAccessPointAlias, a: alias}, false, func() (meta.AccessPoint, error) {
		ap, err := scanAccessPoint(s.pool(ctx).queryRow("SELECT "+accessPointCols+" FROM access_points WHERE alias = ?", alias))
		return ap, s.fail("get access point by alias", noSuchAccessPoint(err))
	})
}

// ListAccessPoints lists an account's access points on an outpost by name,
// only those of bucket unless it is "", starting after marker. max <= 0
// means no limit.
func (s *Store) ListAccessPoints(ctx context.Context, account, outpostID, bucket, marker string, max int) ([]meta.AccessPoint, error) {
	q := "SELECT " + accessPointCols + " FROM access_points WHERE account = ? AND outpost_id = ? AND name > ?"
	args := []any{account, outpostID, marker}
	if bucket != "" {
		q += " AND bucket = ?"
		args = append(args, bucket)
	}
	q += " ORDER BY name"
	if max > 0 {
		q += " LIMIT ?"
		args = append(args, max)
	}
	var out []meta.AccessPoint
	err := s.read(ctx, "list access points", func(c conn) error {
		rows, err := c.query(q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			ap, err := scanAccessPoint(rows)
			if err != nil {
				return err
			}
			out = append(out, ap)
		}
		return rows.Err()
	})
	return out, err
}

// DeleteAccessPoint removes an access point; meta.ErrNoSuchAccessPoint if missing.
func (s *Store) DeleteAccessPoint(ctx context.Context, account, outpostID, name string) error {
	return s.write(ctx, "delete access point "+name, func(c conn) error {
		return noSuchAccessPoint(mustAffect(c.exec("DELETE FROM access_points WHERE account = ? AND outpost_id = ? AND name = ?",
			account, outpostID, name)))
	})
}

// SetAccessPointPolicy stores an access point's policy ("" removes it);
// meta.ErrNoSuchAccessPoint if the access point is missing.
func (s *Store) SetAccessPointPolicy(ctx context.Context, account, outpostID, name, policy string) error {
	return s.write(ctx, "set access point policy "+name, func(c conn) error {
		return noSuchAccessPoint(mustAffect(c.exec("UPDATE access_points SET policy = ? WHERE account = ? AND outpost_id = ? AND name = ?",
			policy, account, outpostID, name)))
	})
}

// ---- networks ----

func encodeJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

const networkCols = "vpc_id, name, cidrs, subnets, on_prem_cidrs"

func scanNetwork(sc interface{ Scan(...any) error }) (meta.Network, error) {
	var n meta.Network
	var cidrs, subnets, onPrem string
	if err := sc.Scan(&n.VpcID, &n.Name, &cidrs, &subnets, &onPrem); err != nil {
		return n, err
	}
	for _, f := range []struct {
		text string
		dst  any
	}{{cidrs, &n.CIDRs}, {subnets, &n.Subnets}, {onPrem, &n.OnPremCIDRs}} {
		if err := json.Unmarshal([]byte(f.text), f.dst); err != nil {
			return n, err
		}
	}
	return n, nil
}

// PutNetwork creates or replaces a network.
func (s *Store) PutNetwork(ctx context.Context, n meta.Network) error {
	return s.write(ctx, "put network "+n.VpcID, func(c conn) error {
		_, err := c.exec(`INSERT INTO networks (`+networkCols+`) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (vpc_id) DO UPDATE SET name = excluded.name, cidrs = excluded.cidrs, subnets = excluded.subnets, on_prem_cidrs = excluded.on_prem_cidrs`,
			n.VpcID, n.Name, encodeJSON(n.CIDRs), encodeJSON(n.Subnets), encodeJSON(n.OnPremCIDRs))
		return err
	})
}

// GetNetwork returns a network, or meta.ErrNoSuchNetwork.
func (s *Store) GetNetwork(ctx context.Context, vpcID string) (meta.Network, error) {
	n, err := scanNetwork(s.pool(ctx).queryRow("SELECT "+networkCols+" FROM networks WHERE vpc_id = ?", vpcID))
	if errors.Is(err, sql.ErrNoRows) {
		err = meta.ErrNoSuchNetwork
	}
	return n, s.fail("get network "+vpcID, err)
}

// ListNetworks lists every network by VPC ID.
func (s *Store) ListNetworks(ctx context.Context) ([]meta.Network, error) {
	var out []meta.Network
	err := s.read(ctx, "list networks", func(c conn) error {
		rows, err := c.query("SELECT " + networkCols + " FROM networks ORDER BY vpc_id")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			n, err := scanNetwork(rows)
			if err != nil {
				return err
			}
			out = append(out, n)
		}
		return rows.Err()
	})
	return out, err
}

// DeleteNetwork removes a network; meta.ErrNoSuchNetwork if missing.
// Endpoints and access points naming the VPC are left as they are.
func (s *Store) DeleteNetwork(ctx context.Context, vpcID string) error {
	return s.write(ctx, "delete network "+vpcID, func(c conn) error {
		err := mustAffect(c.exec("DELETE FROM networks WHERE vpc_id = ?", vpcID))
		if errors.Is(err, meta.ErrNotFound) {
			err = meta.ErrNoSuchNetwork
		}
		return err
	})
}

// ---- endpoints ----

const endpointCols = "id, account, outpost_id, vpc_id, subnet_id, security_group_id, access_type, coip_pool, cidr_block, status, created_at"

func scanEndpoint(sc interface{ Scan(...any) error }) (meta.Endpoint, error) {
	var e meta.Endpoint
	var created int64
	err := sc.Scan(&e.ID, &e.Account, &e.OutpostID, &e.VpcID, &e.SubnetID, &e.SecurityGroupID,
		&e.AccessType, &e.CustomerOwnedIPv4Pool, &e.CidrBlock, &e.Status, &created)
	e.CreatedAt = fromNanos(created)
	return e, err
}

// CreateEndpoint stores a new endpoint; meta.ErrConflict when the VPC
// already has an endpoint on the outpost (or the ID is taken).
func (s *Store) CreateEndpoint(ctx context.Context, e meta.Endpoint) error {
	return s.CreateEndpointWithin(ctx, e, 0)
}

// CreateEndpointWithin: see meta.OutpostsStore.
func (s *Store) CreateEndpointWithin(ctx context.Context, e meta.Endpoint, max int) error {
	if e.CreatedAt.IsZero() {
		e.CreatedAt = time.Now()
	}
	return s.write(ctx, "create endpoint", func(c conn) error {
		if err := c.within(max, "endpoints/"+e.OutpostID, "SELECT COUNT(*) FROM endpoints WHERE outpost_id = ?", e.OutpostID); err != nil {
			return err
		}
		return insertOnce(c.exec("INSERT INTO endpoints ("+endpointCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
			e.ID, e.Account, e.OutpostID, e.VpcID, e.SubnetID, e.SecurityGroupID,
			e.AccessType, e.CustomerOwnedIPv4Pool, e.CidrBlock, e.Status, e.CreatedAt.UnixNano()))
	})
}

// GetEndpoint returns an endpoint, or meta.ErrNoSuchEndpoint.
func (s *Store) GetEndpoint(ctx context.Context, id string) (meta.Endpoint, error) {
	e, err := scanEndpoint(s.pool(ctx).queryRow("SELECT "+endpointCols+" FROM endpoints WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		err = meta.ErrNoSuchEndpoint
	}
	return e, s.fail("get endpoint", err)
}

// ListEndpoints lists an account's endpoints on an outpost (every outpost
// when outpostID is ""; every account when account is "") by ID.
func (s *Store) ListEndpoints(ctx context.Context, account, outpostID string) ([]meta.Endpoint, error) {
	q := "SELECT " + endpointCols + " FROM endpoints WHERE 1 = 1"
	var args []any
	if account != "" {
		q += " AND account = ?"
		args = append(args, account)
	}
	if outpostID != "" {
		q += " AND outpost_id = ?"
		args = append(args, outpostID)
	}
	q += " ORDER BY id"
	var out []meta.Endpoint
	err := s.read(ctx, "list endpoints", func(c conn) error {
		rows, err := c.query(q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanEndpoint(rows)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

// DeleteEndpoint removes an endpoint; meta.ErrNoSuchEndpoint if missing.
func (s *Store) DeleteEndpoint(ctx context.Context, id string) error {
	return s.write(ctx, "delete endpoint", func(c conn) error {
		err := mustAffect(c.exec("DELETE FROM endpoints WHERE id = ?", id))
		if errors.Is(err, meta.ErrNotFound) {
			err = meta.ErrNoSuchEndpoint
		}
		return err
	})
}
