package presigned_test

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outpost-s3/outpost/internal/app"
	"github.com/outpost-s3/outpost/internal/server"
	"github.com/outpost-s3/outpost/internal/testserver"
	"github.com/outpost-s3/outpost/presign"
	"github.com/outpost-s3/outpost/sigv4"
)

// records collects what an Observer is given.
type records struct {
	mu  sync.Mutex
	all []server.Record
}

func (r *records) Observe(_ context.Context, rec *server.Record) {
	r.mu.Lock()
	r.all = append(r.all, *rec)
	r.mu.Unlock()
}

func (r *records) take() []server.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.all
	r.all = nil
	return out
}

// TestObserverGetsOneRecordPerRequest holds the front door's Observer seam:
// each request, whatever its API and however it ended, gives exactly one
// record naming the operation, the caller, how it authenticated and, for a
// presigned URL, a link ID that is the same on every use of that URL,
// differs between URLs and never reveals the signature.
func TestObserverGetsOneRecordPerRequest(t *testing.T) {
	obs := &records{}
	srv := testserver.Start(t, testserver.Options{Config: func(c *app.Config) { c.Observers = []server.Observer{obs} }})
	srv.MustBucket(t, "seen")
	put(t, srv, "seen", "a.txt", []byte("hello, observer"))
	obs.take()

	link := func(expires time.Duration) string {
		return mustURL(t, presign.Request{Resource: "seen", Key: "a.txt", Expires: expires, Endpoint: srv.URL})
	}
	one, other := link(time.Hour), link(2*time.Hour)
	for _, u := range []string{one, one, other} {
		if st, b, _ := fetch(t, "GET", u, nil, nil); st != 200 {
			t.Fatalf("GET %s: %d %s", u, st, b)
		}
	}
	// A tampered link, an anonymous request, and an S3 Control call.
	bad := strings.Replace(one, "a.txt", "b.txt", 1)
	if st, _, _ := fetch(t, "GET", bad, nil, nil); st != 403 {
		t.Fatalf("tampered link: %d", st)
	}
	if st, _, _ := fetch(t, "GET", srv.URL+"/seen/a.txt", nil, nil); st != 403 {
		t.Fatalf("anonymous GET: %d", st)
	}
	if st, _, _ := fetch(t, "GET", srv.URL+"/v20180820/bucket", nil, nil); st != 403 {
		t.Fatalf("anonymous ListRegionalBuckets: %d", st)
	}

	recs := obs.take()
	if len(recs) != 6 {
		t.Fatalf("%d records for 6 requests: %+v", len(recs), recs)
	}
	sig := func(u string) string { p, _ := url.Parse(u); return p.Query().Get("X-Amz-Signature") }
	for i, rec := range recs[:3] {
		if rec.API != server.APIS3 || rec.Operation != "GetObject" || rec.Status != 200 || rec.Bytes != int64(len("hello, observer")) {
			t.Errorf("record %d: %+v", i, rec)
		}
		if rec.AuthType != sigv4.AuthQuery || rec.AccessKeyID != testserver.AccessKey || rec.Principal == "" || rec.Bucket != "seen" || rec.Key != "a.txt" {
			t.Errorf("record %d caller: %+v", i, rec)
		}
		if len(rec.LinkID) != 24 || strings.Contains(sig(one)+sig(other), rec.LinkID) {
			t.Errorf("record %d link ID %q", i, rec.LinkID)
		}
		if rec.RequestID == "" || rec.Duration <= 0 || rec.ErrorCode != "" {
			t.Errorf("record %d: %+v", i, rec)
		}
	}
	if recs[0].LinkID != recs[1].LinkID || recs[0].LinkID == recs[2].LinkID {
		t.Errorf("link IDs %q %q %q: want the first two equal, the third different", recs[0].LinkID, recs[1].LinkID, recs[2].LinkID)
	}
	if r := recs[3]; r.Status != 403 || r.ErrorCode != "SignatureDoesNotMatch" || r.Principal != "" || r.LinkID != "" {
		t.Errorf("tampered link record: %+v", r)
	}
	if r := recs[4]; r.Status != 403 || r.ErrorCode != "AccessDenied" || r.AuthType != sigv4.AuthAnonymous || r.LinkID != "" {
		t.Errorf("anonymous record: %+v", r)
	}
	if r := recs[5]; r.API != server.APIControl || r.Operation != "ListRegionalBuckets" || r.Status != 403 {
		t.Errorf("S3 Control record: %+v", r)
	}
	if recs[0].LinkID != server.LinkID("AWS4-HMAC-SHA256", mustQuery(t, one, "X-Amz-Credential"), sig(one)) {
		t.Errorf("link ID %q is not LinkID of the URL's credential and signature", recs[0].LinkID)
	}
}

func mustQuery(t *testing.T, u, name string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return p.Query().Get(name)
}
