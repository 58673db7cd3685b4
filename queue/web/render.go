package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"yiting/queue"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pageData is the hall as every page's script reads it, from a JSON block
// in the page (no inline script: the content security policy forbids it).
type pageData struct {
	Hall          string        `json:"hall"`
	TimeZone      string        `json:"tz"` // the hall's, for times a page prints (IANA name)
	Version       string        `json:"version"`
	Services      []serviceData `json:"services"`
	Counters      []counterData `json:"counters"`
	Priority      []classData   `json:"priority"`
	RateWindowSec int           `json:"rate_window_s"`
}

type serviceData struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Prefix    string `json:"prefix"`
	NeedsID   bool   `json:"needs_id,omitempty"`
	OpensCase bool   `json:"opens_case,omitempty"`
}

type counterData struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Kind     string   `json:"kind"`
	Unit     string   `json:"unit,omitempty"`
	Location string   `json:"location,omitempty"`
	Services []string `json:"services"`
}

type classData struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func newPageData(h *queue.Hall, version string) pageData {
	d := pageData{Hall: h.Name, TimeZone: h.Location.String(), Version: version, RateWindowSec: int(queue.RateWindow / time.Second),
		Services: []serviceData{}, Counters: []counterData{}, Priority: []classData{}}
	for _, s := range h.Services {
		d.Services = append(d.Services, serviceData{ID: s.ID, Name: s.Name, Prefix: s.Prefix, NeedsID: s.NeedsID, OpensCase: s.CaseType != ""})
	}
	for _, c := range h.Counters {
		cd := counterData{ID: c.ID, Name: c.Name, Kind: string(c.Kind), Unit: c.Unit, Location: c.Location, Services: []string{}}
		for _, s := range c.Services {
			cd.Services = append(cd.Services, s.ServiceID)
		}
		d.Counters = append(d.Counters, cd)
	}
	for _, c := range h.Priority.Classes {
		d.Priority = append(d.Priority, classData{ID: c.ID, Name: c.Name})
	}
	return d
}

// view is what a page template gets.
type view struct {
	Title   string
	Page    string // names the page's script and stylesheet and the body class
	Hall    string
	Version string
	Data    any // the JSON block the script reads
	Body    any // page-specific fields for the template
}

func parseTemplates() (*template.Template, error) {
	t, err := template.New("").Funcs(template.FuncMap{
		"minutes": minutes,
		"pct":     pct,
		"asset":   func(name string) string { return "/ui/" + name },
	}).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	return t, nil
}

// render executes a page template into a buffer first, so that a
// template error becomes a clean 500 rather than half a page.
func (p *Pages) render(w http.ResponseWriter, status int, name string, v view) {
	v.Hall, v.Version = p.hall.Name, p.version
	var buf bytes.Buffer
	if err := p.tmpl.ExecuteTemplate(&buf, name, v); err != nil {
		p.log.Error("web: rendering a page failed", "page", name, "err", err)
		http.Error(w, "页面生成失败，请联系管理员 (internal error)", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// errorPage says in Chinese what went wrong and what to do.
func (p *Pages) errorPage(w http.ResponseWriter, status int, title, message string) {
	p.render(w, status, "error.html", view{Title: title, Page: "error", Body: message})
}

// assets are the embedded scripts, styles and images, with a content
// hash as ETag: browsers revalidate (no-cache) and get 304 until the
// binary changes.
type assets struct {
	files map[string]asset
}

type asset struct {
	data []byte
	etag string
	mime string
}

func loadAssets() (*assets, error) {
	a := &assets{files: map[string]asset{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ct := mime.TypeByExtension(path.Ext(p))
		switch path.Ext(p) { // the machine's mime table may lack these
		case ".js":
			ct = "text/javascript; charset=utf-8"
		case ".css":
			ct = "text/css; charset=utf-8"
		case ".svg":
			ct = "image/svg+xml"
		}
		a.files[strings.TrimPrefix(p, "static/")] = asset{data: b, etag: `"` + hex.EncodeToString(sum[:8]) + `"`, mime: ct}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: assets: %w", err)
	}
	return a, nil
}

// asset serves /ui/{file}.
func (p *Pages) asset(w http.ResponseWriter, r *http.Request) {
	p.assets.serve(w, r, r.PathValue("file"))
}

func (a *assets) serve(w http.ResponseWriter, r *http.Request, name string) {
	f, ok := a.files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.mime)
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", f.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.data))
}

// Assets serves the pages' embedded styles and scripts under /ui/ (a
// request for /ui/common.css gets common.css), for a server that shows
// pages of its own in the same look without the hall's Pages: the county
// hub (queue/county/countyweb).
func Assets() (http.Handler, error) {
	a, err := loadAssets()
	if err != nil {
		return nil, err
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		a.serve(w, r, strings.TrimPrefix(r.URL.Path, "/ui/"))
	}), nil
}

// minutes shows a duration as minutes with one decimal: "12.5".
func minutes(d time.Duration) string {
	return fmt.Sprintf("%.1f", d.Minutes())
}

// pct shows a ratio as a percentage with one decimal: "87.5%".
func pct(r float64) string {
	return fmt.Sprintf("%.1f%%", r*100)
}
