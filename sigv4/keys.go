package sigv4

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"errors"
	"hash"
	"hash/maphash"
	"math/big"
	"sync"
	"sync/atomic"
	"time"
)

// workspace holds the per-request buffers of signing and verification; it
// is pooled so the hot path allocates almost nothing.
type workspace struct {
	h       hash.Hash // sha256
	pad     [64]byte
	inner   [32]byte
	sum     [32]byte
	mac     [32]byte // checkHMAC's result: a local would escape through hash.Hash.Sum
	creq    []byte
	sts     []byte
	tmp     []byte
	scratch []byte
	pairs   []queryPair
	names   [24]string
}

var wsPool = sync.Pool{New: func() any {
	return &workspace{
		h:    sha256.New(),
		creq: make([]byte, 0, 1024),
		sts:  make([]byte, 0, 256),
		tmp:  make([]byte, 0, 256),
	}
}}

func getWS() *workspace { return wsPool.Get().(*workspace) }

func putWS(ws *workspace) {
	if cap(ws.creq) > 64<<10 || cap(ws.scratch) > 64<<10 || cap(ws.pairs) > 1024 {
		return // don't keep huge buffers alive
	}
	clear(ws.pairs)
	ws.pairs = ws.pairs[:0]
	// ws.names is cleared by presign, its only user, rather than here on
	// every request.
	ws.creq, ws.sts, ws.tmp, ws.scratch = ws.creq[:0], ws.sts[:0], ws.tmp[:0], ws.scratch[:0]
	wsPool.Put(ws)
}

// hmacSHA256 computes HMAC-SHA256(key, msg) into out using the pooled
// hasher; key must be at most 64 bytes (all SigV4 keys are).
func (ws *workspace) hmacSHA256(key, msg []byte, out *[32]byte) {
	h := ws.h
	for i := range ws.pad {
		ws.pad[i] = 0x36
	}
	for i, b := range key {
		ws.pad[i] ^= b
	}
	h.Reset()
	h.Write(ws.pad[:])
	h.Write(msg)
	h.Sum(ws.inner[:0])
	for i := range ws.pad {
		ws.pad[i] ^= 0x36 ^ 0x5c
	}
	h.Reset()
	h.Write(ws.pad[:])
	h.Write(ws.inner[:])
	h.Sum(out[:0])
}

// hmacLongKey handles keys longer than a block (a secret longer than 60
// bytes): the key is hashed first, as HMAC prescribes.
func (ws *workspace) hmacAnyKey(key, msg []byte, out *[32]byte) {
	if len(key) > 64 {
		k := sha256.Sum256(key)
		ws.hmacSHA256(k[:], msg, out)
		return
	}
	ws.hmacSHA256(key, msg, out)
}

// sha256Of hashes b with the pooled hasher into ws.sum.
func (ws *workspace) sha256Of(b []byte) *[32]byte {
	ws.h.Reset()
	ws.h.Write(b)
	ws.h.Sum(ws.sum[:0])
	return &ws.sum
}

// deriveSigningKey computes the SigV4 signing key
// HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
func (ws *workspace) deriveSigningKey(secret, date, region, service string) [32]byte {
	var k [32]byte
	ws.tmp = append(append(ws.tmp[:0], "AWS4"...), secret...)
	n := len(ws.tmp)
	ws.tmp = append(ws.tmp, date...)
	ws.hmacAnyKey(ws.tmp[:n], ws.tmp[n:], &k)
	ws.tmp = append(ws.tmp[:0], region...)
	ws.hmacSHA256(k[:], ws.tmp, &k)
	ws.tmp = append(ws.tmp[:0], service...)
	ws.hmacSHA256(k[:], ws.tmp, &k)
	ws.tmp = append(ws.tmp[:0], "aws4_request"...)
	ws.hmacSHA256(k[:], ws.tmp, &k)
	return k
}

// keyCache caches derived SigV4 signing keys and SigV4A key pairs. Entries
// are keyed by a fingerprint of the secret too, so a rotated secret never
// hits a stale entry. It is bounded and safe for concurrent use.
type keyCache struct {
	seed maphash.Seed
	max  int
	mu   sync.RWMutex
	v4   map[v4CacheKey]*v4Entry
	v4a  map[v4aCacheKey]*ecdsa.PrivateKey
	// hot is a lock-free front for v4: a direct-mapped table of entries,
	// indexed by the secret's fingerprint. A hit costs one atomic load and
	// comparing the key fields, instead of hashing all of them for the map
	// under the read lock (whose shared reader count also moves between
	// cores on every request). A miss falls back to the map and publishes
	// the entry found there. Keys used under several scopes at once share
	// a slot and may keep replacing each other: that only costs misses.
	hot [hotSlots]atomic.Pointer[v4Entry]
}

