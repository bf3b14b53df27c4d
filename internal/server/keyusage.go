package server

import (
	"context"
	"sync"

	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/sigv4"
)

// keyUsage holds, in memory, the last authenticated use of each long-term
// access key since the last flush, for IAM's GetAccessKeyLastUsed. Every
// signed request is a use; writing the store on each one would put a write
// transaction on every read, so uses are kept here and FlushKeyUsage
// writes them in one transaction (app runs it every minute and at
// shutdown). A flush that fails keeps its uses for the next one.
type keyUsage struct {
	mu      sync.Mutex
	pending map[string]meta.AccessKeyUse
}

// record keeps u as its key's last use unless a later one is held.
func (k *keyUsage) record(u meta.AccessKeyUse) {
	k.mu.Lock()
	if old, ok := k.pending[u.AccessKeyID]; !ok || !old.At.After(u.At) {
		if k.pending == nil {
			k.pending = make(map[string]meta.AccessKeyUse)
		}
		k.pending[u.AccessKeyID] = u
	}
	k.mu.Unlock()
}

// get returns the use of id held since the last flush.
func (k *keyUsage) get(id string) (meta.AccessKeyUse, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	u, ok := k.pending[id]
	return u, ok
}

// take returns the held uses and forgets them.
func (k *keyUsage) take() []meta.AccessKeyUse {
	k.mu.Lock()
	m := k.pending
	k.pending = nil
	k.mu.Unlock()
	out := make([]meta.AccessKeyUse, 0, len(m))
	for _, u := range m {
		out = append(out, u)
	}
	return out
}

// recordKeyUse notes that a long-term access key authenticated a request
// signed for service in region. SigV2 names no service and SigV2 and
// SigV4A no single region: S3 at this server's region stands for them.
// Temporary (STS) credentials are not IAM access keys and are not tracked.
func (s *Server) recordKeyUse(v *sigv4.Verified) {
	if v == nil || v.AuthType == sigv4.AuthAnonymous || v.Key.AccessKeyID == "" || v.Key.SessionToken != "" {
		return
	}
	u := meta.AccessKeyUse{AccessKeyID: v.Key.AccessKeyID, At: s.now().UTC(), Service: v.Service, Region: v.Region}
	if u.Service == "" {
		u.Service = "s3"
	}
	if u.Region == "" {
		u.Region = s.cfg.Region
	}
	s.keyUse.record(u)
}

// accessKeyLastUsed is a key's last use: the one held in memory if any
// (it is newer than the store's), else the stored one.
func (s *Server) accessKeyLastUsed(ctx context.Context, id string) (meta.AccessKeyUse, error) {
	if u, ok := s.keyUse.get(id); ok {
		return u, nil
	}
	return s.cfg.Meta.GetAccessKeyLastUsed(ctx, id)
}

// FlushKeyUsage writes the access key uses seen since the last flush to
// the metadata store in one transaction. On failure they are kept (unless
// a newer use arrived meanwhile) for the next flush.
func (s *Server) FlushKeyUsage(ctx context.Context) error {
	uses := s.keyUse.take()
	if len(uses) == 0 {
		return nil
	}
	if err := s.cfg.Meta.RecordAccessKeyUses(ctx, uses); err != nil {
		for _, u := range uses {
			s.keyUse.record(u)
		}
		return err
	}
	return nil
}
