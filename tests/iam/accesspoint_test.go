package iam_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/s3control/types"

	"github.com/outpost-s3/outpost/internal/app"
	"github.com/outpost-s3/outpost/internal/testserver"
)

const apARN = "arn:aws:s3-outposts:us-east-1:111122223333:outpost/op-01ac5d28a6a232904/accesspoint/example-outpost-access-point"

// accessPoint creates the seed bucket's access point in the loopback VPC
// (the network a fresh server declares for 127.0.0.0/8) and returns its alias.
func accessPoint(t *testing.T, srv *testserver.Server) string {
	t.Helper()
	out, err := controlClient(srv, rootCreds).CreateAccessPoint(ctx, &s3control.CreateAccessPointInput{
		AccountId: aws.String(account), Name: aws.String("example-outpost-access-point"),
		Bucket:           aws.String("arn:aws:s3-outposts:us-east-1:111122223333:outpost/op-01ac5d28a6a232904/bucket/" + seedBucket),
		VpcConfiguration: &types.VpcConfiguration{VpcId: aws.String(app.DefaultVpcID)},
	})
	must(t, "CreateAccessPoint", err)
	return aws.ToString(out.Alias)
}

func putAccessPointPolicy(t *testing.T, srv *testserver.Server, doc string) {
	t.Helper()
	_, err := controlClient(srv, rootCreds).PutAccessPointPolicy(ctx, &s3control.PutAccessPointPolicyInput{
		AccountId: aws.String(account), Name: aws.String(apARN), Policy: aws.String(doc)})
	must(t, "PutAccessPointPolicy", err)
}

// aws:SourceVpc in an access point policy: the network-path restriction
// of S3OutpostsPresignedURL.md on the resource.
func TestAccessPointPolicySourceVpc(t *testing.T) {
	srv, _ := start(t)
	_, alias := seedSetup(t, srv)
	viaAP := presign(t, srv, rootCreds, "GET", "/"+alias+"/doc.txt", "s3-outposts", time.Now(), time.Hour)
	direct := presign(t, srv, rootCreds, "GET", "/"+seedBucket+"/doc.txt", "s3-outposts", time.Now(), time.Hour)
	wantURL(t, "URL through the access point", "GET", viaAP, 200, "")

	onlyFrom := func(vpc string) string {
		return `{"Version":"2012-10-17","Statement":[{"Sid":"OnlyFromTheVPC","Effect":"Deny","Principal":{"AWS":"111122223333"},
 "Action":"s3-outposts:*","Resource":"` + apARN + `/object/*","Condition":{"StringNotEquals":{"aws:SourceVpc":"` + vpc + `"}}}]}`
	}
	putAccessPointPolicy(t, srv, onlyFrom("vpc-0000000000000beef"))
	wantURL(t, "URL through the access point from another VPC", "GET", viaAP, 403, "AccessDenied")
	if _, code := signedDo(t, rootCreds, "s3-outposts", "GET", srv.URL+"/"+alias+"/doc.txt", nil, nil); code != "AccessDenied" {
		t.Fatalf("header-signed GET through the access point from another VPC: %q", code)
	}
	// The bucket's own name does not step around the access point.
	wantURL(t, "URL to the bucket directly", "GET", direct, 400, "InvalidRequest")

	putAccessPointPolicy(t, srv, onlyFrom(app.DefaultVpcID))
	wantURL(t, "URL through the access point from its VPC", "GET", viaAP, 200, "")
}

// Through an access point both the access point policy and the bucket
// policy must permit a request (S3OutpostsIAM.md); a bucket policy can
// delegate to access points with s3-outposts:DataAccessPointAccount.
func TestAccessPointAndBucketPolicyBothNeeded(t *testing.T) {
	srv, _ := start(t)
	arn, alias := seedSetup(t, srv)
	partnerRoot := createAccount(t, srv, partner)
	pat := newUser(t, srv, partnerRoot, "pat")
	_, err := iamClient(srv, partnerRoot).PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("pat"), PolicyName: aws.String("outposts"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3-outposts:*","Resource":"*"}]}`)})
	must(t, "PutUserPolicy", err)
	viaAP := presign(t, srv, pat, "GET", "/"+alias+"/doc.txt", "s3-outposts", time.Now(), time.Hour)
	direct := presign(t, srv, pat, "GET", "/"+seedBucket+"/doc.txt", "s3-outposts", time.Now(), time.Hour)

	putAccessPointPolicy(t, srv, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"444455556666"},
 "Action":"s3-outposts:GetObject","Resource":"`+apARN+`/object/*"}]}`)
	wantURL(t, "access point policy allows, bucket policy does not", "GET", viaAP, 403, "AccessDenied")
	wantURL(t, "direct, no bucket policy", "GET", direct, 400, "InvalidRequest")

	// The bucket delegates to access points of its own account.
	putOutpostsBucketPolicy(t, srv, arn, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"444455556666"},
 "Action":"s3-outposts:GetObject","Resource":"`+seedObjects+`",
 "Condition":{"StringEquals":{"s3-outposts:DataAccessPointAccount":"111122223333"}}}]}`)
	wantURL(t, "both policies allow", "GET", viaAP, 200, "")
	wantURL(t, "direct: only access point requests reach the bucket", "GET", direct, 400, "InvalidRequest")

	_, err = controlClient(srv, rootCreds).DeleteAccessPointPolicy(ctx, &s3control.DeleteAccessPointPolicyInput{AccountId: aws.String(account), Name: aws.String(apARN)})
	must(t, "DeleteAccessPointPolicy", err)
	wantURL(t, "bucket policy allows, no access point policy", "GET", viaAP, 403, "AccessDenied")
}