// hotSlots is the size of keyCache.hot.
const hotSlots = 64

type v4CacheKey struct {
	akid, date, region, service string
	secret                      uint64
}

// v4Entry is a cached signing key with what it was derived from; it never
// changes once stored.
type v4Entry struct {
	k   v4CacheKey
	key signingKey
}

type v4aCacheKey struct {
	akid   string
	secret uint64
}

func newKeyCache(max int) *keyCache {
	if max <= 0 {
		max = 4096
	}
	return &keyCache{
		seed: maphash.MakeSeed(),
		max:  max,
		v4:   make(map[v4CacheKey]*v4Entry),
		v4a:  make(map[v4aCacheKey]*ecdsa.PrivateKey),
	}
}

// signingKey is a derived SigV4 key with the SHA-256 states after the
// HMAC inner and outer pads, so each signature saves two block hashes.
type signingKey struct {
	raw          [32]byte
	inner, outer []byte // marshalled sha256 states
}

func newSigningKey(raw [32]byte) signingKey {
	k := signingKey{raw: raw}
	var pad [64]byte
	for i := range pad {
		pad[i] = 0x36
	}
	for i, b := range raw {
		pad[i] ^= b
	}
	h := sha256.New()
	h.Write(pad[:])
	k.inner, _ = h.(encoding.BinaryMarshaler).MarshalBinary()
	for i := range pad {
		pad[i] ^= 0x36 ^ 0x5c
	}
	h.Reset()
	h.Write(pad[:])
	k.outer, _ = h.(encoding.BinaryMarshaler).MarshalBinary()
	return k
}

// hmac computes HMAC-SHA256(k, msg) into out from the saved pad states.
func (ws *workspace) hmac(k *signingKey, msg []byte, out *[32]byte) {
	u, ok := ws.h.(encoding.BinaryUnmarshaler)
	if !ok || k.inner == nil || u.UnmarshalBinary(k.inner) != nil {
		ws.hmacSHA256(k.raw[:], msg, out)
		return
	}
	ws.h.Write(msg)
	ws.h.Sum(ws.inner[:0])
	if u.UnmarshalBinary(k.outer) != nil {
		ws.hmacSHA256(k.raw[:], msg, out)
		return
	}
	ws.h.Write(ws.inner[:])
	ws.h.Sum(out[:0])
}

func (c *keyCache) signingKey(ws *workspace, akid, secret, date, region, service string) signingKey {
	if c == nil {
		return newSigningKey(ws.deriveSigningKey(secret, date, region, service))
	}
	k := v4CacheKey{akid, date, region, service, maphash.String(c.seed, secret)}
	slot := &c.hot[k.secret%hotSlots]
	if e := slot.Load(); e != nil && e.k == k {
		return e.key
	}
	c.mu.RLock()
	e, ok := c.v4[k]
	c.mu.RUnlock()
	if !ok {
		e = &v4Entry{key: newSigningKey(ws.deriveSigningKey(secret, date, region, service))}
		e.k = v4CacheKey{cloneString(akid), cloneString(date), cloneString(region), cloneString(service), k.secret}
		c.mu.Lock()
		if len(c.v4) >= c.max {
			evictHalf(c.v4)
		}
		c.v4[e.k] = e
		c.mu.Unlock()
	}
	slot.Store(e)
	return e.key
}

func (c *keyCache) ecdsaKey(akid, secret string) (*ecdsa.PrivateKey, error) {
	if c == nil {
		return deriveV4AKey(akid, secret)
	}
	k := v4aCacheKey{akid, maphash.String(c.seed, secret)}
	c.mu.RLock()
	v, ok := c.v4a[k]
	c.mu.RUnlock()
	if ok {
		return v, nil
	}
	v, err := deriveV4AKey(akid, secret)
	if err != nil {
		return nil, err
	}
	k.akid = cloneString(akid)
	c.mu.Lock()
	if len(c.v4a) >= c.max {
		evictHalf(c.v4a)
	}
	c.v4a[k] = v
	c.mu.Unlock()
	return v, nil
}

