package s3api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/outpost-s3/outpost/internal/testserver"
)

// condFixture is a bucket for conditional delete tests.
type condFixture struct {
	t      *testing.T
	c      *s3.Client
	bucket string
}

func (f condFixture) put(key string) string {
	f.t.Helper()
	out, err := f.c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(f.bucket), Key: aws.String(key), Body: strings.NewReader("body of " + key)})
	if err != nil {
		f.t.Fatalf("PutObject %s: %v", key, err)
	}
	return aws.ToString(out.ETag)
}

func (f condFixture) del(key, ifMatch string, opt ...func(*s3.DeleteObjectInput)) (*s3.DeleteObjectOutput, error) {
	in := &s3.DeleteObjectInput{Bucket: aws.String(f.bucket), Key: aws.String(key), IfMatch: aws.String(ifMatch)}
	for _, o := range opt {
		o(in)
	}
	return f.c.DeleteObject(ctx, in)
}

// exists reports whether key has a current version.
func (f condFixture) exists(key string) bool {
	_, err := f.c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(f.bucket), Key: aws.String(key)})
	return err == nil
}

// TestConditionalDeleteObject (issue 12 item 5, AWS's conditional deletes
// of 2025): If-Match on DeleteObject deletes only when the current
// version's ETag matches (or, with "*", when there is one); a mismatch
// answers 412 PreconditionFailed and a key with no current version (none,
// or a delete marker) 404 NoSuchKey, and nothing is deleted. A version ID
// with If-Match, and the directory-bucket-only size and time conditions,
// answer 501 as on AWS general purpose buckets.
func TestConditionalDeleteObject(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.S3(t)
	for _, versioning := range []string{"", "Enabled"} {
		t.Run("versioning "+versioning, func(t *testing.T) {
			f := condFixture{t: t, c: c, bucket: "cond-del" + strings.ToLower(versioning)}
			srv.MustBucket(t, f.bucket)
			if versioning != "" {
				_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(f.bucket),
					VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
				if err != nil {
					t.Fatal(err)
				}
			}
			etag := f.put("k")

			_, err := f.del("k", `"0123456789abcdef0123456789abcdef"`)
			mustCode(t, err, "PreconditionFailed")
			if !f.exists("k") {
				t.Fatal("a delete whose If-Match failed deleted the object")
			}
			_, err = f.del("k", etag, func(in *s3.DeleteObjectInput) { in.VersionId = aws.String("null") })
			mustCode(t, err, "NotImplemented")
			_, err = f.del("k", etag, func(in *s3.DeleteObjectInput) { in.IfMatchSize = aws.Int64(11) })
			mustCode(t, err, "NotImplemented")
			if !f.exists("k") {
				t.Fatal("a refused conditional delete deleted the object")
			}

			out, err := f.del("k", etag)
			if err != nil {
				t.Fatalf("If-Match with the current ETag: %v", err)
			}
			if aws.ToBool(out.DeleteMarker) != (versioning == "Enabled") || f.exists("k") {
				t.Fatalf("matching conditional delete: marker %v, still there %v", aws.ToBool(out.DeleteMarker), f.exists("k"))
			}
			// No current version: gone, or a delete marker (whatever lies
			// under it) answers NoSuchKey, not success, to either form.
			_, err = f.del("k", etag)
			mustCode(t, err, "NoSuchKey")
			_, err = f.del("k", "*")
			mustCode(t, err, "NoSuchKey")
			_, err = f.del("never", "*")
			mustCode(t, err, "NoSuchKey")

			f.put("k")
			if _, err := f.del("k", "*"); err != nil || f.exists("k") {
				t.Fatalf("If-Match: * on an existing object: %v (still there: %v)", err, f.exists("k"))
			}
		})
	}
}

