package iam_test

import (
	"bytes"
	"encoding/xml"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"

	"github.com/outpost-s3/outpost/sigv4"
)

// explainResult is the part of an ExplainPolicy answer the tests read.
type explainResult struct {
	Decision     string `xml:"ExplainPolicyResult>Decision"`
	ExplicitDeny bool   `xml:"ExplainPolicyResult>ExplicitDeny"`
	Text         string `xml:"ExplainPolicyResult>Text"`
}

// ExplainPolicy shows a statement trace only of policies the caller may
// read: the resources of its own account, or a bucket whose policy grants
// it s3:GetBucketPolicy (s3-outposts:GetBucketPolicy) by the decision that
// enforces GetBucketPolicy; another account's access point policy never.
// Otherwise it answers 403 AccessDenied in the query API's error form.
// And it explains the action as enforced: s3:GetObject on an Outposts
// bucket is s3-outposts:GetObject.
func TestExplainPolicyHidesOtherAccountsPolicies(t *testing.T) {
	srv, _ := start(t)
	partnerRoot := createAccount(t, srv, partner)
	sc := s3Client(srv, rootCreds)
	srv.MustBucket(t, "secret-policy")
	const secretPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"SecretSidForThePartner","Effect":"Allow","Principal":{"AWS":"444455556666"},
 "Action":"s3:GetObject","Resource":"arn:aws:s3:::secret-policy/*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.77/32"}}}]}`
	ok(sc.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("secret-policy"), Policy: aws.String(secretPolicy)}))(t, "PutBucketPolicy")

	bARN := outpostsBucket(t, srv, seedBucket)
	const secretOutposts = "198.51.100.99/32"
	putOutpostsBucketPolicy(t, srv, bARN, `{"Version":"2012-10-17","Statement":[{"Sid":"SecretOutpostsSid","Effect":"Deny","Principal":{"AWS":"111122223333"},
 "Action":"s3-outposts:GetObject","Resource":"`+seedObjects+`","Condition":{"NotIpAddress":{"aws:SourceIp":"`+secretOutposts+`"}}}]}`)
	alias := accessPoint(t, srv)
	putAccessPointPolicy(t, srv, `{"Version":"2012-10-17","Statement":[{"Sid":"SecretAccessPointSid","Effect":"Allow","Principal":{"AWS":"444455556666"},
 "Action":"s3-outposts:GetObject","Resource":"`+apARN+`/object/*"}]}`)

	explain := func(c sigv4.Credentials, principal, action, resource string) (int, []byte) {
		return adminCall(t, srv, c, url.Values{"Action": {"ExplainPolicy"}, "PrincipalArn": {principal}, "ActionName": {action}, "ResourceArn": {resource},
			"Context.member.1.Key": {"aws:SourceIp"}, "Context.member.1.Value": {"127.0.0.1"}})
	}
	partnerARN := "arn:aws:iam::" + partner + ":root"

	// The partner may not read the bucket policy, so it may not explain it.
	_, err := s3Client(srv, partnerRoot).GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("secret-policy")})
	wantCode(t, "partner GetBucketPolicy", err, "AccessDenied")
	for _, rq := range []struct{ what, action, resource string }{
		{"a plain bucket's object", "s3:GetObject", "arn:aws:s3:::secret-policy/doc.txt"},
		{"a plain bucket", "s3:ListBucket", "arn:aws:s3:::secret-policy"},
		{"an Outposts bucket's object", "s3-outposts:GetObject", strings.Replace(seedObjects, "*", "doc.txt", 1)},
		{"an access point's object", "s3-outposts:GetObject", apARN + "/object/doc.txt"},
	} {
		status, body := explain(partnerRoot, partnerARN, rq.action, rq.resource)
		var e struct {
			Code string `xml:"Error>Code"`
		}
		xml.Unmarshal(body, &e)
		if status != 403 || e.Code != "AccessDenied" {
			t.Errorf("partner explains %s: %d %s, want 403 AccessDenied", rq.what, status, body)
		}
		for _, secret := range []string{"Secret", "203.0.113.77", secretOutposts} {
			if bytes.Contains(body, []byte(secret)) {
				t.Errorf("partner explains %s: the answer shows %q: %s", rq.what, secret, body)
			}
		}
	}
	// Once the bucket policy lets the partner read it, the partner may
	// explain it, and the trace shows the statement.
	readable := strings.Replace(secretPolicy, `]}`, `,{"Sid":"PartnerReadsThePolicy","Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3:GetBucketPolicy","Resource":"arn:aws:s3:::secret-policy"}]}`, 1)
	ok(sc.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("secret-policy"), Policy: aws.String(readable)}))(t, "PutBucketPolicy readable")
	ok(s3Client(srv, partnerRoot).GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("secret-policy")}))(t, "partner GetBucketPolicy once allowed")
	status, body := explain(partnerRoot, partnerARN, "s3:GetObject", "arn:aws:s3:::secret-policy/doc.txt")
	if status != 200 || !bytes.Contains(body, []byte("SecretSidForThePartner")) {
		t.Fatalf("partner explains a bucket policy it may read: %d %s", status, body)
	}

	// The owner explains its own resources; s3:GetObject on an Outposts
	// bucket is explained as the s3-outposts:GetObject it is enforced as.
	status, body = explain(rootCreds, "arn:aws:iam::"+account+":root", "s3:GetObject", strings.Replace(seedObjects, "*", "doc.txt", 1))
	var res explainResult
	if status != 200 || xml.Unmarshal(body, &res) != nil || res.Decision != "DENY" || !res.ExplicitDeny || !strings.Contains(res.Text, "SecretOutpostsSid") {
		t.Fatalf("owner explains s3:GetObject on its Outposts bucket: %d %s", status, body)
	}
	if status, code := signedDo(t, rootCreds, "s3-outposts", "GET", srv.URL+"/"+alias+"/doc.txt", nil, nil); status != 403 || code != "AccessDenied" {
		t.Fatalf("the enforced decision: %d %s, want 403 AccessDenied", status, code)
	}

	// Nothing changed: the policies read back by their owner.
	got := ok(sc.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("secret-policy")}))(t, "owner GetBucketPolicy")
	if !strings.Contains(aws.ToString(got.Policy), "PartnerReadsThePolicy") {
		t.Fatalf("bucket policy = %s", aws.ToString(got.Policy))
	}
	ap := ok(controlClient(srv, rootCreds).GetAccessPointPolicy(ctx, &s3control.GetAccessPointPolicyInput{AccountId: aws.String(account), Name: aws.String(apARN)}))(t, "GetAccessPointPolicy")
	if !strings.Contains(aws.ToString(ap.Policy), "SecretAccessPointSid") {
		t.Fatalf("access point policy = %s", aws.ToString(ap.Policy))
	}
}
