package dataplane_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3outposts"
	s3otypes "github.com/aws/aws-sdk-go-v2/service/s3outposts/types"
	"github.com/aws/smithy-go"
)

// Two VPCs on loopback addresses, each with an on-premises range. Given
// as a --networks file, they replace the default loopback VPC, so
// 127.0.0.1 is in no network.
const twoVPCs = `[
  {"vpcId": "vpc-0000000a", "name": "a", "cidrs": ["127.0.0.2/32"],
   "subnets": [{"subnetId": "subnet-0000000a", "cidr": "127.0.0.2/32"}], "onPremCidrs": ["127.0.0.4/32"]},
  {"vpcId": "vpc-0000000b", "name": "b", "cidrs": ["127.0.0.3"],
   "subnets": [{"subnetId": "subnet-0000000b", "cidr": "127.0.0.3/32"}], "onPremCidrs": ["127.0.0.5/32"]}
]`

func createEndpoint(t *testing.T, c *s3outposts.Client, subnet string, coip bool) string {
	t.Helper()
	in := &s3outposts.CreateEndpointInput{OutpostId: aws.String(outpost), SubnetId: aws.String(subnet), SecurityGroupId: aws.String("sg-0000000a")}
	if coip {
		in.AccessType = s3otypes.EndpointAccessTypeCustomerOwnedIp
		in.CustomerOwnedIpv4Pool = aws.String("ipv4pool-coip-0000000000000000a")
	}
	out, err := c.CreateEndpoint(ctx, in)
	if err != nil {
		t.Fatalf("CreateEndpoint %s: %v", subnet, err)
	}
	a := aws.ToString(out.EndpointArn)
	return a[strings.LastIndexByte(a, '/')+1:]
}

// An access point bound to a VPC serves only requests that arrive through
// an endpoint of that VPC: from the VPC's addresses, or from its
// on-premises range when the endpoint is CustomerOwnedIp.
func TestAccessPointNetworkOrigin(t *testing.T) {
	srv := start(t, twoVPCs)
	oc := outpostsClient(srv)
	epA := createEndpoint(t, oc, "subnet-0000000a", true)
	createEndpoint(t, oc, "subnet-0000000b", false)
	apA := accessPoint(t, srv, "net-bucket", "ap-a", "vpc-0000000a")
	apB := accessPoint(t, srv, "net-bucket", "ap-b", "vpc-0000000b")
	apOpen := accessPoint(t, srv, "net-bucket", "ap-open", "")
	put(t, aliasClient(t, srv, nil), apOpen, "k", "v") // the owner, through the Internet access point

	from := func(ip string) *s3.Client {
		hc, _ := fromAddr(ip)
		return aliasClient(t, srv, hc)
	}
	reads := func(c *s3.Client, alias string) error {
		_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(alias), Key: aws.String("k")})
		return err
	}
	for _, tc := range []struct {
		name, ip, alias string
		ok              bool
	}{
		{"vpc A reaches its access point", "127.0.0.2", apA, true},
		{"vpc B does not reach vpc A's access point", "127.0.0.3", apA, false},
		{"vpc B reaches its own", "127.0.0.3", apB, true},
		{"vpc A does not reach vpc B's", "127.0.0.2", apB, false},
		{"vpc A's on-premises range comes through its CustomerOwnedIp endpoint", "127.0.0.4", apA, true},
		{"vpc B's on-premises range does not come through its Private endpoint", "127.0.0.5", apB, false},
		{"an address in no network reaches no VPC's access point", "127.0.0.1", apA, false},
		{"an access point without VPC serves every network", "127.0.0.5", apOpen, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := reads(from(tc.ip), tc.alias)
			if tc.ok {
				if err != nil {
					t.Fatalf("GetObject from %s: %v", tc.ip, err)
				}
				return
			}
			wantCode(t, "GetObject from "+tc.ip, err, "AccessDenied")
			var ae smithy.APIError
			if errAs(err, &ae) && !strings.Contains(ae.ErrorMessage(), "network (vpc-") {
				t.Errorf("message %q does not name the access point's network", ae.ErrorMessage())
			}
		})
	}

	t.Run("writes are refused the same way", func(t *testing.T) {
		_, err := from("127.0.0.3").PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(apA), Key: aws.String("w"), Body: strings.NewReader("x")})
		wantCode(t, "PutObject from vpc B through vpc A's access point", err, "AccessDenied")
		put(t, from("127.0.0.2"), apA, "w", "x")
	})

	t.Run("X-Forwarded-For from an untrusted peer changes nothing", func(t *testing.T) {
		hc, rec := fromAddr("127.0.0.3")
		rec.header = http.Header{"X-Forwarded-For": {"127.0.0.2"}}
		wantCode(t, "GetObject with a forged X-Forwarded-For", reads(aliasClient(t, srv, hc), apA), "AccessDenied")
	})

	t.Run("the caller's origin", func(t *testing.T) {
		hc, _ := fromAddr("127.0.0.4")
		status, body := adminRequest(t, srv, hc, "GET", "/outpost/admin/networks/origin", nil)
		var o struct {
			SourceIP   string `json:"sourceIp"`
			VpcID      string `json:"vpcId"`
			EndpointID string `json:"endpointId"`
			OnPremises bool   `json:"onPremises"`
		}
		if status != 200 || json.Unmarshal([]byte(body), &o) != nil || o.SourceIP != "127.0.0.4" || o.VpcID != "vpc-0000000a" || o.EndpointID != epA || !o.OnPremises {
			t.Fatalf("origin = %d %s; want 127.0.0.4 in vpc-0000000a through %s", status, body, epA)
		}
	})

	t.Run("without its endpoint a VPC reaches nothing", func(t *testing.T) {
		if _, err := oc.DeleteEndpoint(ctx, &s3outposts.DeleteEndpointInput{EndpointId: aws.String(epA), OutpostId: aws.String(outpost)}); err != nil {
			t.Fatal(err)
		}
		wantCode(t, "GetObject from vpc A without endpoint", reads(from("127.0.0.2"), apA), "AccessDenied")
		wantCode(t, "GetObject from vpc A's on-premises range without endpoint", reads(from("127.0.0.4"), apA), "AccessDenied")
	})
}

