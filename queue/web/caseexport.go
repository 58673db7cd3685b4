package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path"

	"yiting/queue"
	"yiting/queue/cases"
)

// The case book's exports for the yearly report (信访工作条例 Art. 41), for
// supervisors and admins, from the supervision page: the case list and the
// indicators as UTF-8 CSV with a BOM (Excel), and the printable report.
// ?from=&to= (dates, or ?range= a preset) as on the dashboard; this year
// if neither. Masked names only: the book writes nothing else.

// caseExport answers GET /dashboard/cases.csv, /dashboard/case-stats.csv
// and /dashboard/case-report.html.
func (p *Pages) caseExport(w http.ResponseWriter, r *http.Request) {
	pr, ok := p.staffPage(w, r, queue.RoleSupervisor, queue.RoleAdmin)
	if !ok {
		return
	}
	if p.cases == nil {
		p.errorPage(w, http.StatusServiceUnavailable, "未启用案件管理", "本系统未启用案件管理。")
		return
	}
	q := r.URL.Query()
	if q.Get("from") == "" && q.Get("to") == "" && q.Get("range") == "" {
		q.Del("from")
		q.Del("to")
		q.Set("range", "year")
	}
	pd, err := parsePeriod(q, p.now(), p.hall.Location)
	if err != nil {
		p.errorPage(w, http.StatusBadRequest, "时间范围有误", err.Error()+"。")
		return
	}
	from, err1 := cases.ParseDate(pd.From)
	to, err2 := cases.ParseDate(pd.To)
	if err1 != nil || err2 != nil {
		p.errorPage(w, http.StatusBadRequest, "时间范围有误", "请选择日期。")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), statsTimeout)
	defer cancel()
	file := path.Base(r.URL.Path)
	switch file {
	case "cases.csv":
		// The book checks the principal before it writes anything, so a
		// refusal is still an error page.
		lw := &lazyWriter{w: w, head: func() {
			download(w, "text/csv; charset=utf-8", fmt.Sprintf("cases-%s-%s.csv", from.Compact(), to.Compact()))
		}}
		if err := p.cases.ExportCases(ctx, pr, from, to, lw); err != nil {
			if !lw.started {
				p.caseError(w, err)
				return
			}
			p.log.Warn("case export cut short", "err", err)
		}
		lw.start()
	case "case-stats.csv", "case-report.html":
		s, err := p.cases.Stats(ctx, pr, from, to)
		if err != nil {
			p.caseError(w, err)
			return
		}
		if file == "case-report.html" {
			download(w, "text/html; charset=utf-8", "")
			err = p.cases.WriteReport(w, s)
		} else {
			download(w, "text/csv; charset=utf-8", fmt.Sprintf("case-stats-%s-%s.csv", s.From.Compact(), s.To.Compact()))
			err = cases.WriteStatsCSV(w, s)
		}
		if err != nil {
			p.log.Warn("writing a case export failed", "err", err)
		}
	default:
		p.errorPage(w, http.StatusNotFound, "页面不存在", "没有这个导出文件。")
	}
}

// caseError is the page of a refused or failed export.
func (p *Pages) caseError(w http.ResponseWriter, err error) {
	switch queue.ErrorCode(err) {
	case queue.EFORBIDDEN:
		p.errorPage(w, http.StatusForbidden, "没有权限", queue.ErrorMessage(err))
	case queue.EINVALID:
		p.errorPage(w, http.StatusBadRequest, "参数错误", queue.ErrorMessage(err))
	default:
		p.log.Error("case export failed", "err", err)
		p.errorPage(w, http.StatusServiceUnavailable, "导出失败", "系统暂时无法导出，请稍后再试。")
	}
}

func download(w http.ResponseWriter, contentType, name string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "no-store")
	if name != "" {
		h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	}
}

// lazyWriter sets the download's headers with the first byte of the body,
// so that an error before it can still be answered as a page.
type lazyWriter struct {
	w       http.ResponseWriter
	head    func()
	started bool
}

func (l *lazyWriter) start() {
	if !l.started {
		l.started = true
		l.head()
		l.w.WriteHeader(http.StatusOK)
	}
}

func (l *lazyWriter) Write(b []byte) (int, error) {
	l.start()
	return l.w.Write(b)
}

var _ io.Writer = (*lazyWriter)(nil)
