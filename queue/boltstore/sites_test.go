package boltstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"yiting/queue"
	"yiting/queue/boltstore"
	"yiting/queue/sites"
)

// The hub's registry: a site added once, listed, its id not taken twice,
// removed; it stays across a reopen.
func TestSites(t *testing.T) {
	dir := t.TempDir()
	st, err := boltstore.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a := sites.Site{ID: "421224101", Name: "南林桥镇综治中心", RegionCode: "421224101", PublicKey: "UA", Created: time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)}
	b := sites.Site{ID: "421224102", Name: "九宫山镇综治中心", PublicKey: "UB", Created: a.Created}
	for _, s := range []sites.Site{a, b} {
		if err := st.AddSite(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.AddSite(ctx, a); !errors.Is(err, queue.ErrConflict) {
		t.Fatalf("the same id twice: %v", err)
	}
	// Another site of a's region would number its cases as a does.
	c := sites.Site{ID: "nanlinqiao-2", Name: "南林桥镇二号", RegionCode: a.RegionCode, PublicKey: "UC", Created: a.Created}
	if err := st.AddSite(ctx, c); !errors.Is(err, queue.ErrInvalid) || !strings.Contains(err.Error(), "421224101") {
		t.Fatalf("a region twice: %v", err)
	}
	if err := st.RemoveSite(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if err := st.RemoveSite(ctx, b.ID); !errors.Is(err, queue.ErrNotFound) {
		t.Fatalf("removed twice: %v", err)
	}
	st.Close()
	if st, err = boltstore.Open(dir, nil); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, err := st.Sites(ctx)
	if err != nil || len(got) != 1 || got[0] != a {
		t.Fatalf("after a reopen: %+v, %v", got, err)
	}
}
