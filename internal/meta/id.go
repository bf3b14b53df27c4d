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

// uniqueIDAlphabet is RFC 4648 base32 (A–Z, 2–7): the characters of the
// unique IDs AWS gives IAM entities (AIDAJQABLZS4A3QDU576Q).
const uniqueIDAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// UniqueIDLen is the length of an IAM unique ID: a 4-letter prefix and 17
// base32 characters (85 random bits), as AWS's are.
const UniqueIDLen = 21

// IDPrefix returns the prefix of the unique IDs of an entity kind, as IAM
// uses them (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-prefixes):
// AIDA for users, AGPA for groups, AROA for roles.
func (k EntityKind) IDPrefix() string {
	switch k {
	case KindUser:
		return "AIDA"
	case KindGroup:
		return "AGPA"
	case KindRole:
		return "AROA"
	}
	return ""
}

// NewUniqueID returns a fresh IAM unique ID with the given 4-letter prefix
// (AIDA, AGPA, AROA, ANPA): UniqueIDLen characters, the prefix then 17
// base32 characters from crypto/rand. IDs are never reused: an entity
// deleted and created again under the same name gets a new one, which is
// what lets credentials tell the two apart.
func NewUniqueID(prefix string) string {
	var b [17]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	for i := range b {
		b[i] = uniqueIDAlphabet[b[i]&31] // 256 is a multiple of 32: uniform
	}
	return prefix + string(b[:])
}
