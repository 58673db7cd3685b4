package kioskweb

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"yiting/kiosk"
)

//go:embed assets
var assets embed.FS

// Loop is what the page needs of the kiosk loop; *kiosk.Loop is one.
type Loop interface {
	View() kiosk.View
	Wait(ctx context.Context, seq uint64) (kiosk.View, error)
	Choose(ctx context.Context, serviceID string) error
	Back(ctx context.Context) error
	GroupVisit(ctx context.Context, serviceID string) error // 多人来访（集体访）
	Finish(ctx context.Context) error                       // 完成 of a group visit
	Inquire(ctx context.Context) error                      // 查询进度
	InquireCode(ctx context.Context, code, last4 string) error
	CheckIn(ctx context.Context) error // 预约签到
	CheckInCode(ctx context.Context, code string) error
}

var _ Loop = (*kiosk.Loop)(nil)

// Opts configures the page. Loop is required.
type Opts struct {
	Loop Loop
	// Demo adds the demo panel (演示模式) and its routes; nil: none.
	Demo Demo
	// Prefix is where the page is mounted; "/kiosk" if empty.
	Prefix string
	// AllowRemote accepts the visitor's POSTs from other machines than the
	// kiosk itself.
	AllowRemote bool
	// Done ends every open event stream when closed (the server is
	// shutting down: an open stream would hold http.Server.Shutdown).
	Done <-chan struct{}
	// Speech is this machine's voice for the prompts (espeak-ng); nil:
	// the browser's voice only.
	Speech Speaker
	// Heartbeat is the idle time after which a stream sends a comment
	// line; 15 s.
	Heartbeat time.Duration
	Logger    *slog.Logger // nil: discard
}

// Handler serves the page and its routes.
type Handler struct {
	opts   Opts
	log    *slog.Logger
	mux    *http.ServeMux
	page   *template.Template
	static http.Handler
	cop    *http.CrossOriginProtection
}

// New returns the page's handler; mount it at Prefix and Prefix + "/".
func New(opts Opts) (*Handler, error) {
	if opts.Loop == nil {
		return nil, errors.New("kioskweb: Opts.Loop is required")
	}
	if opts.Prefix == "" {
		opts.Prefix = "/kiosk"
	}
	opts.Prefix = strings.TrimRight(opts.Prefix, "/")
	if opts.Heartbeat <= 0 {
		opts.Heartbeat = 15 * time.Second
	}
	h := &Handler{opts: opts, log: opts.Logger, mux: http.NewServeMux(), cop: http.NewCrossOriginProtection()}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	page, err := template.ParseFS(assets, "assets/index.html")
	if err != nil {
		return nil, err
	}
	h.page = page
	sub, err := fs.Sub(assets, "assets")
	if err != nil {
		return nil, err
	}
	p := opts.Prefix
	h.static = http.StripPrefix(p+"/static/", http.FileServerFS(sub))
	h.mux.HandleFunc("GET "+p, h.index)
	h.mux.HandleFunc("GET "+p+"/{$}", h.index)
	h.mux.Handle("GET "+p+"/static/", h.static)
	h.mux.HandleFunc("GET "+p+"/state", h.state)
	h.mux.HandleFunc("GET "+p+"/events", h.events)
	h.mux.HandleFunc("GET "+p+"/speech", h.speechInfo)
	h.mux.HandleFunc("GET "+p+"/voice.wav", h.local(h.voice))
	h.mux.HandleFunc("POST "+p+"/choose", h.control(h.choose))
	h.mux.HandleFunc("POST "+p+"/back", h.control(h.back))
	h.mux.HandleFunc("POST "+p+"/group", h.control(h.group))
	h.mux.HandleFunc("POST "+p+"/finish", h.control(h.finish))
	h.mux.HandleFunc("POST "+p+"/inquire", h.control(h.inquire))
	h.mux.HandleFunc("POST "+p+"/inquire-code", h.control(h.inquireCode))
	h.mux.HandleFunc("POST "+p+"/checkin", h.control(h.checkIn))
	h.mux.HandleFunc("POST "+p+"/checkin-code", h.control(h.checkInCode))
	if opts.Demo != nil {
		h.mux.HandleFunc("GET "+p+"/demo/cards", h.demoCards)
		h.mux.HandleFunc("POST "+p+"/demo/place", h.control(h.demoPlace))
		h.mux.HandleFunc("POST "+p+"/demo/remove", h.control(h.demoRemove))
		h.mux.HandleFunc("GET "+p+"/demo/ticket.png", h.demoPNG)
		h.mux.HandleFunc("GET "+p+"/demo/ticket.json", h.demoTicket)
	}
	return h, nil
}

// ServeHTTP serves the page's routes.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

type pageData struct {
	Prefix string
	Demo   bool
}

func (h *Handler) index(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := h.page.Execute(w, pageData{Prefix: h.opts.Prefix, Demo: h.opts.Demo != nil}); err != nil {
		h.log.Warn("kioskweb: page", "err", err)
	}
}

func (h *Handler) state(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, h.opts.Loop.View())
}

// events streams the views. A reconnecting page gets the current view at
// once (views replace each other: there is nothing to replay).
func (h *Handler) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	if done := h.opts.Done; done != nil {
		go func() { // ends with the stream (deferred cancel)
			select {
			case <-done:
				cancel()
			case <-ctx.Done():
			}
		}()
	}
	if _, err := io.WriteString(w, "retry: 2000\n\n"); err != nil {
		return
	}
	v := h.opts.Loop.View()
	for {
		if err := writeEvent(w, v); err != nil {
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
		for {
			wctx, wcancel := context.WithTimeout(ctx, h.opts.Heartbeat)
			next, err := h.opts.Loop.Wait(wctx, v.Seq)
			wcancel()
			if err == nil {
				v = next
				break
			}
			if ctx.Err() != nil || errors.Is(err, kiosk.ErrStopped) {
				return
			}
			// Idle: a comment keeps proxies and the browser from timing out
			// and shows a dead peer.
			if _, err := io.WriteString(w, ": keepalive\n\n"); err != nil {
				return
			}
			if err := rc.Flush(); err != nil {
				return
			}
		}
	}
}