// evictHalf drops about half the entries; map iteration order is random,
// which makes this a cheap random eviction.
func evictHalf[K comparable, V any](m map[K]V) {
	n := len(m) / 2
	for k := range m {
		if n <= 0 {
			break
		}
		delete(m, k)
		n--
	}
}

func cloneString(s string) string {
	b := make([]byte, len(s))
	copy(b, s)
	return string(b)
}

// signerCache memoises derived keys for the signing functions of this
// package (SignRequest, Presign, …): deriving a SigV4 key costs four HMACs
// and a SigV4A key a P-256 scalar multiplication. It only memoises pure
// functions of the credentials, so it holds no behaviour-changing state.
var signerCache = newKeyCache(1024)

var p256NMinus2 = func() *big.Int {
	n := new(big.Int).Set(elliptic.P256().Params().N)
	return n.Sub(n, big.NewInt(2))
}()

// deriveV4AKey derives the SigV4A ECDSA P-256 key pair of an access key:
// NIST SP 800-108 KDF in counter mode with HMAC-SHA256, key "AWS4A"+secret,
// label "AWS4-ECDSA-P256-SHA256", context accessKeyID||counterByte, L=256;
// the candidate k is accepted when k < n-2 and the private scalar is k+1
// (FIPS 186-4 B.4.2), as aws-sdk-go-v2 internal/v4a does.
func deriveV4AKey(akid, secret string) (*ecdsa.PrivateKey, error) {
	ws := getWS()
	defer putWS(ws)
	key := append(append(make([]byte, 0, 5+len(secret)), "AWS4A"...), secret...)
	var nm2 [32]byte
	p256NMinus2.FillBytes(nm2[:])
	for counter := 1; counter <= 255; counter++ {
		// fixed input: uint32be(i=1) || label || 0x00 || akid || counter || uint32be(256)
		msg := ws.tmp[:0]
		msg = binary.BigEndian.AppendUint32(msg, 1)
		msg = append(msg, AlgorithmV4A...)
		msg = append(msg, 0)
		msg = append(msg, akid...)
		msg = append(msg, byte(counter))
		msg = binary.BigEndian.AppendUint32(msg, 256)
		ws.tmp = msg
		var k [32]byte
		ws.hmacAnyKey(key, msg, &k)
		if compareBytes(k[:], nm2[:]) < 0 {
			d := new(big.Int).SetBytes(k[:])
			d.Add(d, big.NewInt(1))
			var db [32]byte
			d.FillBytes(db[:])
			return ecdsa.ParseRawPrivateKey(elliptic.P256(), db[:])
		}
	}
	return nil, errors.New("sigv4: SigV4A key derivation exhausted its counter")
}

// compareBytes compares equal-length big-endian numbers in constant time.
func compareBytes(a, b []byte) int {
	gt, lt := 0, 0
	for i := range a {
		x, y := int(a[i]), int(b[i])
		// once gt or lt is set, later bytes don't change the result
		undecided := 1 ^ (gt | lt)
		gt |= undecided & int(uint(y-x)>>63)
		lt |= undecided & int(uint(x-y)>>63)
	}
	return gt - lt
}

const amzDateFormat = "20060102T150405Z"

// parseAmzDate parses "yyyyMMddTHHmmssZ" without allocating.
func parseAmzDate(s string) (time.Time, bool) {
	if len(s) != 16 || s[8] != 'T' || s[15] != 'Z' {
		return time.Time{}, false
	}
	num := func(b string) (int, bool) {
		n := 0
		for i := 0; i < len(b); i++ {
			if b[i] < '0' || b[i] > '9' {
				return 0, false
			}
			n = n*10 + int(b[i]-'0')
		}
		return n, true
	}
	y, ok1 := num(s[0:4])
	mo, ok2 := num(s[4:6])
	d, ok3 := num(s[6:8])
	h, ok4 := num(s[9:11])
	mi, ok5 := num(s[11:13])
	se, ok6 := num(s[13:15])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, se, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// appendAmzDate appends t in "yyyyMMddTHHmmssZ" (UTC).
func appendAmzDate(dst []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(dst, amzDateFormat)
}
