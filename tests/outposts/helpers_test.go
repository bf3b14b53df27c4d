// Package outposts_test drives the S3 on Outposts control plane (the S3
// Control API and the s3outposts API) and lifecycle enforcement through
// real clients against a real server.
package outposts_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/s3outposts"
	"github.com/aws/smithy-go"

	"github.com/outpost-s3/outpost/internal/app"
	"github.com/outpost-s3/outpost/internal/server"
	"github.com/outpost-s3/outpost/internal/testserver"
)

var ctx = context.Background()

const (
	region  = testserver.Region
	account = testserver.AccountID
	outpost = testserver.OutpostID
)

func bucketARN(name string) string {
	return "arn:aws:s3-outposts:" + region + ":" + account + ":outpost/" + outpost + "/bucket/" + name
}

func accessPointARN(name string) string {
	return "arn:aws:s3-outposts:" + region + ":" + account + ":outpost/" + outpost + "/accesspoint/" + name
}

// clock is the real clock plus a movable offset. Requests are signed with
// the real time, so tests move it forward only around a lifecycle pass.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Set moves the clock to real time plus offset.
func (c *clock) Set(offset time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = offset
}

// start runs a server with small limits and, if clk is set, its clock.
func start(t *testing.T, clk *clock) *testserver.Server {
	t.Helper()
	return testserver.Start(t, testserver.Options{Config: func(c *app.Config) {
		c.Limits = server.Limits{BucketsPerAccount: 5, AccessPointsPerBucket: 2, EndpointsPerOutpost: 3}
		if clk != nil {
			c.Now = clk.Now
		}
	}})
}

func controlClient(srv *testserver.Server) *s3control.Client {
	return s3control.New(s3control.Options{
		Region:       region,
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  awscreds.NewStaticCredentialsProvider(testserver.AccessKey, testserver.SecretKey, ""),
		HTTPClient:   http.DefaultClient,
	})
}

func outpostsClient(srv *testserver.Server) *s3outposts.Client {
	return s3outposts.New(s3outposts.Options{
		Region:       region,
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  awscreds.NewStaticCredentialsProvider(testserver.AccessKey, testserver.SecretKey, ""),
		HTTPClient:   http.DefaultClient,
	})
}

// wantCode fails unless err is an API error with the code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Fatalf("%s: err = %v, want %s", what, err, code)
	}
}

// ok returns v, failing the test (with what) if err is set:
// ok(c.GetBucket(ctx, in))(t, "GetBucket").
func ok[T any](v T, err error) func(t *testing.T, what string) T {
	return func(t *testing.T, what string) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}