func writeEvent(w io.Writer, v kiosk.View) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, "id: "+strconv.FormatUint(v.Seq, 10)+"\nevent: view\ndata: "+string(b)+"\n\n")
	return err
}

// control guards the visitor's POSTs: from the kiosk itself and from its
// own page only.
func (h *Handler) control(fn http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h.cop.Check(r); err != nil {
			writeError(w, http.StatusForbidden, "forbidden", "拒绝跨站请求")
			return
		}
		if !h.opts.AllowRemote && !loopback(r.RemoteAddr) {
			writeError(w, http.StatusForbidden, "forbidden", "只能在自助机本机操作")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
		fn(w, r)
	}
}

// local keeps a route to the kiosk itself (unless AllowRemote): the
// voice runs a synthesizer, which nobody else may keep busy.
func (h *Handler) local(fn http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !h.opts.AllowRemote && !loopback(r.RemoteAddr) {
			writeError(w, http.StatusForbidden, "forbidden", "只能在自助机本机操作")
			return
		}
		fn(w, r)
	}
}

func loopback(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (h *Handler) choose(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Service string `json:"service"`
	}
	if !decode(w, r, &b) {
		return
	}
	h.answer(w, h.opts.Loop.Choose(r.Context(), b.Service))
}

func (h *Handler) back(w http.ResponseWriter, r *http.Request) {
	h.answer(w, h.opts.Loop.Back(r.Context()))
}

// group starts a group visit (多人来访) for a service.
func (h *Handler) group(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Service string `json:"service"`
	}
	if !decode(w, r, &b) {
		return
	}
	h.answer(w, h.opts.Loop.GroupVisit(r.Context(), b.Service))
}

// finish is 完成 of a group visit.
func (h *Handler) finish(w http.ResponseWriter, r *http.Request) {
	h.answer(w, h.opts.Loop.Finish(r.Context()))
}

// inquire is the 查询进度 tile.
func (h *Handler) inquire(w http.ResponseWriter, r *http.Request) {
	h.answer(w, h.opts.Loop.Inquire(r.Context()))
}

// inquireCode is 查询 with a case code and the ID number's last four.
func (h *Handler) inquireCode(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Code  string `json:"code"`
		Last4 string `json:"id_last4"`
	}
	if !decode(w, r, &b) {
		return
	}
	h.answer(w, h.opts.Loop.InquireCode(r.Context(), b.Code, b.Last4))
}

// checkIn is the 预约签到 tile.
func (h *Handler) checkIn(w http.ResponseWriter, r *http.Request) {
	h.answer(w, h.opts.Loop.CheckIn(r.Context()))
}

// checkInCode is 签到 with a typed booking code.
func (h *Handler) checkInCode(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Code string `json:"code"`
	}
	if !decode(w, r, &b) {
		return
	}
	h.answer(w, h.opts.Loop.CheckInCode(r.Context(), b.Code))
}

// answer maps the loop's errors to statuses.
func (h *Handler) answer(w http.ResponseWriter, err error) {
	switch {
	case err == nil:
		w.WriteHeader(http.StatusNoContent)
	case errors.Is(err, kiosk.ErrUnknownService):
		writeError(w, http.StatusBadRequest, "unknown_service", "没有这项服务")
	case errors.Is(err, kiosk.ErrNoGroup):
		writeError(w, http.StatusBadRequest, "no_group", "这项事项不能多人取号，请每人分别取号")
	case errors.Is(err, kiosk.ErrNoCard):
		writeError(w, http.StatusConflict, "no_card", "请先放置身份证")
	case errors.Is(err, kiosk.ErrBusy):
		writeError(w, http.StatusConflict, "busy", "正在为您办理，请稍候")
	case errors.Is(err, kiosk.ErrNoInquiry):
		writeError(w, http.StatusNotFound, "no_inquiry", "请用手机扫描凭条上的二维码查询办理进度")
	case errors.Is(err, kiosk.ErrBadCode):
		writeError(w, http.StatusBadRequest, "bad_code", "案件码应为18位（乡镇为21位）数字加1位校验码，如 421224-20261126-0007-X")
	case errors.Is(err, kiosk.ErrBadLast4):
		writeError(w, http.StatusBadRequest, "bad_last4", "请输入身份证号码的后四位")
	case errors.Is(err, kiosk.ErrNoAppointments):
		writeError(w, http.StatusNotFound, "no_appointments", "本中心暂不办理预约")
	case errors.Is(err, kiosk.ErrBadBookingCode):
		writeError(w, http.StatusBadRequest, "bad_booking_code", "预约码为8位字母和数字，如 7KQ2-MX9D")
	case errors.Is(err, kiosk.ErrStopped):
		writeError(w, http.StatusServiceUnavailable, "stopped", "自助机正在重启，请稍候")
	default:
		h.log.Warn("kioskweb: request", "err", err)
		writeError(w, http.StatusServiceUnavailable, "unavailable", "请稍后再试")
	}
}

func decode(w http.ResponseWriter, r *http.Request, into any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		writeError(w, http.StatusBadRequest, "invalid", "请求无效")
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]map[string]string{"error": {"code": code, "message": msg}})
}
