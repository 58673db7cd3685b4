package access

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

const (
	sessionPrefix = "yts_"
	tokenPrefix   = "ytd_"
	secretBytes   = 32 // random bytes in every secret
	tokenIDBytes  = 4  // the 8 hex digits of a token id

	// maxSecretLen bounds what Authenticate hashes; a real secret is
	// at most 56 bytes, anything longer is refused unhashed.
	maxSecretLen = 128
)

type digest = [sha256.Size]byte

// digestOf hashes a secret. Secrets up to maxSecretLen bytes go through
// a stack buffer: converting a string of more than 32 bytes to []byte
// would allocate on every request.
func digestOf(secret string) digest {
	if len(secret) > maxSecretLen {
		return sha256.Sum256([]byte(secret))
	}
	var buf [maxSecretLen]byte
	n := copy(buf[:], secret)
	return sha256.Sum256(buf[:n])
}

func hexOf(d digest) string { return hex.EncodeToString(d[:]) }

// randomText returns n random bytes from crypto/rand, base64url without
// padding. crypto/rand.Read never fails on the platforms we build for
// (it panics rather than return short).
func randomText(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func newSessionSecret() string { return sessionPrefix + randomText(secretBytes) }

func newTokenID() string {
	b := make([]byte, tokenIDBytes)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func tokenSecret(id string) string { return tokenPrefix + id + "_" + randomText(secretBytes) }

// passwordAlphabet leaves out characters that are easily misread when a
// generated password is copied from a console: 0/o, 1/l/i.
const passwordAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// newPassword returns a random password of four groups of five characters
// joined by '-' (23 characters, about 99 bits), for the first
// administrator when no password was given.
func newPassword() string {
	const groups, per = 4, 5
	var sb strings.Builder
	buf := make([]byte, 1)
	for g := range groups {
		if g > 0 {
			sb.WriteByte('-')
		}
		for n := 0; n < per; {
			_, _ = rand.Read(buf)
			// Reject the top of the byte range so every character is
			// equally likely (256 is not a multiple of 31).
			if int(buf[0]) >= 256-256%len(passwordAlphabet) {
				continue
			}
			sb.WriteByte(passwordAlphabet[int(buf[0])%len(passwordAlphabet)])
			n++
		}
	}
	return sb.String()
}

func parseDigest(h string) (digest, error) {
	var d digest
	b, err := hex.DecodeString(h)
	if err != nil || len(b) != len(d) {
		return d, fmt.Errorf("stored hash %q is not a hex SHA-256", h)
	}
	copy(d[:], b)
	return d, nil
}
