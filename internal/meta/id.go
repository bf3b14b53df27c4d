package meta

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"strings"
	"time"
)

var idEncoding = base32.HexEncoding.WithPadding(base32.NoPadding)

// NewID returns a fresh identifier for object versions and multipart
// uploads: 32 characters of lower-case base32hex (0-9, a-v), URL-safe.
// The first 8 bytes encoded are the current time in nanoseconds, so IDs made
// later sort later (useful in logs and listings), the other 12 are random.
func NewID() string {
	var b [20]byte
	binary.BigEndian.PutUint64(b[:8], uint64(time.Now().UnixNano()))
	if _, err := rand.Read(b[8:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return strings.ToLower(idEncoding.EncodeToString(b[:]))
}
