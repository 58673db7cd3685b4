package httpapi

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"yiting/queue"
)

// metrics are the API's Prometheus series. None carries personal data.
type metrics struct {
	requests   *prometheus.CounterVec   // method, route, status
	latency    *prometheus.HistogramVec // method, route
	issued     *prometheus.CounterVec   // service
	sseClients prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer, eng *queue.Engine) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "yiting_http_requests_total",
			Help: "HTTP requests answered, by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "yiting_http_request_duration_seconds",
			Help: "Time to answer an HTTP request, by method and route pattern (event streams excluded).",
			// The budget is p99 ≤ 20 ms for issuing; resolve around it.
			Buckets: []float64{.001, .0025, .005, .01, .02, .05, .1, .25, .5, 1, 2.5},
		}, []string{"method", "route"}),
		issued: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "yiting_tickets_issued_total",
			Help: "Tickets issued through the HTTP API (replays not counted), by service. A kiosk in the same process issues through the engine directly and is not counted here.",
		}, []string{"service"}),
		sseClients: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "yiting_sse_clients",
			Help: "Event streams (display boards, consoles, pads) connected now.",
		}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.latency, m.issued, m.sseClients, newWaitingCollector(eng)} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("httpapi: register metrics: %w", err)
		}
	}
	// Let every service's counter exist from the start, so a rate() over
	// it has a zero to start from.
	for _, s := range eng.Hall().Services {
		m.issued.WithLabelValues(s.ID)
	}
	return m, nil
}

func (m *metrics) observe(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(method, route, statusText(status)).Inc()
	if route != routeEvents {
		m.latency.WithLabelValues(method, route).Observe(d.Seconds())
	}
}

// statusText avoids an allocation for the statuses we answer most.
func statusText(s int) string {
	switch s {
	case 200:
		return "200"
	case 201:
		return "201"
	case 204:
		return "204"
	case 400:
		return "400"
	case 401:
		return "401"
	case 404:
		return "404"
	case 409:
		return "409"
	}
	return strconv.Itoa(s)
}

// waitingCollector reads the engine's state once per scrape.
type waitingCollector struct {
	eng  *queue.Engine
	desc *prometheus.Desc
}

func newWaitingCollector(eng *queue.Engine) waitingCollector {
	return waitingCollector{eng: eng, desc: prometheus.NewDesc("yiting_waiting_tickets",
		"Tickets waiting now, by service (directed ones included).", []string{"service"}, nil)}
}

func (w waitingCollector) Describe(ch chan<- *prometheus.Desc) { ch <- w.desc }

func (w waitingCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range w.eng.State().Services {
		ch <- prometheus.MustNewConstMetric(w.desc, prometheus.GaugeValue, float64(s.Waiting), s.ServiceID)
	}
}

// metricsHandler serves the registry to the Pi itself without
// credentials (the local agent scrapes 127.0.0.1) and otherwise to admins
// and supervisors only.
func (a *API) metricsHandler() gin.HandlerFunc {
	h := gin.WrapH(promhttp.HandlerFor(a.reg, promhttp.HandlerOpts{}))
	return func(c *gin.Context) {
		if !LocalRequest(c.Request) {
			p, ok := a.principal(c, false)
			if !ok {
				return
			}
			if p.Role != queue.RoleAdmin && p.Role != queue.RoleSupervisor {
				a.fail(c, queue.Errorf(queue.EFORBIDDEN, "只有管理员和主管可以查看监控指标 (admin or supervisor only)"))
				return
			}
		}
		h(c)
	}
}

// LocalRequest reports whether the peer is this machine and no proxy
// stands between: a reverse proxy on the Pi would otherwise make every
// request look local.
func LocalRequest(r *http.Request) bool {
	if r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" || r.Header.Get("X-Real-Ip") != "" {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
