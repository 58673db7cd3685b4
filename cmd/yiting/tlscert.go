package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"yiting/tlspin"
)

// The hall server's own TLS certificate. Kiosks on other Pis send what an
// ID card said to the server; on the hall's network that must not cross in
// clear. The hall has no domain name and no CA, so the server makes its
// own certificate on first start and a kiosk trusts exactly that one: the
// SHA-256 fingerprint shown with the kiosk's token on /admin (-pin).
const (
	tlsCertFile = "tls.crt"
	tlsKeyFile  = "tls.key"
)

// loadOrCreateCert reads the server's certificate from the data
// directory, making one (ECDSA P-256, valid 20 years) if there is none.
// It returns the certificate and its pin (tlspin.Of).
func loadOrCreateCert(dir string) (tls.Certificate, string, error) {
	certPath, keyPath := filepath.Join(dir, tlsCertFile), filepath.Join(dir, tlsKeyFile)
	cert, err := tls.LoadX509KeyPair(certPath, keyPath)
	if errors.Is(err, os.ErrNotExist) {
		if err := createCert(certPath, keyPath, time.Now()); err != nil {
			return tls.Certificate{}, "", err
		}
		cert, err = tls.LoadX509KeyPair(certPath, keyPath)
	}
	if err != nil {
		return tls.Certificate{}, "", fmt.Errorf("tls: the server's certificate (%s, %s): %w — delete both to make a new one, then pair the kiosks again", certPath, keyPath, err)
	}
	return cert, tlspin.Of(cert.Certificate[0]), nil
}

func createCert(certPath, keyPath string, now time.Time) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("tls: key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return fmt.Errorf("tls: serial: %w", err)
	}
	host, _ := os.Hostname()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "yiting hall server " + host, Organization: []string{"yiting"}},
		NotBefore:             now.Add(-24 * time.Hour), // a Pi's clock may lag at first boot
		NotAfter:              now.AddDate(20, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              []string{"yiting.local", "localhost"},
	}
	if host != "" {
		tmpl.DNSNames = append(tmpl.DNSNames, host)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("tls: certificate: %w", err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return fmt.Errorf("tls: key: %w", err)
	}
	// The key first: a certificate without its key is useless, and a
	// crash between the two files leaves only a key, which the next start
	// replaces with a new pair.
	if err := writeFileSync(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		return err
	}
	return writeFileSync(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}

// writeFileSync writes a new file through a temporary one, synced and
// renamed, so that a power cut leaves the old file or the new, not half.
func writeFileSync(path string, data []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return fmt.Errorf("tls: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("tls: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("tls: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("tls: %w", err)
	}
	return os.Rename(tmp, path)
}
