package sqlmeta

import (
	"errors"
	"sync"
	"sync/atomic"

	"github.com/outpost-s3/outpost/internal/meta"
)

// readCache keeps the answers to the point reads that every request makes
// (access key, bucket, bucket configuration, access point, IAM entity and
// policies, object) so that a GET or HEAD does not go to SQLite four times.
//
// It is only used on the embedded SQLite store, where this process is the
// only writer (the data directory is locked). Every answer is tagged with
// the write generations read before the query ran; every write transaction
// bumps the generations after it ends and before the writer returns. So an
// answer is served from the cache only while no write has finished since it
// was read, and a change — a key deleted, a policy narrowed, an object
// overwritten — is seen by the very next request, exactly as without the
// cache.
//
// Two generations keep object traffic from emptying the configuration
// answers: object-only writes (PutObject, DeleteObject, multipart) bump
// objGen; every other write bumps both.
type readCache struct {
	cfgGen atomic.Uint64
	objGen atomic.Uint64

	mu    sync.RWMutex
	m     map[cacheKey]cacheEntry
	max   int // entries
	bytes int // inline object bytes held
	maxB  int
}

type cacheKind uint8

const (
	cacheAccessKey cacheKind = iota + 1
	cacheBucket
	cacheBucketConfig
	cacheAccessPoint
	cacheAccessPointAlias
	cacheIAMEntity
	cacheIdentityPolicies
	cacheAccount
	cacheObject
)

type cacheKey struct {
	kind    cacheKind
	a, b, c string
}

type cacheEntry struct {
	cfg, obj uint64
	objDep   bool // valid only while objGen is unchanged too
	v        any
	err      error
}

func newReadCache(maxEntries, maxInlineBytes int) *readCache {
	return &readCache{m: make(map[cacheKey]cacheEntry), max: maxEntries, maxB: maxInlineBytes}
}

// bump records that a write transaction ended (committed, rolled back or
// failed in an unknown state).
func (c *readCache) bump(objectsOnly bool) {
	if c == nil {
		return
	}
	c.objGen.Add(1)
	if !objectsOnly {
		c.cfgGen.Add(1)
	}
}

// cacheable reports whether an error is a stable answer (the row does not
// exist) rather than a failure to be retried.
func cacheable(err error) bool {
	if err == nil {
		return true
	}
	if errors.Is(err, meta.ErrUnavailable) {
		return false
	}
	for _, e := range []error{meta.ErrNotFound, meta.ErrNoSuchBucket, meta.ErrNoSuchKey, meta.ErrNoSuchVersion, meta.ErrNoSuchAccessPoint, meta.ErrMethodNotAllowed} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// cached answers k from the cache when it is current, or runs load and
// keeps its answer. Values handed out are shared: callers must not change
// the maps or slices inside them.
func cached[T any](c *readCache, k cacheKey, objDep bool, load func() (T, error)) (T, error) {
	if c == nil {
		return load()
	}
	cfg, obj := c.cfgGen.Load(), c.objGen.Load()
	c.mu.RLock()
	e, ok := c.m[k]
	c.mu.RUnlock()
	if ok && e.cfg == cfg && (!e.objDep || e.obj == obj) {
		v, _ := e.v.(T)
		return v, e.err
	}
	v, err := load()
	if !cacheable(err) {
		return v, err
	}
	cost := 0
	if o, ok := any(v).(meta.Object); ok {
		cost = len(o.Inline)
	}
	c.mu.Lock()
	if len(c.m) >= c.max || c.bytes+cost > c.maxB {
		clear(c.m)
		c.bytes = 0
	}
	if old, ok := c.m[k]; ok {
		if o, ok := old.v.(meta.Object); ok {
			c.bytes -= len(o.Inline)
		}
	}
	c.m[k] = cacheEntry{cfg: cfg, obj: obj, objDep: objDep, v: v, err: err}
	c.bytes += cost
	c.mu.Unlock()
	return v, err
}
