package arn

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// AliasSuffix ends every S3 on Outposts access point alias. It is reserved:
// bucket names may not end with it (see [ValidBucketName]).
const AliasSuffix = "--op-s3"

// Hardware types encoded in an access point alias.
const (
	HWTypeRack   byte = 'o' // Outposts rack
	HWTypeServer byte = 'e' // Outposts server (EC2)
)

// Alias layout, counted from the end of the alias as the AWS SDK endpoint
// rules do (substring(Bucket, a, b, reverse=true)). The documented example
//
//	example-outp-o01ac5d28a6a232904e8xz5w8ijx1qzlbp3i3kuse10--op-s3
//
// decomposes as
//
//	"example-outp-"        name prefix: first 12 chars of the access point name + "-"
//	"o"                    [len-50]          hardware type
//	"01ac5d28a6a232904"    [len-49, len-32)  outpost ID without "op-"
//	"e8xz5w8ijx1qzlbp3i3k" [len-32, len-12)  20 chars of opaque metadata
//	"use1"                 [len-12, len-8)   region prefix
//	"0"                    [len-8]           reserved; "0" in every published alias
//	"--op-s3"              [len-7, len)      suffix
const (
	aliasNamePrefixLen = 12
	aliasTailLen       = 50 // hw(1) + outpost(17) + metadata(20) + region(4) + reserved(1) + suffix(7)
	aliasMetadataLen   = 20
)

// Alias is the decoded form of an S3 on Outposts access point alias
// (https://docs.aws.amazon.com/AmazonS3/latest/s3-outposts/s3-outposts-access-points-alias.html).
// Aliases can be used as a bucket name in object operations, never in IAM
// policies or control-plane operations.
type Alias struct {
	NamePrefix   string // leading part of the access point name (at most 12 chars)
	HWType       byte   // HWTypeRack ('o') or HWTypeServer ('e')
	OutpostID    string // the 17 characters after "op-", e.g. "01ac5d28a6a232904"
	Metadata     string // 20 opaque characters
	RegionPrefix string // 4 characters, e.g. "use1"; "beta" is special-cased by the SDKs
	Reserved     byte   // the character before "--op-s3"; '0' in every published alias (0 means '0')
}

// FullOutpostID returns the Outpost ID as it appears in ARNs: "op-" + OutpostID.
func (a Alias) FullOutpostID() string { return "op-" + a.OutpostID }

// String re-assembles the alias.
func (a Alias) String() string {
	r := a.Reserved
	if r == 0 {
		r = '0'
	}
	return a.NamePrefix + "-" + string(a.HWType) + a.OutpostID + a.Metadata + a.RegionPrefix + string(r) + AliasSuffix
}

// ParseAlias decodes an access point alias. It reports false unless s ends
// in "--op-s3", is a valid bucket-style name (lowercase letters, digits and
// '-', at most 63 characters), has a hardware type of 'o' or 'e', and the
// fixed-position fields are lowercase alphanumeric.
func ParseAlias(s string) (Alias, bool) {
	n := len(s)
	if !strings.HasSuffix(s, AliasSuffix) || n > 63 || n < aliasTailLen+2 {
		return Alias{}, false
	}
	for i := 0; i < n; i++ {
		if !isLowerAlnum(s[i]) && s[i] != '-' {
			return Alias{}, false
		}
	}
	prefix := s[:n-aliasTailLen]
	if !strings.HasSuffix(prefix, "-") || !isLowerAlnum(prefix[0]) || len(prefix) > aliasNamePrefixLen+1 {
		return Alias{}, false
	}
	a := Alias{
		NamePrefix:   prefix[:len(prefix)-1],
		HWType:       s[n-50],
		OutpostID:    s[n-49 : n-32],
		Metadata:     s[n-32 : n-12],
		RegionPrefix: s[n-12 : n-8],
		Reserved:     s[n-8],
	}
	if a.HWType != HWTypeRack && a.HWType != HWTypeServer {
		return Alias{}, false
	}
	if strings.Contains(s[n-50:n-7], "-") {
		return Alias{}, false
	}
	return a, true
}

// IsAlias reports whether s parses as an access point alias.
func IsAlias(s string) bool {
	_, ok := ParseAlias(s)
	return ok
}

const aliasAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// NewAlias generates an access point alias in the AWS layout (see [Alias]).
// apName must be a valid access point name; outpostID is "op-" followed by 17
// lowercase hex digits (the bare 17 digits are accepted too); hwType is
// [HWTypeRack] or [HWTypeServer]; regionPrefix is 4 lowercase alphanumerics
// (see [RegionPrefix]). The 20 metadata characters are drawn without bias
// from a-z0-9 using bytes read from random (pass crypto/rand.Reader).
// It returns an error, rather than panicking, for invalid input or a failing
// random source.
func NewAlias(apName, outpostID string, hwType byte, regionPrefix string, random io.Reader) (string, error) {
	if !ValidAccessPointName(apName) {
		return "", &Error{Input: apName, Field: "accesspoint", Message: fmt.Sprintf("arn: invalid access point name %q", apName)}
	}
	id := strings.TrimPrefix(outpostID, "op-")
	if !ValidOutpostID("op-" + id) {
		return "", &Error{Input: outpostID, Field: "outpost", Message: fmt.Sprintf("arn: alias needs an op- outpost ID with 17 hex digits, got %q", outpostID)}
	}
	if hwType != HWTypeRack && hwType != HWTypeServer {
		return "", &Error{Input: string(hwType), Field: "alias", Message: fmt.Sprintf("arn: hardware type must be 'o' or 'e', got %q", hwType)}
	}
	if len(regionPrefix) != 4 || strings.IndexFunc(regionPrefix, func(r rune) bool { return r > 127 || !isLowerAlnum(byte(r)) }) >= 0 {
		return "", &Error{Input: regionPrefix, Field: "alias", Message: fmt.Sprintf("arn: region prefix must be 4 lowercase alphanumerics, got %q", regionPrefix)}
	}
	if random == nil {
		return "", errors.New("arn: NewAlias needs a random source")
	}
	meta := make([]byte, 0, aliasMetadataLen)
	buf := make([]byte, 32)
	for len(meta) < aliasMetadataLen {
		if _, err := io.ReadFull(random, buf); err != nil {
			return "", fmt.Errorf("arn: reading random metadata: %w", err)
		}
		for _, b := range buf {
			// 252 = 7*36: reject the tail so every character is equally likely.
			if b < 252 && len(meta) < aliasMetadataLen {
				meta = append(meta, aliasAlphabet[int(b)%len(aliasAlphabet)])
			}
		}
	}
	prefix := apName
	if len(prefix) > aliasNamePrefixLen {
		prefix = prefix[:aliasNamePrefixLen]
	}
	return Alias{NamePrefix: prefix, HWType: hwType, OutpostID: id, Metadata: string(meta), RegionPrefix: regionPrefix}.String(), nil
}

var directionCodes = map[string]string{
	"east": "e", "west": "w", "north": "n", "south": "s", "central": "c",
	"northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw",
	"gov": "g", "iso": "i", "isob": "b",
}

// RegionPrefix returns the 4-character region code used in access point
// aliases. AWS does not document the mapping; this function is deterministic
// and matches the one published example (us-east-1 → "use1"):
//
//  1. The region is split on '-'. The first part is the geography ("us",
//     "eu", "ap"), the last part the number, the middle parts are abbreviated
//     (east→e, west→w, north→n, south→s, central→c, northeast→ne,
//     southeast→se, …, gov→g, others to their first letter).
//  2. geography + middles + number: if that is 4 characters it is the
//     result (us-west-2 → usw2, eu-central-1 → euc1, ap-south-1 → aps1).
//  3. If longer, the geography is cut to its first letter
//     (ap-southeast-2 → ase2, ap-northeast-1 → ane1, us-gov-west-1 → ugw1);
//     if still longer, the first 3 characters and the last one are kept.
//  4. If shorter, or for a region of an unexpected shape, the lowercase
//     alphanumerics of the region are used, cut or padded with '0' to 4.
//
// Distinct regions may share a prefix; the prefix is informational and is
// never used alone to route a request.
func RegionPrefix(region string) string {
	region = strings.ToLower(region)
	parts := strings.Split(region, "-")
	if len(parts) >= 3 {
		geo, num := parts[0], parts[len(parts)-1]
		var mid strings.Builder
		for _, p := range parts[1 : len(parts)-1] {
			if c, ok := directionCodes[p]; ok {
				mid.WriteString(c)
			} else if p != "" {
				mid.WriteByte(p[0])
			}
		}
		code := geo + mid.String() + num
		if len(code) > 4 && geo != "" {
			code = geo[:1] + mid.String() + num
		}
		if len(code) > 4 {
			code = code[:3] + code[len(code)-1:]
		}
		if len(code) == 4 && isAlnum4(code) {
			return code
		}
	}
	var b strings.Builder
	for i := 0; i < len(region) && b.Len() < 4; i++ {
		if isLowerAlnum(region[i]) {
			b.WriteByte(region[i])
		}
	}
	for b.Len() < 4 {
		b.WriteByte('0')
	}
	return b.String()
}

func isAlnum4(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isLowerAlnum(s[i]) {
			return false
		}
	}
	return true
}