// The networks admin API declares, shows and removes networks; changes
// apply to the next request.
func TestNetworksAdminAPI(t *testing.T) {
	srv := start(t, twoVPCs)
	hc := http.DefaultClient
	status, body := adminRequest(t, srv, hc, "GET", "/outpost/admin/networks", nil)
	var list struct {
		Networks []struct {
			VpcID string   `json:"vpcId"`
			CIDRs []string `json:"cidrs"`
		} `json:"networks"`
	}
	if status != 200 || json.Unmarshal([]byte(body), &list) != nil || len(list.Networks) != 2 || list.Networks[1].CIDRs[0] != "127.0.0.3/32" {
		t.Fatalf("list = %d %s", status, body)
	}

	c := `{"name": "c", "cidrs": ["127.0.0.6/32"], "subnets": [{"subnetId": "subnet-0000000c", "cidr": "127.0.0.6/32"}]}`
	if status, body := adminRequest(t, srv, hc, "PUT", "/outpost/admin/networks/vpc-0000000c", []byte(c)); status != 200 || !strings.Contains(body, `"vpcId":"vpc-0000000c"`) {
		t.Fatalf("PUT = %d %s", status, body)
	}
	if status, body := adminRequest(t, srv, hc, "GET", "/outpost/admin/networks/vpc-0000000c", nil); status != 200 || !strings.Contains(body, `"subnet-0000000c"`) {
		t.Fatalf("GET = %d %s", status, body)
	}
	// The new VPC, with an endpoint, reaches an access point bound to it.
	epC := createEndpoint(t, outpostsClient(srv), "subnet-0000000c", false)
	apC := accessPoint(t, srv, "admin-bucket", "ap-c", "vpc-0000000c")
	fromC, _ := fromAddr("127.0.0.6")
	put(t, aliasClient(t, srv, fromC), apC, "k", "v")

	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"a bad CIDR", "PUT", "/outpost/admin/networks/vpc-0000000d", `{"cidrs": ["10.0.0.0/33"]}`, 400, "InvalidNetwork"},
		{"an unknown field", "PUT", "/outpost/admin/networks/vpc-0000000d", `{"cidrs": ["10.0.0.0/8"], "cidr": "x"}`, 400, "InvalidNetwork"},
		{"another VPC's subnet", "PUT", "/outpost/admin/networks/vpc-0000000d",
			`{"cidrs": ["127.0.0.2/32"], "subnets": [{"subnetId": "subnet-0000000a", "cidr": "127.0.0.2/32"}]}`, 409, "Conflict"},
		{"dropping the subnet of an endpoint", "PUT", "/outpost/admin/networks/vpc-0000000c", `{"cidrs": ["127.0.0.6/32"]}`, 409, "Conflict"},
		{"deleting a VPC with an endpoint", "DELETE", "/outpost/admin/networks/vpc-0000000c", "", 409, "Conflict"},
		{"a missing VPC", "GET", "/outpost/admin/networks/vpc-0000000f", "", 404, "NoSuchNetwork"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := adminRequest(t, srv, hc, tc.method, tc.path, []byte(tc.body))
			if status != tc.status || !strings.Contains(body, `"code":"`+tc.code+`"`) {
				t.Fatalf("%s %s = %d %s; want %d %s", tc.method, tc.path, status, body, tc.status, tc.code)
			}
		})
	}

	if _, err := outpostsClient(srv).DeleteEndpoint(ctx, &s3outposts.DeleteEndpointInput{EndpointId: aws.String(epC), OutpostId: aws.String(outpost)}); err != nil {
		t.Fatal(err)
	}
	if status, body := adminRequest(t, srv, hc, "DELETE", "/outpost/admin/networks/vpc-0000000c", nil); status != 204 {
		t.Fatalf("DELETE = %d %s", status, body)
	}
	if status, _ := adminRequest(t, srv, hc, "GET", "/outpost/admin/networks/vpc-0000000c", nil); status != 404 {
		t.Fatalf("GET after DELETE = %d", status)
	}

	// Unsigned requests are refused.
	resp, err := http.Get(srv.URL + "/outpost/admin/networks")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("anonymous list = %d", resp.StatusCode)
	}
}
