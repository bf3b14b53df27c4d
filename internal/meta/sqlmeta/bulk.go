package sqlmeta

import (
	"context"

	"github.com/outpost-s3/outpost/internal/meta"
)

// bulkChunk is how many objects PutObjectsBulk commits per transaction.
const bulkChunk = 5000

// PutObjectsBulk commits many new object versions with PutObject's rules,
// bulkChunk to a transaction: it loads a bucket with 100 000 keys in
// seconds (benchmarks, imports) where one PutObject call per key pays one
// durable commit each. It is not atomic as a whole; blobs freed by
// replaced versions are not reported, so use it on keys that are new.
func (s *Store) PutObjectsBulk(ctx context.Context, objs []*meta.Object) error {
	for len(objs) > 0 {
		chunk := objs[:min(bulkChunk, len(objs))]
		objs = objs[len(chunk):]
		err := s.writeObjects(ctx, "put objects", func(c conn) error {
			for _, o := range chunk {
				o.DeleteMarker = false
				if _, err := c.putObject(o); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
