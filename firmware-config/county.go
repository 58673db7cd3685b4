package hallconfig

import (
	"fmt"
	"net/url"
	"path/filepath"

	"yiting/queue/sites"
)

// The [county] section: the hall as a site of the county network
// (queue/county): its site id, the hub's leaf-node URL and the site's
// credentials file for it.

func (f *fileCounty) countyConfig() County {
	if f == nil {
		return County{}
	}
	return County{Site: deref(f.Site, ""), Hub: deref(f.Hub, ""), Credentials: deref(f.Credentials, "")}
}

func (c *County) check() *Error {
	if c.Site != "" && !sites.ValidID(c.Site) {
		return fieldError("county.site", fmt.Sprintf("%q: letters, digits, - and _ only, at most 32, not %q (the township's region code, such as \"421224101\")", c.Site, sites.HubDomain))
	}
	if c.Site == "" && (c.Hub != "" || c.Credentials != "") {
		return fieldError("county.site", "missing: a hub or credentials need the site's id")
	}
	if c.Hub != "" {
		u, err := url.Parse(c.Hub)
		if err != nil || u.Host == "" || (u.Scheme != "tls" && u.Scheme != "nats" && u.Scheme != "nats-leaf") {
			return fieldError("county.hub", fmt.Sprintf("%q is not the hub's leaf-node URL, such as \"tls://county.example.cn:7422\"", c.Hub))
		}
	}
	if c.Credentials != "" && !filepath.IsAbs(c.Credentials) {
		return fieldError("county.credentials", fmt.Sprintf("%q: write an absolute path, such as \"/etc/yiting/county.creds\"", c.Credentials))
	}
	return nil
}
