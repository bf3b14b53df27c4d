package policy_test

import (
	"fmt"

	"github.com/outpost-s3/outpost/internal/policy"
)

func ExampleEvaluate() {
	bucket, err := policy.ParseResourcePolicy([]byte(`{
	  "Version": "2012-10-17",
	  "Statement": [{
	    "Sid": "DenyOldPresignedURLs",
	    "Effect": "Deny",
	    "Principal": {"AWS": "111122223333"},
	    "Action": "s3-outposts:*",
	    "Resource": "arn:aws:s3-outposts:us-east-1:111122223333:outpost/op-01ac5d28a6a232904/bucket/b1/object/*",
	    "Condition": {
	      "NumericGreaterThan": {"s3-outposts:signatureAge": 600000},
	      "StringEquals": {"s3-outposts:authType": "REST-QUERY-STRING"}
	    }
	  }]
	}`), policy.MaxBucketPolicySize)
	if err != nil {
		fmt.Println(err)
		return
	}
	identity, _ := policy.ParseIdentityPolicy([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3-outposts:GetObject","Resource":"*"}]}`), policy.MaxManagedPolicySize)

	d := policy.Evaluate(policy.EvalInput{
		Request: policy.Request{
			Action:    "s3-outposts:GetObject",
			Resource:  "arn:aws:s3-outposts:us-east-1:111122223333:outpost/op-01ac5d28a6a232904/bucket/b1/object/report.csv",
			Principal: policy.Principal{ARN: "arn:aws:iam::111122223333:user/alice", Account: "111122223333", Type: policy.PrincipalUser, Username: "alice"},
			Context: map[string][]string{
				"s3-outposts:authtype":     {"REST-QUERY-STRING"},
				"s3-outposts:signatureage": {"900000"},
			},
		},
		ResourceAccount:  "111122223333",
		IdentityPolicies: []*policy.Policy{identity},
		ResourcePolicies: []*policy.Policy{bucket},
	})
	fmt.Println(d.Allowed, d.Reason)
	fmt.Println(d.Trace[len(d.Trace)-1].Sid)
	// Output:
	// false explicitly denied by a bucket policy
	// DenyOldPresignedURLs
}
