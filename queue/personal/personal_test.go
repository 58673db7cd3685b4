package personal

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKeyFileCreatedOnceWithMode0600(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "yiting.key")
	k1, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	k2, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	// Synthetic number (check character valid): 421224 region, 1950-01-01.
	const id = "42122419500101007X"
	if k1.VisitorKey(id) != k2.VisitorKey(id) {
		t.Fatal("the same key file gives another visitor key after a restart")
	}
	if k1.VisitorKey(id) != k1.VisitorKey(" 42122419500101007x ") {
		t.Fatal("normalisation: a lower-case x or spaces change the visitor key")
	}
	if k1.VisitorKey(id) == k1.VisitorKey("421224195001010029") {
		t.Fatal("two numbers, one key")
	}
	if strings.Contains(k1.VisitorKey(id), "421224") {
		t.Fatal("the visitor key shows the number")
	}
	other, err := LoadOrCreateKey(filepath.Join(t.TempDir(), "other.key"))
	if err != nil {
		t.Fatal(err)
	}
	if other.VisitorKey(id) == k1.VisitorKey(id) {
		t.Fatal("another hall's key gives the same visitor key")
	}
}

func TestKeyFileRefusedWhenReadableOrDamaged(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "yiting.key")
	if _, err := LoadOrCreateKey(path); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, 0o644)
	if _, err := LoadOrCreateKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("world-readable key: %v", err)
	}
	os.WriteFile(path, []byte("short\n"), 0o600)
	os.Chmod(path, 0o600)
	if _, err := LoadOrCreateKey(path); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("damaged key: %v", err)
	}
}

func TestSealOpen(t *testing.T) {
	k, err := New(bytes.Repeat([]byte{7}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("王小明 42122419500101007X 湖北省通山县通羊镇")
	a := k.Seal(msg, "case 1 applicant")
	b := k.Seal(msg, "case 1 applicant")
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same data are equal: the nonce is not random")
	}
	if bytes.Contains(a, []byte("42122419500101007X")) {
		t.Fatal("sealed data contains the plaintext")
	}
	got, err := k.Open(a, "case 1 applicant")
	if err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("open: %q, %v", got, err)
	}
	if _, err := k.Open(a, "case 2 applicant"); !errors.Is(err, ErrSealed) {
		t.Fatalf("open under another label: %v", err)
	}
	a[len(a)-1] ^= 1
	if _, err := k.Open(a, "case 1 applicant"); !errors.Is(err, ErrSealed) {
		t.Fatalf("open of damaged data: %v", err)
	}
	if _, err := k.Open([]byte{1, 2}, "x"); !errors.Is(err, ErrSealed) {
		t.Fatalf("open of a stub: %v", err)
	}
}

func TestMasks(t *testing.T) {
	cases := []struct{ got, want string }{
		{MaskID("42122419500101007x"), "421224********007X"},
		{MaskID("A123"), "****"},
		{MaskID(""), ""},
		{MaskName("张三"), "张*"},
		{MaskName("张小三"), "张*三"},
		{MaskName("欧阳小华"), "欧**华"},
		{MaskName("买买提·艾力"), "买****力"},
		{MaskName("John Smith"), "J********h"},
		{MaskName("李"), "*"},
		{MaskAddress("湖北省咸宁市通山县通羊镇某路1号"), "湖北省咸宁市****"},
		{MaskAddress("通山县"), "通****"},
		{MaskPhone("13812345678"), "138****5678"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func FuzzMasks(f *testing.F) {
	f.Add("42122419500101007X")
	f.Add("张小三")
	f.Fuzz(func(t *testing.T, s string) {
		if strings.Contains(s, "*") {
			return // a value of stars is its own mask
		}
		for _, m := range []string{MaskID(s), MaskName(s), MaskAddress(s), MaskPhone(s)} {
			if len(s) >= 12 && len([]rune(strings.TrimSpace(s))) >= 12 && m == strings.TrimSpace(s) {
				t.Fatalf("mask left %q whole", s)
			}
		}
	})
}
