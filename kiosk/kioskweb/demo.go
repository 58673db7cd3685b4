package kioskweb

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"yiting/kiosk/idcard/idcardsim"
	"yiting/printer/printersim"
)

// Demo is the demo panel's reach into the simulated devices.
type Demo interface {
	// Cards lists the synthetic cards the visitor can place.
	Cards() []DemoCard
	// Place puts the card of that label on the reader (a new placement).
	Place(label string) error
	// Remove lifts the card off the reader.
	Remove()
	// LastTicket returns the last ticket the simulated printer printed:
	// its rendering and what it says.
	LastTicket() ([]byte, PrintedTicket, error)
}

// DemoCard is a synthetic card as the demo panel offers it: masked, like
// everything the kiosk shows.
type DemoCard struct {
	Label string `json:"label"`
	Name  string `json:"name"` // masked: 王*明
	Note  string `json:"note"` // 居民身份证 · 76岁 · 已过期 …
}

// PrintedTicket is what the simulated printer printed on one ticket.
type PrintedTicket struct {
	Lines []string `json:"lines"`
	QRs   []string `json:"qrs"` // the QR codes' payloads
	Cut   bool     `json:"cut"`
}

// ErrNothingPrinted is LastTicket's error before the first ticket.
var ErrNothingPrinted = errors.New("kioskweb: nothing printed yet")

// SimDemo is the Demo of the simulated reader and printer of
// idcardsim and printersim.
type SimDemo struct {
	Reader  *idcardsim.Sim
	Printer *printersim.Printer
	Now     func() time.Time // for the cards' ages; time.Now if nil
}

var _ Demo = (*SimDemo)(nil)

// Cards returns idcardsim.Cards, masked.
func (d *SimDemo) Cards() []DemoCard {
	now := time.Now()
	if d.Now != nil {
		now = d.Now()
	}
	var out []DemoCard
	for _, c := range idcardsim.Cards() {
		id := c.Identity
		note := []string{id.Type.String()}
		if !id.Birth.IsZero() {
			note = append(note, fmt.Sprintf("%d岁", id.Age(now)))
		}
		if id.Expired(now) {
			note = append(note, "已过期")
		}
		out = append(out, DemoCard{Label: c.Label, Name: id.MaskedName(), Note: strings.Join(note, " · ")})
	}
	return out
}

// Place puts the card of that label on the simulated reader.
func (d *SimDemo) Place(label string) error {
	c, ok := idcardsim.CardByLabel(label)
	if !ok {
		return fmt.Errorf("kioskweb: no demo card %q", label)
	}
	d.Reader.Place(c)
	return nil
}

// Remove lifts the card.
func (d *SimDemo) Remove() { d.Reader.Remove() }

// LastTicket renders the simulated printer's last document.
func (d *SimDemo) LastTicket() ([]byte, PrintedTicket, error) {
	docs := d.Printer.Documents()
	if len(docs) == 0 {
		return nil, PrintedTicket{}, ErrNothingPrinted
	}
	doc := docs[len(docs)-1]
	png, err := d.Printer.PNG(doc)
	if err != nil {
		return nil, PrintedTicket{}, err
	}
	return png, PrintedTicket{Lines: doc.Lines(), QRs: doc.QRs(), Cut: doc.Complete()}, nil
}

func (h *Handler) demoCards(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, h.opts.Demo.Cards())
}

func (h *Handler) demoPlace(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Card string `json:"card"`
	}
	if !decode(w, r, &b) {
		return
	}
	if err := h.opts.Demo.Place(b.Card); err != nil {
		writeError(w, http.StatusBadRequest, "unknown_card", "没有这张演示证件")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) demoRemove(w http.ResponseWriter, r *http.Request) {
	h.opts.Demo.Remove()
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) demoPNG(w http.ResponseWriter, r *http.Request) {
	png, _, err := h.opts.Demo.LastTicket()
	if h.demoFailed(w, err) {
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(png)
}

func (h *Handler) demoTicket(w http.ResponseWriter, r *http.Request) {
	_, t, err := h.opts.Demo.LastTicket()
	if h.demoFailed(w, err) {
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (h *Handler) demoFailed(w http.ResponseWriter, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, ErrNothingPrinted):
		writeError(w, http.StatusNotFound, "not_found", "还没有打印凭条")
	default:
		h.log.Warn("kioskweb: demo ticket", "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "无法显示凭条")
	}
	return true
}
