package hallconfig

import "testing"

// go test -run '^$' -bench . -benchmem ./firmware-config/
func BenchmarkParseDefault(b *testing.B) {
	doc := DefaultFile()
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := Parse("default.toml", doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseError(b *testing.B) {
	doc := []byte(string(DefaultFile()) + "\n[[counters]]\nid = \"x\"\nname = \"x\"\nkind = \"window\"\nservices = [\"nope\"]\n")
	for b.Loop() {
		if _, err := Parse("default.toml", doc); err == nil {
			b.Fatal("no error")
		}
	}
}

func BenchmarkMarshalDefault(b *testing.B) {
	c, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := c.MarshalTOML(); err != nil {
			b.Fatal(err)
		}
	}
}
