package presigned_test

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/outpost-s3/outpost/internal/app"
	"github.com/outpost-s3/outpost/internal/server"
	"github.com/outpost-s3/outpost/internal/testserver"
	"github.com/outpost-s3/outpost/presign"
)

// TestTwoServersInOneProcess holds "no hidden globals": two servers with
// different data directories, in one process and used at once, share no
// state. Buckets, objects and the requests their observers see stay each
// server's own.
func TestTwoServersInOneProcess(t *testing.T) {
	obsA, obsB := &records{}, &records{}
	a := testserver.Start(t, testserver.Options{Config: func(c *app.Config) { c.Observers = []server.Observer{obsA} }})
	b := testserver.Start(t, testserver.Options{Config: func(c *app.Config) { c.Observers = []server.Observer{obsB} }})
	if a.DataDir == b.DataDir {
		t.Fatal("the servers share a data directory")
	}
	a.MustBucket(t, "shared-name")
	b.MustBucket(t, "shared-name")
	a.MustBucket(t, "only-a")
	obsA.take()
	obsB.take()

	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range n {
		for name, srv := range map[string]*testserver.Server{"a": a, "b": b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := srv.S3(t).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared-name"), Key: aws.String(fmt.Sprintf("k%d", i)),
					Body: bytes.NewReader([]byte(name + fmt.Sprint(i)))})
				errs <- err
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for name, srv := range map[string]*testserver.Server{"a": a, "b": b} {
		for i := range n {
			out, err := srv.S3(t).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("shared-name"), Key: aws.String(fmt.Sprintf("k%d", i))})
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(out.Body)
			out.Body.Close()
			if want := name + fmt.Sprint(i); string(body) != want {
				t.Fatalf("server %s k%d = %q, want %q", name, i, body, want)
			}
		}
	}
	if _, err := b.S3(t).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("only-a")}); err == nil {
		t.Fatal("server b sees server a's bucket")
	}
	// A link made for a's object works on a and finds nothing on b.
	u := func(srv *testserver.Server) string {
		return mustURL(t, presign.Request{Resource: "only-a", Key: "x", Expires: time.Minute, Endpoint: srv.URL})
	}
	put(t, a, "only-a", "x", []byte("a's"))
	if st, body, _ := fetch(t, "GET", u(a), nil, nil); st != 200 || string(body) != "a's" {
		t.Fatalf("a: %d %s", st, body)
	}
	if st, body, _ := fetch(t, "GET", u(b), nil, nil); st != 404 {
		t.Fatalf("b: %d %s, want 404 NoSuchBucket", st, body)
	}
	ra, rb := obsA.take(), obsB.take()
	// Each saw its n PUTs and n GETs, plus a's PUT and link GET, b's HEAD and link GET.
	if len(ra) != 2*n+2 || len(rb) != 2*n+2 {
		t.Fatalf("observers saw %d and %d records, want %d each", len(ra), len(rb), 2*n+2)
	}
}
