package cookiestate

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
)

// Key sizes: HMAC-SHA256 signing key and AES-256 encryption key.
const (
	HashKeySize  = 64
	BlockKeySize = 32
	maxKeySets   = 4
)

// KeySet is one generation of cookie keys. Per-kind keys are derived from
// it, so one configured secret serves every kind of cookie.
type KeySet struct {
	Hash  []byte
	Block []byte
}

// String encodes the set the way COOKIE_KEYS takes it: "hash:block" in
// unpadded base64url.
func (k KeySet) String() string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString(k.Hash) + ":" + enc.EncodeToString(k.Block)
}

// ID is a short public identifier of the set, written in front of every
// cookie it makes: 6 characters of a SHA-256 over the keys, which says
// nothing about them.
func (k KeySet) ID() string {
	h := sha256.New()
	h.Write([]byte("shopfront cookie key id"))
	h.Write(k.Hash)
	h.Write(k.Block)
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:4])[:6]
}

// GenerateKeySet makes a new random key set.
func GenerateKeySet() KeySet {
	k := KeySet{Hash: make([]byte, HashKeySize), Block: make([]byte, BlockKeySize)}
	_, _ = rand.Read(k.Hash) // crypto/rand.Read never fails
	_, _ = rand.Read(k.Block)
	return k
}

// ParseKeys parses COOKIE_KEYS: key sets separated by commas, newest first.
// The first set encodes; all of them decode. Anything malformed is an error
// that names the problem: there is never a silent fallback to fewer keys or
// to a signed-only codec.
func ParseKeys(s string) ([]KeySet, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("COOKIE_KEYS is empty")
	}
	parts := strings.Split(s, ",")
	if len(parts) > maxKeySets {
		return nil, fmt.Errorf("COOKIE_KEYS has %d key sets; keep at most %d (newest first)", len(parts), maxKeySets)
	}
	sets := make([]KeySet, 0, len(parts))
	for i, part := range parts {
		hashPart, blockPart, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok || hashPart == "" || blockPart == "" {
			return nil, fmt.Errorf("COOKIE_KEYS key set %d must be hashkey:blockkey (generate one with `shopfront keys`)", i+1)
		}
		hash, err := base64.RawURLEncoding.DecodeString(hashPart)
		if err != nil || len(hash) != HashKeySize {
			return nil, fmt.Errorf("COOKIE_KEYS key set %d: the hash key must be %d bytes of unpadded base64url", i+1, HashKeySize)
		}
		block, err := base64.RawURLEncoding.DecodeString(blockPart)
		if err != nil || len(block) != BlockKeySize {
			return nil, fmt.Errorf("COOKIE_KEYS key set %d: the block key must be %d bytes of unpadded base64url", i+1, BlockKeySize)
		}
		if bytes.Equal(hash[:BlockKeySize], block) {
			return nil, fmt.Errorf("COOKIE_KEYS key set %d: the hash and block keys must differ", i+1)
		}
		for j, prev := range sets {
			if bytes.Equal(prev.Hash, hash) || bytes.Equal(prev.Block, block) {
				return nil, fmt.Errorf("COOKIE_KEYS key sets %d and %d share a key", j+1, i+1)
			}
		}
		sets = append(sets, KeySet{Hash: hash, Block: block})
	}
	return sets, nil
}
