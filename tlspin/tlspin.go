// Package tlspin trusts exactly one certificate, named by its pin: the
// hex SHA-256 of its DER bytes. yiting's servers make their own
// certificates (a hall server on first start, the county hub on its
// first), so there is no CA and no name to check, only the key a device
// or a site was paired with: a kiosk pins its hall server, a site pins
// its county hub.
package tlspin

import (
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// ErrMismatch is the handshake's error when the peer's certificate is not
// the pinned one.
var ErrMismatch = errors.New("tlspin: the server's certificate is not the pinned one")

// Of is the pin of a certificate: the hex SHA-256 of its DER bytes.
func Of(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// Config is the client TLS configuration that trusts exactly the
// certificate of that pin. It returns an error when pin is not a SHA-256
// in hex.
func Config(pin string) (*tls.Config, error) {
	want, err := hex.DecodeString(strings.ToLower(strings.TrimSpace(pin)))
	if err != nil || len(want) != sha256.Size {
		return nil, fmt.Errorf("tlspin: the certificate pin %q is not a SHA-256 in hex (64 characters)", pin)
	}
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		// The chain is not verified against a CA — there is none — but
		// the leaf must be the pinned one: VerifyConnection runs on
		// every handshake, resumed ones included.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("tlspin: the server sent no certificate")
			}
			got := sha256.Sum256(cs.PeerCertificates[0].Raw)
			if subtle.ConstantTimeCompare(got[:], want) != 1 {
				return fmt.Errorf("%w (its pin begins %x)", ErrMismatch, got[:4])
			}
			return nil
		},
	}, nil
}
