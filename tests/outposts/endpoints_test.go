package outposts_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3outposts"
	"github.com/aws/aws-sdk-go-v2/service/s3outposts/types"

	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/testserver"
)

// vpcID and subnetID name the test networks (clear of the loopback
// network the server declares, vpc-00000000000000001).
func vpcID(i int) string    { return fmt.Sprintf("vpc-%017x", 0xa00+i) }
func subnetID(i int) string { return fmt.Sprintf("subnet-%017x", 0xa00+i) }

// declareNetworks declares VPCs vpcID(1…n), each with one subnet
// subnetID(i) of 10.i.1.0/24, and removes any endpoint the server made
// at start, so endpoint counts and limits start from zero.
func declareNetworks(t *testing.T, srv *testserver.Server, n int) {
	t.Helper()
	st := srv.App.Meta
	for i := 1; i <= n; i++ {
		err := st.PutNetwork(ctx, meta.Network{
			VpcID: vpcID(i), CIDRs: []string{fmt.Sprintf("10.%d.0.0/16", i)},
			Subnets: []meta.Subnet{{SubnetID: subnetID(i), CIDR: fmt.Sprintf("10.%d.1.0/24", i)}},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	es, err := st.ListEndpoints(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if err := st.DeleteEndpoint(ctx, e.ID); err != nil {
			t.Fatal(err)
		}
	}
}

func TestEndpoints(t *testing.T) {
	srv := start(t, nil)
	declareNetworks(t, srv, 4)
	c := outpostsClient(srv)
	sg := aws.String("sg-0123456789abcdef0")
	subnet := func(i int) *string { return aws.String(subnetID(i)) }

	out := ok(c.CreateEndpoint(ctx, &s3outposts.CreateEndpointInput{OutpostId: aws.String(outpost), SubnetId: subnet(1), SecurityGroupId: sg}))(t, "CreateEndpoint")
	prefix := "arn:aws:s3-outposts:" + region + ":" + account + ":outpost/" + outpost + "/endpoint/"
	arn1 := aws.ToString(out.EndpointArn)
	if !strings.HasPrefix(arn1, prefix) || len(arn1)-len(prefix) != 19 {
		t.Fatalf("EndpointArn = %q", arn1)
	}
	_, err := c.CreateEndpoint(ctx, &s3outposts.CreateEndpointInput{OutpostId: aws.String(outpost), SubnetId: subnet(1), SecurityGroupId: sg})
	wantCode(t, "second endpoint in the VPC", err, "ConflictException")
	_, err = c.CreateEndpoint(ctx, &s3outposts.CreateEndpointInput{OutpostId: aws.String(outpost), SubnetId: aws.String("subnet-0000000000000dead"), SecurityGroupId: sg})
	wantCode(t, "undeclared subnet", err, "ValidationException")
	_, err = c.CreateEndpoint(ctx, &s3outposts.CreateEndpointInput{OutpostId: aws.String("op-0000000000000000f"), SubnetId: subnet(2), SecurityGroupId: sg})
	wantCode(t, "another outpost", err, "ResourceNotFoundException")
	_, err = c.CreateEndpoint(ctx, &s3outposts.CreateEndpointInput{OutpostId: aws.String(outpost), SubnetId: subnet(2), SecurityGroupId: sg, AccessType: types.EndpointAccessTypeCustomerOwnedIp})
	wantCode(t, "CustomerOwnedIp without a pool", err, "ValidationException")
	_, err = c.CreateEndpoint(ctx, &s3outposts.CreateEndpointInput{OutpostId: aws.String(outpost), SubnetId: subnet(2), SecurityGroupId: aws.String("group")})
	wantCode(t, "bad security group", err, "ValidationException")

	coip := ok(c.CreateEndpoint(ctx, &s3outposts.CreateEndpointInput{OutpostId: aws.String(outpost), SubnetId: subnet(2), SecurityGroupId: sg,
		AccessType: types.EndpointAccessTypeCustomerOwnedIp, CustomerOwnedIpv4Pool: aws.String("ipv4pool-coip-12345678901234567")}))(t, "CreateEndpoint CoIP")
	ok(c.CreateEndpoint(ctx, &s3outposts.CreateEndpointInput{OutpostId: aws.String(outpost), SubnetId: subnet(3), SecurityGroupId: sg}))(t, "third endpoint")
	_, err = c.CreateEndpoint(ctx, &s3outposts.CreateEndpointInput{OutpostId: aws.String(outpost), SubnetId: subnet(4), SecurityGroupId: sg})
	wantCode(t, "fourth endpoint (limit 3)", err, "ValidationException")

	var all []types.Endpoint
	var token *string
	for {
		page := ok(c.ListEndpoints(ctx, &s3outposts.ListEndpointsInput{MaxResults: 2, NextToken: token}))(t, "ListEndpoints")
		all = append(all, page.Endpoints...)
		if token = page.NextToken; token == nil {
			break
		}
	}
	if len(all) != 3 {
		t.Fatalf("listed %d endpoints", len(all))
	}
	var found bool
	for _, e := range all {
		if aws.ToString(e.EndpointArn) != aws.ToString(coip.EndpointArn) {
			continue
		}
		found = true
		if e.AccessType != types.EndpointAccessTypeCustomerOwnedIp || aws.ToString(e.CustomerOwnedIpv4Pool) != "ipv4pool-coip-12345678901234567" ||
			aws.ToString(e.VpcId) != vpcID(2) || aws.ToString(e.CidrBlock) != "10.2.1.0/24" || e.Status != types.EndpointStatusAvailable ||
			aws.ToString(e.OutpostsId) != outpost || e.CreationTime == nil || len(e.NetworkInterfaces) != 1 || aws.ToString(e.SecurityGroupId) != *sg {
			t.Fatalf("endpoint = %+v", e)
		}
	}
	if !found {
		t.Fatal("the CoIP endpoint is not listed")
	}

	id := arn1[len(prefix):]
	ok(c.DeleteEndpoint(ctx, &s3outposts.DeleteEndpointInput{EndpointId: aws.String(id), OutpostId: aws.String(outpost)}))(t, "DeleteEndpoint")
	_, err = c.DeleteEndpoint(ctx, &s3outposts.DeleteEndpointInput{EndpointId: aws.String(id), OutpostId: aws.String(outpost)})
	wantCode(t, "DeleteEndpoint twice", err, "ResourceNotFoundException")
	ok(c.CreateEndpoint(ctx, &s3outposts.CreateEndpointInput{OutpostId: aws.String(outpost), SubnetId: subnet(1), SecurityGroupId: sg}))(t, "CreateEndpoint after delete")

	ops := ok(c.ListOutpostsWithS3(ctx, &s3outposts.ListOutpostsWithS3Input{}))(t, "ListOutpostsWithS3")
	if len(ops.Outposts) != 1 {
		t.Fatalf("outposts = %+v", ops.Outposts)
	}
	o := ops.Outposts[0]
	if aws.ToString(o.OutpostId) != outpost || aws.ToString(o.OwnerId) != account ||
		aws.ToString(o.OutpostArn) != "arn:aws:outposts:"+region+":"+account+":outpost/"+outpost ||
		aws.ToString(o.S3OutpostArn) != "arn:aws:s3-outposts:"+region+":"+account+":outpost/"+outpost+"/s3" {
		t.Fatalf("outpost = %+v", o)
	}
	shared := ok(c.ListSharedEndpoints(ctx, &s3outposts.ListSharedEndpointsInput{OutpostId: aws.String(outpost)}))(t, "ListSharedEndpoints")
	if len(shared.Endpoints) != 0 {
		t.Fatalf("shared endpoints = %+v", shared.Endpoints)
	}
}
