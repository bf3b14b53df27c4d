package presigned_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/outpost-s3/outpost/internal/testserver"
)

// TestUnmodifiedSDKReachesAnAliasOnAWSHostName: given an access point
// alias, the AWS SDK ignores any custom endpoint and goes to
// https://{alias}.op-{outpost}.s3-outposts.{region}.amazonaws.com. With that
// name pointed at Outpost (a hosts-file line, here the client's dialer) and
// the generated CA trusted, an SDK with no endpoint setting uploads,
// downloads and presigns through the alias: the generated certificate
// covers the name.
func TestUnmodifiedSDKReachesAnAliasOnAWSHostName(t *testing.T) {
	o := newOutpostsSetup(t)
	var hosts []string
	c := s3.New(s3.Options{
		Region:      testserver.Region,
		Credentials: awscreds.NewStaticCredentialsProvider(testserver.AccessKey, testserver.SecretKey, ""),
		HTTPClient:  recordHosts{o.client, &hosts},
	})
	body := []byte("reached through the alias on its AWS host name")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(o.alias), Key: aws.String("alias.txt"), Body: bytes.NewReader(body)}); err != nil {
		t.Fatalf("PutObject by alias with no endpoint: %v", err)
	}
	want := o.alias + ".op-01ac5d28a6a232904.s3-outposts.us-east-1.amazonaws.com"
	if len(hosts) == 0 || hosts[0] != want {
		t.Fatalf("the SDK went to %v, want %s", hosts, want)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(o.alias), Key: aws.String("alias.txt")})
	if err != nil {
		t.Fatalf("GetObject by alias: %v", err)
	}
	got, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if !bytes.Equal(got, body) {
		t.Fatalf("GetObject = %q", got)
	}
	ps, err := s3.NewPresignClient(c).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(o.alias), Key: aws.String("alias.txt")}, s3.WithPresignExpires(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ps.URL, "https://"+want+"/alias.txt?") {
		t.Fatalf("presigned URL %s", ps.URL)
	}
	if st, b, _ := o.do(t, "GET", ps.URL, nil, nil); st != 200 || !bytes.Equal(b, body) {
		t.Fatalf("presigned GET by alias: %d %s", st, b)
	}
	// The request log names the host, the access point and its bucket.
	logs := o.srv.Logs.String()
	for _, want := range []string{`"host":"` + want + `"`, `"access_point":"` + o.apARN + `"`, `"bucket":"shared-docs"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("request log lacks %s", want)
		}
	}
}

// recordHosts is an aws.HTTPClient that notes each request's host.
type recordHosts struct {
	c interface {
		Do(*http.Request) (*http.Response, error)
	}
	hosts *[]string
}

func (r recordHosts) Do(req *http.Request) (*http.Response, error) {
	*r.hosts = append(*r.hosts, req.URL.Hostname())
	return r.c.Do(req)
}
