package sqlmeta

import (
	"testing"

	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/meta/metatest"
)

func TestSQLiteOutpostsConformance(t *testing.T) {
	metatest.RunOutposts(t, func(t *testing.T) meta.Store { return openSQLite(t) })
}

func TestPostgresOutpostsConformance(t *testing.T) {
	openPostgres(t) // skips without a server
	metatest.RunOutposts(t, func(t *testing.T) meta.Store { return openPostgres(t) })
}
