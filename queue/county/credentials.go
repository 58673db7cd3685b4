package county

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"yiting/queue/sites"

	"github.com/nats-io/nkeys"
	"github.com/pelletier/go-toml/v2"

	"yiting/tlspin"
)

// Credentials are a site's key to its county hub, made by the hub's admin
// and shown once: the site's NATS user nkey (its seed is the secret; the
// hub keeps only the public key) and the pin of the hub's certificate,
// so the site's leaf link trusts exactly that hub. The file is small TOML:
//
//	site    = "421224101"
//	seed    = "SU…"   # the secret: whoever holds it reports as this site
//	hub_pin = "…"     # SHA-256 of the hub's certificate (tlspin)
type Credentials struct {
	Site   string `toml:"site"`
	Seed   string `toml:"seed"`
	HubPin string `toml:"hub_pin"`
}

// NewCredentials makes a site's credentials and returns them with the
// public key the hub keeps.
func NewCredentials(site, hubPin string) (Credentials, string, error) {
	if !sites.ValidID(site) {
		return Credentials{}, "", siteIDError(site)
	}
	if _, err := tlspin.Config(hubPin); err != nil {
		return Credentials{}, "", fmt.Errorf("county: the hub's pin: %w", err)
	}
	kp, err := nkeys.CreateUser()
	if err != nil {
		return Credentials{}, "", fmt.Errorf("county: a site key: %w", err)
	}
	defer kp.Wipe()
	seed, err := kp.Seed()
	if err != nil {
		return Credentials{}, "", err
	}
	pub, err := kp.PublicKey()
	if err != nil {
		return Credentials{}, "", err
	}
	return Credentials{Site: site, Seed: string(seed), HubPin: hubPin}, pub, nil
}

// Marshal is the credentials file, with a header saying what it is.
func (c Credentials) Marshal(name string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# yiting: the county network's credentials of site %s (%s).\n", c.Site, name)
	b.WriteString("# Keep it secret, readable by yiting only (chmod 600): whoever holds it reports to the county as this site.\n")
	b.WriteString("# Name its path in the hall file: [county] credentials = \"/etc/yiting/county.creds\".\n")
	body, _ := toml.Marshal(c) // three strings: cannot fail
	b.Write(body)
	return b.Bytes()
}

// ReadCredentials reads and checks a credentials file.
func ReadCredentials(path string) (Credentials, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Credentials{}, fmt.Errorf("county: the credentials file: %w", err)
	}
	var c Credentials
	if err := toml.Unmarshal(data, &c); err != nil {
		return Credentials{}, fmt.Errorf("county: the credentials file %s: %w", path, err)
	}
	if err := c.check(); err != nil {
		return Credentials{}, fmt.Errorf("county: the credentials file %s: %w — ask the county's admin for the site's file again", path, err)
	}
	return c, nil
}

func (c Credentials) check() error {
	if !sites.ValidID(c.Site) {
		return siteIDError(c.Site)
	}
	kp, err := nkeys.FromSeed([]byte(c.Seed))
	if err != nil {
		return errors.New("its seed is not a NATS user seed")
	}
	defer kp.Wipe()
	if !strings.HasPrefix(c.Seed, "SU") {
		return errors.New("its seed is not a NATS user seed")
	}
	if _, err := tlspin.Config(c.HubPin); err != nil {
		return err
	}
	return nil
}

func siteIDError(site string) error {
	return fmt.Errorf("county: site id %q: letters, digits, '-' and '_' only, at most 32, and not %q", site, HubDomain)
}
