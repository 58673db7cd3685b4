package personal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// KeySize is the length of the hall's master key in bytes.
const KeySize = 32

// Keys derives the hall's working keys from its master key: one for the
// keyed hash of ID numbers and one for sealing data at rest, so that
// neither use weakens the other.
type Keys struct {
	hash []byte
	aead cipher.AEAD
}

// New derives Keys from a master key of KeySize bytes.
func New(master []byte) (*Keys, error) {
	if len(master) != KeySize {
		return nil, fmt.Errorf("personal: the key must be %d bytes, not %d", KeySize, len(master))
	}
	hk, err := hkdf.Key(sha256.New, master, nil, "yiting visitor hash v1", 32)
	if err != nil {
		return nil, err
	}
	ek, err := hkdf.Key(sha256.New, master, nil, "yiting seal v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(ek)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Keys{hash: hk, aead: aead}, nil
}

// LoadOrCreateKey reads the master key file at path, creating it on first
// start (mode 0600, in a directory of mode 0700 if it must create one). A
// file that is readable by others or of the wrong size is refused: the
// hall must not run on a key that has leaked or been damaged.
func LoadOrCreateKey(path string) (*Keys, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("personal: read key %s: %w", path, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("personal: key %s: %w", path, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("personal: key %s has mode %v: others may read it; chmod 600 it (and consider it leaked if it was exposed)", path, fi.Mode().Perm())
	}
	master, err := base64.StdEncoding.DecodeString(string(trimSpace(b)))
	if err != nil || len(master) != KeySize {
		return nil, fmt.Errorf("personal: key %s is damaged: want %d bytes in base64; restore it from the backup", path, KeySize)
	}
	return New(master)
}

func createKey(path string) (*Keys, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("personal: key directory: %w", err)
	}
	master := make([]byte, KeySize)
	if _, err := rand.Read(master); err != nil {
		return nil, err
	}
	tmp := path + ".new"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("personal: create key %s: %w", path, err)
	}
	_, err = f.WriteString(base64.StdEncoding.EncodeToString(master) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("personal: write key %s: %w", path, err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return New(master)
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return b
}

// VisitorKey is the keyed hash of an ID number (HMAC-SHA-256, 128 bits,
// base64url): the same person gets the same key in this hall, and the
// number cannot be recovered from it without the hall's key. The number
// is normalised first (spaces trimmed, a lower-case x made upper).
func (k *Keys) VisitorKey(idNumber string) string {
	m := hmac.New(sha256.New, k.hash)
	m.Write([]byte(NormalizeID(idNumber)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// Seal encrypts plaintext with AES-256-GCM. The label binds the
// ciphertext to its use (e.g. "case 42 applicant id"), so a sealed value
// moved to another field fails to open.
func (k *Keys) Seal(plaintext []byte, label string) []byte {
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("personal: no randomness: " + err.Error()) // crypto/rand never fails on Linux
	}
	return k.aead.Seal(nonce, nonce, plaintext, []byte(label))
}

// ErrSealed is returned by Open for data that was damaged, sealed with
// another key, or under another label.
var ErrSealed = errors.New("personal: cannot open sealed data (wrong key, wrong label or damaged)")

// Open decrypts what Seal produced under the same label.
func (k *Keys) Open(sealed []byte, label string) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n+k.aead.Overhead() {
		return nil, ErrSealed
	}
	out, err := k.aead.Open(nil, sealed[:n], sealed[n:], []byte(label))
	if err != nil {
		return nil, ErrSealed
	}
	return out, nil
}
