package cases

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
)

// The public inquiry page (询事, 信访工作条例 Art. 21) is reached by the QR
// code on the ticket: PublicURL + "/c/" + token. The token is 128 random
// bits, so nobody reaches another person's matter by changing digits as
// they could with the readable case code. The store keeps its SHA-256 to
// find the case; the token itself is kept sealed (personal.Keys) only so a
// clerk can reprint the QR code.

// TokenBytes is the token's entropy in bytes (128 bits).
const TokenBytes = 16

// TokenLen is the length of a token in characters (base64url, no padding).
const TokenLen = 22

func newToken(r io.Reader) (token, hash string, err error) {
	b := make([]byte, TokenBytes)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", "", fmt.Errorf("cases: no randomness for the inquiry token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, TokenHash(token), nil
}

// TokenHash is how the store indexes an inquiry token.
func TokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// WellFormedToken reports whether s could be a token at all. A malformed
// one is still looked up (as its hash), so both take the same path.
func WellFormedToken(s string) bool {
	if len(s) != TokenLen {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}
