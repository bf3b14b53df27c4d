package sqlmeta

import (
	"testing"

	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/meta/metatest"
)

func TestSQLiteIAMConformance(t *testing.T) {
	metatest.RunIAM(t, func(t *testing.T) meta.Store { return openSQLite(t) })
}

func TestPostgresIAMConformance(t *testing.T) {
	openPostgres(t) // skips without a server
	metatest.RunIAM(t, func(t *testing.T) meta.Store { return openPostgres(t) })
}
