// Package sites is the county hub's registry of its sites (issue 14, item
// 5): each township or community hall that reports to the county, with
// the public key of the credentials the hub's admin made for it. The
// secret half is shown once, when the site is added, and never stored.
// It imports the standard library and yiting/queue only; persistence is
// the Store interface, which queue/boltstore implements.
package sites

import (
	"context"
	"regexp"
	"time"

	"yiting/queue"
)

// Site is a registered site.
type Site struct {
	ID         string    `json:"id"`          // its JetStream domain and subject token, such as "421224101"
	Name       string    `json:"name"`        // 南林桥镇综治中心
	RegionCode string    `json:"region_code"` // its administrative division code, in its case codes
	PublicKey  string    `json:"public_key"`  // of its credentials (a NATS user nkey)
	Created    time.Time `json:"created"`
	By         string    `json:"by,omitempty"` // who added it: the admin's account, or the command line
}

// Store keeps the registry. AddSite returns an error matching
// queue.ErrConflict when the id is taken; RemoveSite one matching
// queue.ErrNotFound when there is no such site. Any other error means the
// storage failed.
type Store interface {
	AddSite(ctx context.Context, s Site) error
	RemoveSite(ctx context.Context, id string) error
	Sites(ctx context.Context) ([]Site, error)
}

// HubDomain is the county hub's own JetStream domain: no site may take
// it as its id.
const HubDomain = "county"

var (
	idRE     = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)
	regionRE = regexp.MustCompile(`^[0-9]{6}([0-9]{3})?$`)
)

// ValidID reports whether id can be a site's id: a JetStream domain and a
// NATS subject token (letters, digits, '-' and '_', at most 32), and not
// the hub's domain.
func ValidID(id string) bool { return idRE.MatchString(id) && id != HubDomain }

// Check says what is wrong with a new site, in the admin's language.
func (s Site) Check() error {
	switch {
	case !ValidID(s.ID):
		return queue.Invalid("id", "站点编号只能由字母、数字、- 和 _ 组成，最多 32 个字符，且不能是 county（如乡镇区划代码 421224101）")
	case s.Name == "" || len([]rune(s.Name)) > 64:
		return queue.Invalid("name", "请填写站点名称（最多 64 个字），如 南林桥镇综治中心")
	case s.RegionCode != "" && !regionRE.MatchString(s.RegionCode):
		return queue.Invalid("region_code", "区划代码应为 6 位（县）或 9 位（乡镇）数字")
	}
	return nil
}
