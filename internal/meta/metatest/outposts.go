package metatest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/outpost-s3/outpost/internal/meta"
)

// RunOutposts runs the conformance suite of the S3 on Outposts part of
// meta.Store against stores made by open, which must return an empty
// store and arrange for it to be closed when t ends.
func RunOutposts(t *testing.T, open func(t *testing.T) meta.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s meta.Store)
	}{
		{"access points are unique by name and alias", testAccessPoints},
		{"access points list by name, per bucket, in pages", testListAccessPoints},
		{"access point policies are set and removed", testAccessPointPolicy},
		{"networks are created, replaced and deleted", testNetworks},
		{"one endpoint per VPC per outpost", testEndpoints},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

const (
	acct    = "111122223333"
	acct2   = "444455556666"
	outpost = "op-01ac5d28a6a232904"
)

func testAccessPoints(t *testing.T, s meta.Store) {
	must(t, s.CreateBucket(ctx, meta.Bucket{Name: "b1", Account: acct, OutpostID: outpost}))
	created := time.Unix(1700000000, 123).UTC()
	ap := meta.AccessPoint{Name: "ap1", Account: acct, OutpostID: outpost, Bucket: "b1", Alias: "ap1-abc--op-s3", VpcID: "vpc-1", CreatedAt: created}
	must(t, s.CreateAccessPoint(ctx, ap))
	wantErr(t, "same name", s.CreateAccessPoint(ctx, meta.AccessPoint{Name: "ap1", Account: acct, OutpostID: outpost, Bucket: "b1", Alias: "other--op-s3"}), meta.ErrConflict)
	wantErr(t, "same alias", s.CreateAccessPoint(ctx, meta.AccessPoint{Name: "ap2", Account: acct, OutpostID: outpost, Bucket: "b1", Alias: ap.Alias}), meta.ErrConflict)
	// The same name in another account or on another outpost is another access point.
	must(t, s.CreateAccessPoint(ctx, meta.AccessPoint{Name: "ap1", Account: acct2, OutpostID: outpost, Bucket: "b1", Alias: "a2--op-s3"}))
	must(t, s.CreateAccessPoint(ctx, meta.AccessPoint{Name: "ap1", Account: acct, OutpostID: "op-0000000000000000f", Bucket: "b1", Alias: "a3--op-s3"}))

	got, err := s.GetAccessPoint(ctx, acct, outpost, "ap1")
	must(t, err)
	if got.Bucket != "b1" || got.Alias != ap.Alias || got.VpcID != "vpc-1" || !got.CreatedAt.Equal(created) || got.Policy != "" {
		t.Fatalf("GetAccessPoint = %+v", got)
	}
	got, err = s.GetAccessPointByAlias(ctx, ap.Alias)
	must(t, err)
	if got.Name != "ap1" || got.Account != acct || got.OutpostID != outpost {
		t.Fatalf("GetAccessPointByAlias = %+v", got)
	}
	_, err = s.GetAccessPoint(ctx, acct, outpost, "nope")
	wantErr(t, "GetAccessPoint missing", err, meta.ErrNoSuchAccessPoint)
	_, err = s.GetAccessPointByAlias(ctx, "nope--op-s3")
	wantErr(t, "GetAccessPointByAlias missing", err, meta.ErrNoSuchAccessPoint)

	must(t, s.DeleteAccessPoint(ctx, acct, outpost, "ap1"))
	wantErr(t, "DeleteAccessPoint twice", s.DeleteAccessPoint(ctx, acct, outpost, "ap1"), meta.ErrNoSuchAccessPoint)
	_, err = s.GetAccessPointByAlias(ctx, ap.Alias)
	wantErr(t, "alias of a deleted access point", err, meta.ErrNoSuchAccessPoint)
	if _, err := s.GetAccessPoint(ctx, acct2, outpost, "ap1"); err != nil {
		t.Fatalf("the other account's ap1 went too: %v", err)
	}
	// A deleted name and alias can be used again.
	must(t, s.CreateAccessPoint(ctx, ap))
}

func testListAccessPoints(t *testing.T, s meta.Store) {
	var want []string
	for i := range 7 {
		bucket := "b1"
		if i%2 == 1 {
			bucket = "b2"
		}
		name := fmt.Sprintf("ap%02d", 6-i) // created out of order
		must(t, s.CreateAccessPoint(ctx, meta.AccessPoint{Name: name, Account: acct, OutpostID: outpost, Bucket: bucket, Alias: name + "--op-s3"}))
		want = append(want, name)
	}
	must(t, s.CreateAccessPoint(ctx, meta.AccessPoint{Name: "zz", Account: acct2, OutpostID: outpost, Bucket: "b1", Alias: "zz--op-s3"}))
	slices.Sort(want)
	names := func(aps []meta.AccessPoint) []string {
		var out []string
		for _, ap := range aps {
			out = append(out, ap.Name)
		}
		return out
	}
	all, err := s.ListAccessPoints(ctx, acct, outpost, "", "", 0)
	must(t, err)
	if !slices.Equal(names(all), want) {
		t.Fatalf("ListAccessPoints = %v, want %v", names(all), want)
	}
	var paged []string
	marker := ""
	for {
		page, err := s.ListAccessPoints(ctx, acct, outpost, "", marker, 3)
		must(t, err)
		if len(page) > 3 {
			t.Fatalf("page of %d > max 3", len(page))
		}
		if len(page) == 0 {
			break
		}
		paged = append(paged, names(page)...)
		marker = page[len(page)-1].Name
	}
	if !slices.Equal(paged, want) {
		t.Fatalf("paged = %v, want %v", paged, want)
	}
	b2, err := s.ListAccessPoints(ctx, acct, outpost, "b2", "", 0)
	must(t, err)
	if got := names(b2); !slices.Equal(got, []string{"ap01", "ap03", "ap05"}) {
		t.Fatalf("bucket b2 = %v", got)
	}
	none, err := s.ListAccessPoints(ctx, acct, "op-0000000000000000f", "", "", 0)
	must(t, err)
	if len(none) != 0 {
		t.Fatalf("other outpost = %v", names(none))
	}
}

func testAccessPointPolicy(t *testing.T, s meta.Store) {
	must(t, s.CreateAccessPoint(ctx, meta.AccessPoint{Name: "ap", Account: acct, OutpostID: outpost, Bucket: "b", Alias: "ap--op-s3"}))
	const doc = `{"Version":"2012-10-17","Statement":[]}`
	must(t, s.SetAccessPointPolicy(ctx, acct, outpost, "ap", doc))
	if got, _ := s.GetAccessPoint(ctx, acct, outpost, "ap"); got.Policy != doc {
		t.Fatalf("policy = %q", got.Policy)
	}
	if got, _ := s.GetAccessPointByAlias(ctx, "ap--op-s3"); got.Policy != doc {
		t.Fatalf("policy by alias = %q", got.Policy)
	}
	must(t, s.SetAccessPointPolicy(ctx, acct, outpost, "ap", ""))
	if got, _ := s.GetAccessPoint(ctx, acct, outpost, "ap"); got.Policy != "" {
		t.Fatalf("policy after delete = %q", got.Policy)
	}
	wantErr(t, "policy of a missing access point", s.SetAccessPointPolicy(ctx, acct, outpost, "nope", doc), meta.ErrNoSuchAccessPoint)
}

func testNetworks(t *testing.T, s meta.Store) {
	n := meta.Network{VpcID: "vpc-0123456789abcdef0", Name: "lab", CIDRs: []string{"10.0.0.0/16"},
		Subnets:     []meta.Subnet{{SubnetID: "subnet-1", CIDR: "10.0.1.0/24"}, {SubnetID: "subnet-2", CIDR: "10.0.2.0/24"}},
		OnPremCIDRs: []string{"192.168.0.0/24"}}
	must(t, s.PutNetwork(ctx, n))
	must(t, s.PutNetwork(ctx, meta.Network{VpcID: "vpc-a", CIDRs: []string{"172.16.0.0/12"}}))
	got, err := s.GetNetwork(ctx, n.VpcID)
	must(t, err)
	if got.Name != "lab" || !slices.Equal(got.CIDRs, n.CIDRs) || !slices.Equal(got.Subnets, n.Subnets) || !slices.Equal(got.OnPremCIDRs, n.OnPremCIDRs) {
		t.Fatalf("GetNetwork = %+v", got)
	}
	n.Subnets = n.Subnets[:1]
	n.Name = "lab2"
	must(t, s.PutNetwork(ctx, n))
	got, _ = s.GetNetwork(ctx, n.VpcID)
	if got.Name != "lab2" || len(got.Subnets) != 1 {
		t.Fatalf("replaced network = %+v", got)
	}
	all, err := s.ListNetworks(ctx)
	must(t, err)
	if len(all) != 2 || all[0].VpcID != "vpc-0123456789abcdef0" || all[1].VpcID != "vpc-a" || len(all[1].Subnets) != 0 {
		t.Fatalf("ListNetworks = %+v", all)
	}
	must(t, s.DeleteNetwork(ctx, "vpc-a"))
	wantErr(t, "DeleteNetwork twice", s.DeleteNetwork(ctx, "vpc-a"), meta.ErrNoSuchNetwork)
	_, err = s.GetNetwork(ctx, "vpc-a")
	wantErr(t, "GetNetwork missing", err, meta.ErrNoSuchNetwork)
}

func testEndpoints(t *testing.T, s meta.Store) {
	created := time.Unix(1700000000, 0).UTC()
	e := meta.Endpoint{ID: "ec2aaaaaaaaaaaaaaaa", Account: acct, OutpostID: outpost, VpcID: "vpc-1", SubnetID: "subnet-1",
		SecurityGroupID: "sg-1", AccessType: "CustomerOwnedIp", CustomerOwnedIPv4Pool: "ipv4pool-coip-1",
		CidrBlock: "10.0.1.0/24", Status: "Available", CreatedAt: created}
	must(t, s.CreateEndpoint(ctx, e))
	dup := e
	dup.ID = "ec2bbbbbbbbbbbbbbbb"
	wantErr(t, "second endpoint of the VPC", s.CreateEndpoint(ctx, dup), meta.ErrConflict)
	dup.OutpostID = "op-0000000000000000f"
	must(t, s.CreateEndpoint(ctx, dup)) // the same VPC on another outpost
	again := e
	again.VpcID = "vpc-2"
	wantErr(t, "same ID", s.CreateEndpoint(ctx, again), meta.ErrConflict)
	must(t, s.CreateEndpoint(ctx, meta.Endpoint{ID: "ec2ccccccccccccccccc", Account: acct2, OutpostID: outpost, VpcID: "vpc-3", AccessType: "Private", Status: "Available"}))

	got, err := s.GetEndpoint(ctx, e.ID)
	must(t, err)
	if got != e {
		t.Fatalf("GetEndpoint = %+v, want %+v", got, e)
	}
	_, err = s.GetEndpoint(ctx, "nope")
	wantErr(t, "GetEndpoint missing", err, meta.ErrNoSuchEndpoint)

	ids := func(es []meta.Endpoint) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	list, err := s.ListEndpoints(ctx, acct, outpost)
	must(t, err)
	if got := ids(list); !slices.Equal(got, []string{e.ID}) {
		t.Fatalf("ListEndpoints(acct, outpost) = %v", got)
	}
	list, err = s.ListEndpoints(ctx, acct, "")
	must(t, err)
	if got := ids(list); !slices.Equal(got, []string{e.ID, dup.ID}) {
		t.Fatalf("ListEndpoints(acct, all) = %v", got)
	}
	list, err = s.ListEndpoints(ctx, "", outpost)
	must(t, err)
	if len(list) != 2 {
		t.Fatalf("ListEndpoints(all, outpost) = %v", ids(list))
	}
	must(t, s.DeleteEndpoint(ctx, e.ID))
	wantErr(t, "DeleteEndpoint twice", s.DeleteEndpoint(ctx, e.ID), meta.ErrNoSuchEndpoint)
	// Once deleted, the VPC may have an endpoint again.
	e.ID = "ec2dddddddddddddddd"
	must(t, s.CreateEndpoint(ctx, e))
}