// TestConditionalDeleteObjects: DeleteObjects takes the same condition per
// entry, in its ETag element; each entry answers on its own.
func TestConditionalDeleteObjects(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.S3(t)
	f := condFixture{t: t, c: c, bucket: "cond-multi"}
	srv.MustBucket(t, f.bucket)
	etagA := f.put("a")
	f.put("b")
	f.put("c")
	f.put("d")
	f.put("e")
	obj := func(key string, etag *string) types.ObjectIdentifier {
		return types.ObjectIdentifier{Key: aws.String(key), ETag: etag}
	}
	out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(f.bucket), Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		obj("a", aws.String(etagA)),
		obj("b", aws.String("0123456789abcdef0123456789abcdef")),
		obj("c", aws.String("*")),
		obj("never", aws.String("*")),
		{Key: aws.String("d"), ETag: aws.String("*"), VersionId: aws.String("null")},
		{Key: aws.String("e"), Size: aws.Int64(9)},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	deleted := map[string]bool{}
	for _, d := range out.Deleted {
		deleted[aws.ToString(d.Key)] = true
	}
	codes := map[string]string{}
	for _, e := range out.Errors {
		codes[aws.ToString(e.Key)] = aws.ToString(e.Code)
	}
	want := map[string]string{"b": "PreconditionFailed", "never": "NoSuchKey", "d": "NotImplemented", "e": "NotImplemented"}
	if !deleted["a"] || !deleted["c"] || len(deleted) != 2 || len(codes) != len(want) {
		t.Fatalf("DeleteObjects with conditions: deleted %v, errors %v; want a and c deleted, errors %v", deleted, codes, want)
	}
	for k, code := range want {
		if codes[k] != code {
			t.Fatalf("entry %s: error %q, want %q (errors %v)", k, codes[k], code, codes)
		}
	}
	for key, gone := range map[string]bool{"a": true, "b": false, "c": true, "d": false, "e": false} {
		if f.exists(key) == gone {
			t.Fatalf("after DeleteObjects %s exists = %v", key, !gone)
		}
	}
}

// TestConditionalDeletePermissions: S3 asks s3:GetObject besides
// s3:DeleteObject for a delete conditioned on an ETag (the answer says
// whether the object changed), and only s3:DeleteObject for If-Match: *.
func TestConditionalDeletePermissions(t *testing.T) {
	srv := testserver.Start(t)
	root := srv.S3(t)
	f := condFixture{t: t, c: root, bucket: "cond-perm"}
	srv.MustBucket(t, f.bucket)
	ic := iam.New(iam.Options{Region: testserver.Region, BaseEndpoint: aws.String(srv.URL), HTTPClient: http.DefaultClient,
		Credentials: awscreds.NewStaticCredentialsProvider(testserver.AccessKey, testserver.SecretKey, "")})
	if _, err := ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("deleter")}); err != nil {
		t.Fatal(err)
	}
	k, err := ic.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("deleter")})
	if err != nil {
		t.Fatal(err)
	}
	policy := func(actions string) {
		t.Helper()
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[` + actions + `],"Resource":"arn:aws:s3:::cond-perm/*"}]}`
		if _, err := ic.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("deleter"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	user := condFixture{t: t, bucket: f.bucket, c: srv.S3(t, func(o *s3.Options) {
		o.Credentials = awscreds.NewStaticCredentialsProvider(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	})}

	policy(`"s3:DeleteObject"`)
	etag := f.put("k")
	_, err = user.del("k", etag)
	mustCode(t, err, "AccessDenied")
	out, err := user.c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(f.bucket), Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("k"), ETag: aws.String(etag)}}}})
	if err != nil || len(out.Errors) != 1 || aws.ToString(out.Errors[0].Code) != "AccessDenied" {
		t.Fatalf("DeleteObjects with an ETag and no s3:GetObject: %+v %v", out, err)
	}
	if !f.exists("k") {
		t.Fatal("a conditional delete refused for want of s3:GetObject deleted the object")
	}
	if _, err := user.del("k", "*"); err != nil || f.exists("k") {
		t.Fatalf("If-Match: * with s3:DeleteObject: %v (still there: %v)", err, f.exists("k"))
	}

	policy(`"s3:DeleteObject","s3:GetObject"`)
	etag = f.put("k")
	if _, err := user.del("k", etag); err != nil || f.exists("k") {
		t.Fatalf("If-Match: ETAG with s3:DeleteObject and s3:GetObject: %v (still there: %v)", err, f.exists("k"))
	}
}
