package server

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/outpost-s3/outpost/internal/meta"
)

func TestParseAccessPointHost(t *testing.T) {
	const alias = "example-outp-o01ac5d28a6a232904e8xz5w8ijx1qzlbp3i3kuse10--op-s3"
	for _, tc := range []struct {
		name, host string
		want       apAddress
		ok         bool
	}{
		{"an ARN host on localhost", "my-ap-111122223333.op-01ac5d28a6a232904.localhost",
			apAddress{name: "my-ap", account: "111122223333", outpost: "op-01ac5d28a6a232904"}, true},
		{"an ARN host on the AWS domain", "my-ap-111122223333.op-01ac5d28a6a232904.s3-outposts.us-east-1.amazonaws.com",
			apAddress{name: "my-ap", account: "111122223333", outpost: "op-01ac5d28a6a232904"}, true},
		{"a name with many hyphens splits at the last", "a-b-c-111122223333.op-01ac5d28a6a232904.example.internal",
			apAddress{name: "a-b-c", account: "111122223333", outpost: "op-01ac5d28a6a232904"}, true},
		{"a name ending in digits keeps them", "ap-123-111122223333.op-01ac5d28a6a232904.localhost",
			apAddress{name: "ap-123", account: "111122223333", outpost: "op-01ac5d28a6a232904"}, true},
		{"an alias host of a rack", alias + ".op-01ac5d28a6a232904.localhost",
			apAddress{alias: alias, outpost: "op-01ac5d28a6a232904"}, true},
		{"an alias host of a server", alias + ".ec2.localhost", apAddress{alias: alias, outpost: "ec2"}, true},
		{"a plain virtual-hosted bucket is not one", "mybucket.s3.example.internal", apAddress{}, false},
		{"no endpoint host after the outpost", "my-ap-111122223333.op-01ac5d28a6a232904", apAddress{}, false},
		{"an account of 11 digits", "my-ap-11112222333.op-01ac5d28a6a232904.localhost", apAddress{}, false},
		{"no account", "myap.op-01ac5d28a6a232904.localhost", apAddress{}, false},
		{"a name too short", "ab-111122223333.op-01ac5d28a6a232904.localhost", apAddress{}, false},
		{"a bad outpost ID", "my-ap-111122223333.op-xyz.localhost", apAddress{}, false},
		{"localhost itself", "localhost", apAddress{}, false},
		{"an IP address", "127.0.0.1", apAddress{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseAccessPointHost(tc.host)
			if ok != tc.ok || got != tc.want {
				t.Errorf("parseAccessPointHost(%q) = %+v, %v; want %+v, %v", tc.host, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestParseAccessPointARNPath(t *testing.T) {
	const arnAP = "arn:aws:s3-outposts:us-east-1:111122223333:outpost/op-01ac5d28a6a232904/accesspoint/my-ap"
	// target splits the decoded path at the first '/'.
	split := func(p string) (string, string) {
		for i := 0; i < len(p); i++ {
			if p[i] == '/' {
				return p[:i], p[i+1:]
			}
		}
		return p, ""
	}
	b, k := split(arnAP + "/dir/a b.txt")
	a, bucket, key, ok := parseAccessPointARNPath(b, k)
	if !ok || a.name != "my-ap" || a.account != "111122223333" || a.outpost != "op-01ac5d28a6a232904" || bucket != "" || key != "dir/a b.txt" {
		t.Errorf("access point ARN path: %+v %q %q %v", a, bucket, key, ok)
	}
	b, k = split(arnAP)
	if _, _, key, ok := parseAccessPointARNPath(b, k); !ok || key != "" {
		t.Errorf("access point ARN without key: %q %v", key, ok)
	}
	b, k = split("arn:aws:s3-outposts:us-east-1:111122223333:outpost/op-01ac5d28a6a232904/bucket/data/x")
	if _, bucket, key, ok := parseAccessPointARNPath(b, k); !ok || bucket != "data" || key != "x" {
		t.Errorf("bucket ARN path: %q %q %v", bucket, key, ok)
	}
	if _, _, _, ok := parseAccessPointARNPath("mybucket", "key"); ok {
		t.Error("a plain bucket parsed as an ARN")
	}
}

func TestNetIndexLookup(t *testing.T) {
	const outpost = "op-01ac5d28a6a232904"
	nets := []meta.Network{
		{VpcID: "vpc-loop", CIDRs: []string{"127.0.0.0/8", "::1/128"}},
		{VpcID: "vpc-a", CIDRs: []string{"127.0.0.2/32"}, OnPremCIDRs: []string{"127.0.0.4/32"}},
		{VpcID: "vpc-b", CIDRs: []string{"127.0.0.3"}, OnPremCIDRs: []string{"127.0.0.5/32"}},
		{VpcID: "vpc-noendpoint", CIDRs: []string{"10.9.0.0/16"}},
	}
	eps := []meta.Endpoint{
		{ID: "eloop", OutpostID: outpost, VpcID: "vpc-loop", AccessType: AccessTypePrivate, Status: "Available"},
		{ID: "ea", OutpostID: outpost, VpcID: "vpc-a", AccessType: AccessTypeCustomerOwnedIP, Status: "Available"},
		{ID: "eb", OutpostID: outpost, VpcID: "vpc-b", AccessType: AccessTypePrivate, Status: "Available"},
		{ID: "elsewhere", OutpostID: "op-11111111111111111", VpcID: "vpc-noendpoint", AccessType: AccessTypePrivate},
	}
	ix := buildNetIndex(nets, eps, outpost)
	for _, tc := range []struct {
		name, ip, vpc, vpce string
		onPrem              bool
	}{
		{"loopback is the loopback VPC", "127.0.0.1", "vpc-loop", "eloop", false},
		{"IPv6 loopback too", "::1", "vpc-loop", "eloop", false},
		{"a mapped IPv4 address is the IPv4 one", "::ffff:127.0.0.1", "vpc-loop", "eloop", false},
		{"the most specific CIDR wins", "127.0.0.2", "vpc-a", "ea", false},
		{"a /32 given as an address", "127.0.0.3", "vpc-b", "eb", false},
		// 127.0.0.4 is inside the loopback VPC, so its VPC wins over vpc-a's on-premises range.
		{"a VPC CIDR wins over an on-premises range", "127.0.0.4", "vpc-loop", "eloop", false},
		{"a VPC without endpoint has no vpce", "10.9.1.1", "vpc-noendpoint", "", false},
		{"an address in no network", "192.0.2.1", "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := ix.lookup(netip.MustParseAddr(tc.ip))
			if o.vpc != tc.vpc || o.vpce() != tc.vpce || o.onPrem != tc.onPrem {
				t.Errorf("lookup(%s) = %s %s %v; want %s %s %v", tc.ip, o.vpc, o.vpce(), o.onPrem, tc.vpc, tc.vpce, tc.onPrem)
			}
		})
	}
	// Without the loopback VPC, on-premises ranges apply: through a
	// CustomerOwnedIp endpoint only.
	ix = buildNetIndex(nets[1:], eps, outpost)
	if o := ix.lookup(netip.MustParseAddr("127.0.0.4")); o.vpc != "vpc-a" || o.vpce() != "ea" || !o.onPrem {
		t.Errorf("on-premises through CustomerOwnedIp: %+v", o)
	}
	if o := ix.lookup(netip.MustParseAddr("127.0.0.5")); o.vpc != "" || o.vpce() != "" {
		t.Errorf("on-premises through a Private endpoint: %+v", o)
	}
}

func TestNetworkJSONValidation(t *testing.T) {
	good := NetworkJSON{VpcID: "vpc-0a1b2c3d", CIDRs: []string{"10.0.0.0/16", "10.1.2.3"},
		Subnets: []SubnetJSON{{SubnetID: "subnet-0a1b2c3d", CIDR: "10.0.1.0/24"}}, OnPremCIDRs: []string{"192.168.0.0/16"}}
	n, err := good.Network()
	if err != nil {
		t.Fatal(err)
	}
	if n.CIDRs[1] != "10.1.2.3/32" {
		t.Errorf("single address not made a /32: %v", n.CIDRs)
	}
	for name, bad := range map[string]NetworkJSON{
		"a VPC ID without vpc-":        {VpcID: "net-1", CIDRs: []string{"10.0.0.0/16"}},
		"no CIDR":                      {VpcID: "vpc-1"},
		"a bad CIDR":                   {VpcID: "vpc-1", CIDRs: []string{"10.0.0.0/33"}},
		"a subnet ID the API refuses":  {VpcID: "vpc-1", CIDRs: []string{"10.0.0.0/16"}, Subnets: []SubnetJSON{{SubnetID: "subnet-x", CIDR: "10.0.1.0/24"}}},
		"a subnet outside the VPC":     {VpcID: "vpc-1", CIDRs: []string{"10.0.0.0/16"}, Subnets: []SubnetJSON{{SubnetID: "subnet-0a1b2c3d", CIDR: "10.2.0.0/24"}}},
		"a subnet larger than the VPC": {VpcID: "vpc-1", CIDRs: []string{"10.0.0.0/16"}, Subnets: []SubnetJSON{{SubnetID: "subnet-0a1b2c3d", CIDR: "10.0.0.0/8"}}},
	} {
		if _, err := bad.Network(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := ParseNetworks([]byte(`[{"vpcId":"vpc-1","cidrs":["10.0.0.0/8"],"subnet":[]}]`)); err == nil {
		t.Error("ParseNetworks accepted an unknown field")
	}
	if _, err := ParseNetworks([]byte(`[{"vpcId":"vpc-1","cidrs":["10.0.0.0/8"],"subnets":[{"subnetId":"subnet-0a1b2c3d","cidr":"10.0.0.0/24"}]},
		{"vpcId":"vpc-2","cidrs":["11.0.0.0/8"],"subnets":[{"subnetId":"subnet-0a1b2c3d","cidr":"11.0.0.0/24"}]}]`)); err == nil {
		t.Error("ParseNetworks accepted one subnet in two VPCs")
	}
}

// FuzzParseAccessPointHost: the Host header is untrusted input.
func FuzzParseAccessPointHost(f *testing.F) {
	for _, s := range []string{
		"my-ap-111122223333.op-01ac5d28a6a232904.localhost",
		"example-outp-o01ac5d28a6a232904e8xz5w8ijx1qzlbp3i3kuse10--op-s3.ec2.localhost",
		"-111122223333.op-01ac5d28a6a232904.x", "a..b", "", ".", "bucket.s3.example.com",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		a, ok := parseAccessPointHost(host)
		if !ok {
			return
		}
		if a.alias == "" && (len(a.account) != 12 || a.name == "" || !strings.HasPrefix(host, a.name+"-"+a.account+".")) {
			t.Fatalf("%q parsed as %+v", host, a)
		}
		if a.alias != "" && !strings.HasPrefix(host, a.alias+".") {
			t.Fatalf("%q parsed as %+v", host, a)
		}
		parseAccessPointARNPath(host, host)
	})
}
