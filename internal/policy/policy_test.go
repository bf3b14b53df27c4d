package policy

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseAcceptsDocumentShapes(t *testing.T) {
	tests := []struct {
		name, doc string
		check     func(*Policy) bool
	}{
		{"a single statement object is accepted", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3-outposts:*","Resource":"*"}}`,
			func(p *Policy) bool { return len(p.Statements) == 1 && p.Statements[0].Principal.Wildcard }},
		{"the Id element is kept", `{"Version":"2012-10-17","Id":"ExampleBucketPolicy1","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3-outposts:*","Resource":"*"}]}`,
			func(p *Policy) bool {
				return p.ID == "ExampleBucketPolicy1" && p.Statements[0].Principal.AWS[0] == "123456789012"
			}},
		{"the 2008-10-17 version is accepted", `{"Version":"2008-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":["arn:aws:iam::123456789012:root"]},"NotAction":["s3-outposts:Get*"],"NotResource":"*"}]}`,
			func(p *Policy) bool {
				return p.Version == Version20081017 && p.Statements[0].NotAction[0] == "s3-outposts:Get*"
			}},
		{"every principal type is parsed", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*","Service":["a.amazonaws.com"],"CanonicalUser":"79a5","Federated":"cognito-identity.amazonaws.com"},"Action":"*","Resource":"*"}]}`,
			func(p *Policy) bool {
				pr := p.Statements[0].Principal
				return pr.Wildcard && pr.Service[0] == "a.amazonaws.com" && pr.CanonicalUser[0] == "79a5" && pr.Federated[0] != ""
			}},
		{"numeric and boolean condition values keep their spelling", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"NumericGreaterThan":{"s3-outposts:signatureAge":600000},"Bool":{"aws:SecureTransport":[true,false]}}}]}`,
			func(p *Policy) bool {
				c := p.Statements[0].Conditions
				return len(c) == 2 && c[0].Values[0] == "600000" && reflect.DeepEqual(c[1].Values, []string{"true", "false"})
			}},
		{"sentence Sids from the S3 docs are accepted", `{"Statement":[{"Sid":"Deny uploads with unsigned payloads.","Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}`,
			func(p *Policy) bool { return p.Statements[0].Sid == "Deny uploads with unsigned payloads." }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseResourcePolicy([]byte(tt.doc), MaxBucketPolicySize)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(p) {
				t.Fatalf("unexpected result %+v", p)
			}
			if !p.IsResourcePolicy() {
				t.Fatal("IsResourcePolicy = false")
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	stmt := func(s string) string { return `{"Version":"2012-10-17","Statement":[` + s + `]}` }
	tests := []struct {
		name     string
		resource bool
		doc      string
		msg      string
	}{
		{"a document that is not an object is rejected", true, `[1]`, "first byte must be '{'"},
		{"invalid JSON is rejected", true, `{"Version":`, "Policies must be valid JSON"},
		{"trailing data is rejected", true, `{"Statement":[]} x`, "valid JSON"},
		{"an unknown top-level field is rejected", true, `{"Version":"2012-10-17","Statment":[]}`, "Unknown field Statment"},
		{"a duplicate top-level field is rejected", true, `{"Version":"2012-10-17","Version":"2012-10-17","Statement":[]}`, "Duplicate field Version"},
		{"a bad version is rejected", true, `{"Version":"2012-10-18","Statement":[]}`, "valid version string"},
		{"a missing statement is rejected", true, `{"Version":"2012-10-17"}`, "Missing required field Statement"},
		{"an empty statement list is rejected", true, `{"Version":"2012-10-17","Statement":[]}`, "no statements"},
		{"a string statement is rejected", true, `{"Statement":"x"}`, "Statement must be an object"},
		{"a bad effect is rejected", true, stmt(`{"Effect":"allow","Principal":"*","Action":"*","Resource":"*"}`), `Invalid effect: "allow"`},
		{"a missing effect is rejected", true, stmt(`{"Principal":"*","Action":"*","Resource":"*"}`), "Missing required field Effect"},
		{"a missing action is rejected", false, stmt(`{"Effect":"Allow","Resource":"*"}`), "Missing required field Action"},
		{"a missing resource is rejected", false, stmt(`{"Effect":"Allow","Action":"*"}`), "Missing required field Resource"},
		{"Action and NotAction together are rejected", false, stmt(`{"Effect":"Allow","Action":"*","NotAction":"*","Resource":"*"}`), "both Action and NotAction"},
		{"Resource and NotResource together are rejected", false, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","NotResource":"*"}`), "both Resource and NotResource"},
		{"a resource policy without a principal is rejected", true, stmt(`{"Effect":"Allow","Action":"*","Resource":"*"}`), "Missing required field Principal"},
		{"an identity policy with a principal is rejected", false, stmt(`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}`), "should not specify a principal"},
		{"Principal and NotPrincipal together are rejected", true, stmt(`{"Effect":"Deny","Principal":"*","NotPrincipal":"*","Action":"*","Resource":"*"}`), "both Principal and NotPrincipal"},
		{"an unknown statement field is rejected", false, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Conditions":{}}`), "Unknown field Conditions"},
		{"an action without a vendor is rejected", false, stmt(`{"Effect":"Allow","Action":"GetObject","Resource":"*"}`), "invalid action"},
		{"a resource that is not an ARN is rejected", false, stmt(`{"Effect":"Allow","Action":"*","Resource":"bucket/key"}`), "must be in ARN format"},
		{"an empty action list is rejected", false, stmt(`{"Effect":"Allow","Action":[],"Resource":"*"}`), "must not be an empty array"},
		{"a non-string action is rejected", false, stmt(`{"Effect":"Allow","Action":5,"Resource":"*"}`), "string or an array of strings"},
		{"a string principal other than star is rejected", true, stmt(`{"Effect":"Allow","Principal":"123456789012","Action":"*","Resource":"*"}`), "Invalid principal"},
		{"a partial wildcard principal is rejected", true, stmt(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/*"},"Action":"*","Resource":"*"}`), "Invalid principal"},
		{"an unknown principal type is rejected", true, stmt(`{"Effect":"Allow","Principal":{"Users":"x"},"Action":"*","Resource":"*"}`), "unknown principal type Users"},
		{"a short account principal is rejected", true, stmt(`{"Effect":"Allow","Principal":{"AWS":"12345"},"Action":"*","Resource":"*"}`), "Invalid principal"},
		{"an unknown condition operator is rejected", false, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqual":{"k":"v"}}}`), "Invalid Condition type : StringEqual"},
		{"NullIfExists is not an operator", false, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NullIfExists":{"k":"true"}}}`), "Invalid Condition type"},
		{"a non-numeric Numeric value is rejected", false, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"k":"ten"}}}`), "expected a number"},
		{"a bad date is rejected", false, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"k":"tomorrow"}}}`), "ISO 8601"},
		{"a bad CIDR is rejected", false, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"300.1.1.1/8"}}}`), "CIDR"},
		{"a bad Bool value is rejected", false, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"k":"yes"}}}`), "true or false"},
		{"bad base64 is rejected", false, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"BinaryEquals":{"k":"@@"}}}`), "base64"},
		{"an object condition value is rejected", false, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":{"a":1}}}}`), "Invalid Condition value"},
		{"a null condition value is rejected", false, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":null}}}`), "Invalid Condition value"},
		{"an unterminated variable is rejected", false, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":"${aws:username"}}}`), "unterminated policy variable"},
		{"duplicate Sids are rejected", false, stmt(`{"Sid":"a","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"a","Effect":"Allow","Action":"*","Resource":"*"}`), "must be unique"},
		{"a duplicate condition key is rejected", false, stmt(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":"a","k":"b"}}}`), "Duplicate field k"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.resource {
				_, err = ParseResourcePolicy([]byte(tt.doc), 0)
			} else {
				_, err = ParseIdentityPolicy([]byte(tt.doc), 0)
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error = %v, want *Error", err)
			}
			if !strings.Contains(pe.Message, tt.msg) {
				t.Fatalf("message %q does not contain %q", pe.Message, tt.msg)
			}
		})
	}
}

func TestParseErrorNamesTheStatement(t *testing.T) {
	_, err := ParseIdentityPolicy([]byte(doc(allowAllIdentity, `{"Sid":"Two","Effect":"Maybe","Action":"*","Resource":"*"}`)), 0)
	var pe *Error
	if !errors.As(err, &pe) || pe.Statement != 1 || pe.Sid != "Two" || !strings.HasPrefix(err.Error(), "statement 1 (Two): Invalid effect") {
		t.Fatalf("error = %#v (%v)", pe, err)
	}
}

func TestSizeLimits(t *testing.T) {
	small := doc(allowAllIdentity)
	spaced := strings.ReplaceAll(small, ",", " ,\n\t ")
	if _, err := ParseIdentityPolicy([]byte(spaced), len(small)); err != nil {
		t.Fatalf("IAM size must not count whitespace: %v", err)
	}
	_, err := ParseIdentityPolicy([]byte(small), len(small)-1)
	var pe *Error
	if !errors.As(err, &pe) || !pe.TooLarge {
		t.Fatalf("want TooLarge error, got %v", err)
	}
	bp := doc(`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`)
	if _, err := ParseResourcePolicy([]byte(bp+"  "), len(bp)+1); !errors.As(err, &pe) || !pe.TooLarge {
		t.Fatalf("S3 size counts whitespace; got %v", err)
	}
	big := `{"Version":"2012-10-17","Statement":[` + strings.Repeat(`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},`, 400) + `{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`
	if _, err := ParseResourcePolicy([]byte(big), MaxBucketPolicySize); !errors.As(err, &pe) || !pe.TooLarge {
		t.Fatalf("a %d-byte policy must exceed MaxBucketPolicySize; got %v", len(big), err)
	}
}

func TestValidateOutpostsResourcePolicy(t *testing.T) {
	tests := []struct {
		name, stmt string
		ok         bool
	}{
		{"an account principal needs no IP condition", `{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"*","Resource":"*"}`, true},
		{"a star principal with an IpAddress condition is accepted", `{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}}`, true},
		{"the documented IpAddress plus NotIpAddress policy is accepted", `{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"},"NotIpAddress":{"aws:SourceIp":"198.51.100.0/24"}}}`, true},
		{"a star principal without a condition is rejected", `{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}`, false},
		{"an AWS star principal without a condition is rejected", `{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":"*","Resource":"*"}`, false},
		{"a star principal with only NotIpAddress is rejected", `{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}}`, false},
		{"a star principal with IpAddressIfExists is rejected", `{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"IpAddressIfExists":{"aws:SourceIp":"192.0.2.0/24"}}}`, false},
		{"a star principal with a /0 range is rejected", `{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}}`, false},
		{"a star principal limited by VPC only is rejected", `{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-1"}}}`, false},
		{"an Allow with NotPrincipal counts as a wildcard", `{"Effect":"Allow","NotPrincipal":{"AWS":"123456789012"},"Action":"*","Resource":"*"}`, false},
		{"a Deny with a star principal is accepted", `{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}`, true},
		{"the condition key is matched case-insensitively", `{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"IpAddress":{"AWS:SOURCEIP":"10.0.0.0/8"}}}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustResource(t, doc(tt.stmt))
			err := ValidateOutpostsResourcePolicy(p)
			if (err == nil) != tt.ok {
				t.Fatalf("ValidateOutpostsResourcePolicy = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !strings.Contains(err.Error(), "Policies with wildcard principals must have an IP address range condition") {
				t.Fatalf("message = %q", err)
			}
		})
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	for _, c := range evalCases {
		for _, d := range []string{c.bucket, c.ap} {
			if d == "" || strings.Contains(d, "\x00") {
				continue
			}
			p1 := mustResource(t, d)
			b, err := p1.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			p2 := mustResource(t, string(b))
			if !reflect.DeepEqual(p1, p2) && !equalModuloNumbers(p1, p2) {
				t.Fatalf("round trip changed the policy:\n%s\n%+v\n%+v", b, p1, p2)
			}
		}
	}
}

// equalModuloNumbers compares policies after marshalling both.
func equalModuloNumbers(a, b *Policy) bool {
	x, _ := a.MarshalJSON()
	y, _ := b.MarshalJSON()
	return string(x) == string(y)
}

func FuzzParse(f *testing.F) {
	seeds := []string{
		doc(allowAllIdentity),
		`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":{"AWS":["123456789012","arn:aws:iam::123456789012:root"]},"NotAction":"s3:*","NotResource":["arn:aws:s3:::b/*"],"Condition":{"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":["a*",1,true]},"Null":{"k":"true"}}}}`,
		`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"arn:aws:s3-outposts:*:*:outpost/${aws:username}/*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","::1"]},"DateLessThan":{"aws:CurrentTime":"2024-01-01"}}}]}`,
		`{}`, `[]`, `{"Statement":[{}]}`, `{"Version":"2008-10-17"}`,
	}
	for _, c := range evalCases[:20] {
		if c.bucket != "" && !strings.Contains(c.bucket, "\x00") {
			seeds = append(seeds, c.bucket)
		}
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, resource := range []bool{false, true} {
			var p *Policy
			var err error
			if resource {
				p, err = ParseResourcePolicy(data, MaxBucketPolicySize)
			} else {
				p, err = ParseIdentityPolicy(data, MaxManagedPolicySize)
			}
			if err != nil {
				var pe *Error
				if !errors.As(err, &pe) {
					t.Fatalf("error %v is not *Error", err)
				}
				continue
			}
			b1, _ := p.MarshalJSON()
			var p2 *Policy
			if resource {
				p2, err = ParseResourcePolicy(b1, 0)
			} else {
				p2, err = ParseIdentityPolicy(b1, 0)
			}
			if err != nil {
				t.Fatalf("re-parse of %s: %v", b1, err)
			}
			b2, _ := p2.MarshalJSON()
			if string(b1) != string(b2) {
				t.Fatalf("marshal not stable:\n%s\n%s", b1, b2)
			}
			// Evaluation must not panic on anything the parser accepts.
			in := EvalInput{Request: Request{Action: "s3-outposts:GetObject", Resource: objARN, Principal: user(owner, "alice"),
				Context: ctx("aws:sourceip", "10.0.0.1", "aws:tagkeys", "a")}, ResourceAccount: owner}
			if resource {
				in.ResourcePolicies = []*Policy{p}
				_ = ValidateOutpostsResourcePolicy(p)
			} else {
				in.IdentityPolicies = []*Policy{p}
			}
			in.Explain = true
			_ = Evaluate(in).String()
		}
	})
}

// benchBucketPolicy is a realistic S3 on Outposts bucket policy of five
// statements: two account grants, the three documented SigV4 denies.
var benchBucketPolicy = `{
  "Version": "2012-10-17",
  "Id": "BenchBucketPolicy",
  "Statement": [
    {"Sid": "OwnerFullAccess", "Effect": "Allow", "Principal": {"AWS": "111122223333"},
     "Action": "s3-outposts:*", "Resource": ["` + bucketARN + `", "` + bucketARN + `/object/*"]},
    {"Sid": "PartnerRead", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::444455556666:user/bob", "arn:aws:iam::444455556666:role/reader"]},
     "Action": ["s3-outposts:GetObject", "s3-outposts:ListBucket"], "Resource": ["` + bucketARN + `", "` + bucketARN + `/object/shared/*"],
     "Condition": {"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "2001:db8::/32"]}}},
    {"Sid": "DenyOldPresigned", "Effect": "Deny", "Principal": {"AWS": "444455556666"}, "Action": "s3-outposts:*",
     "Resource": "` + bucketARN + `/object/*",
     "Condition": {"NumericGreaterThan": {"s3-outposts:signatureAge": 600000}, "StringEquals": {"s3-outposts:authType": "REST-QUERY-STRING"}}},
    {"Sid": "DenyUnsignedPayload", "Effect": "Deny", "Principal": {"AWS": ["111122223333", "444455556666"]}, "Action": "s3-outposts:PutObject",
     "Resource": "` + bucketARN + `/object/*", "Condition": {"StringEquals": {"s3-outposts:x-amz-content-sha256": "UNSIGNED-PAYLOAD"}}},
    {"Sid": "DenyOutsideNetwork", "Effect": "Deny", "Principal": {"AWS": "444455556666"}, "Action": "s3-outposts:*",
     "Resource": "` + bucketARN + `/object/*", "Condition": {"NotIpAddressIfExists": {"aws:SourceIp": "192.0.2.0/24"}, "BoolIfExists": {"aws:ViaAWSService": "false"}}}
  ]
}`

func BenchmarkEvaluate(b *testing.B) {
	bucket := mustResource(b, benchBucketPolicy)
	identity := mustIdentity(b, doc(`{"Effect":"Allow","Action":["s3-outposts:Get*","s3-outposts:List*"],"Resource":"*"}`))
	in := EvalInput{
		Request: Request{Action: "s3-outposts:GetObject", Resource: bucketARN + "/object/shared/report.csv", Principal: user(other, "bob"),
			Context: ctx("aws:sourceip", "192.0.2.17", "s3-outposts:authtype", "REST-QUERY-STRING", "s3-outposts:signatureage", "120000",
				"s3-outposts:x-amz-content-sha256", "UNSIGNED-PAYLOAD")},
		ResourceAccount:  owner,
		IdentityPolicies: []*Policy{identity},
		ResourcePolicies: []*Policy{bucket},
	}
	if d := Evaluate(in); !d.Allowed {
		b.Fatalf("benchmark request denied:\n%s", d)
	}
	b.Run("decision", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Evaluate(in)
		}
	})
	in.Explain = true
	b.Run("explain", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Evaluate(in)
		}
	})
}
