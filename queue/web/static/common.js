// yiting pages: what every page shares. Plain JavaScript, no build step.
'use strict';

const Y = (() => {
  const data = JSON.parse(document.getElementById('page-data').textContent);

  // --- credentials --------------------------------------------------------

  // deviceToken returns the device token of this page (board or pad): a
  // ?token= in the address is stored in localStorage and removed from the
  // address bar (and so from screenshots and the history); later loads use
  // the stored one.
  function deviceToken(page) {
    const key = 'yiting.token.' + page;
    const url = new URL(location.href);
    const t = url.searchParams.get('token');
    if (t) {
      try { localStorage.setItem(key, t); } catch (e) { /* private mode: keep it for this load */ }
      url.searchParams.delete('token');
      history.replaceState(null, '', url.pathname + (url.search ? url.search : '') + url.hash);
      return t;
    }
    try { return localStorage.getItem(key) || ''; } catch (e) { return ''; }
  }

  let token = '';
  function useToken(t) { token = t || ''; }

  // --- the API --------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  let offset = 0; // server clock − this clock, from the Date header

  // api sends a JSON request and returns the decoded answer (null for 204);
  // a non-2xx answer throws an ApiError with the server's Chinese message.
  // extra are further request headers (an Idempotency-Key).
  async function api(method, path, body, extra) {
    const headers = Object.assign({}, extra);
    if (token) headers.Authorization = 'Bearer ' + token;
    const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      throw new ApiError(0, 'network', '无法连接服务器，请检查网络');
    }
    const date = res.headers.get('Date');
    if (date) offset = Date.parse(date) - Date.now();
    if (res.status === 204) return null;
    let out = null;
    try { out = await res.json(); } catch (e) { /* not JSON */ }
    if (!res.ok) {
      const err = (out && out.error) || {};
      throw new ApiError(res.status, err.code || 'http_' + res.status, err.message || ('服务器返回 ' + res.status));
    }
    return out;
  }

  // serverNow is the server's clock, within a second.
  function serverNow() { return Date.now() + offset; }

  // --- the event stream -----------------------------------------------------

  const ticketTypes = ['ticket.issued', 'ticket.called', 'ticket.recalled', 'ticket.started', 'ticket.completed',
    'ticket.noshow', 'ticket.parked', 'ticket.unparked', 'ticket.reactivated', 'ticket.transferred',
    'ticket.cancelled', 'ticket.expired', 'ticket.rated'];
  const allTypes = ticketTypes.concat(['counter.changed', 'day.started']);

  // stream follows GET /api/v1/events from sequence number `after`. The
  // browser's EventSource reconnects by itself with Last-Event-ID after a
  // network drop; when it gives up (the server answered an error, e.g. 503
  // while restarting) this reopens it with ?after= and a growing delay.
  // Events at or before the last one seen are dropped, so a reopened stream
  // never applies an event twice. onStatus gets 'open' or 'down'. types
  // are the event types to follow (the queue's by default; the case pages
  // give the case steps' from their page data).
  function stream({ after, onEvent, onReset, onStatus, types }) {
    let last = Number(after) || 0;
    let es = null;
    let timer = null;
    let backoff = 1000;
    let closed = false;
    const status = onStatus || (() => {});
    function url() {
      const q = new URLSearchParams({ after: String(last) });
      if (token) q.set('token', token);
      return '/api/v1/events?' + q.toString();
    }
    function connect() {
      clearTimeout(timer);
      if (es) es.close();
      if (closed) return;
      es = new EventSource(url());
      es.onopen = () => { backoff = 1000; status('open'); };
      es.onerror = () => {
        status('down');
        if (es && es.readyState === EventSource.CLOSED) {
          clearTimeout(timer);
          timer = setTimeout(connect, backoff);
          backoff = Math.min(backoff * 2, 15000);
        }
      };
      for (const type of (types || allTypes)) {
        es.addEventListener(type, (m) => {
          const seq = Number(m.lastEventId);
          if (seq && seq <= last) return;
          if (seq) last = seq;
          let ev;
          try { ev = JSON.parse(m.data); } catch (e) { return; }
          try { onEvent(ev); } catch (e) { console.error('event handler', e); }
        });
      }
      es.addEventListener('reset', (m) => {
        const seq = Number(m.lastEventId);
        if (seq) last = seq;
        if (onReset) onReset();
      });
    }
    connect();
    return {
      get last() { return last; },
      get open() { return es !== null && es.readyState === EventSource.OPEN; },
      restart(from) { if (from !== undefined) last = Number(from) || 0; backoff = 1000; connect(); },
      // close ends the stream for good (the page's credentials ended).
      close() { closed = true; clearTimeout(timer); if (es) es.close(); es = null; },
    };
  }

  // watch checks once a minute, as long as the page lives, that the server
  // is the same version (else the page reloads: new code is never missed
  // and nobody presses F5) and that the stream has not silently stalled
  // (a dead connection can look open for a long time): an event the server
  // had a minute ago and the page still lacks restarts the stream.
  function watch(s, onDown) {
    let seen = -1;
    async function check() {
      try {
        const res = await fetch('/healthz', { cache: 'no-store' });
        const h = await res.json();
        if (h.version && data.version && h.version !== data.version) {
          location.reload();
          return;
        }
        const q = await api('GET', '/api/v1/queue');
        if (seen >= 0 && s.last < seen) s.restart();
        seen = q.last_event;
      } catch (e) {
        if (onDown) onDown(e);
      }
    }
    setInterval(check, 60000);
    return check;
  }

  // --- the hall's configuration ---------------------------------------------

  const services = new Map(data.services.map((s) => [s.id, s]));
  const counters = new Map(data.counters.map((c) => [c.id, c]));
  const classes = new Map(data.priority.map((c) => [c.id, c]));
  const serviceName = (id) => (services.get(id) || { name: id || '—' }).name;
  const counterName = (id) => (counters.get(id) || { name: id || '—' }).name;
  const className = (id) => (id ? (classes.get(id) || { name: id }).name : '');

  // --- DOM helpers ----------------------------------------------------------

  // h builds an element: h('li', {class: 'x'}, 'text', child). Text goes in
  // as text, never as HTML.
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === false || v === null || v === undefined) continue;
      if (k === 'class') el.className = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else el.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : String(c));
    }
    return el;
  }

  const $ = (id) => document.getElementById(id);

  function pad2(n) { return String(n).padStart(2, '0'); }

  // duration shows milliseconds as 12分05秒 or 1小时03分.
  function duration(ms) {
    if (!(ms >= 0)) return '—';
    const s = Math.floor(ms / 1000);
    if (s < 60) return s + '秒';
    const m = Math.floor(s / 60);
    if (m < 60) return m + '分' + pad2(s % 60) + '秒';
    return Math.floor(m / 60) + '小时' + pad2(m % 60) + '分';
  }

  // Times are the hall's (data.tz), whatever zone the browser is set to:
  // a board or a console on a machine set to UTC shows the hall's clock.
  const inHall = new Intl.DateTimeFormat('en-CA', {
    timeZone: data.tz || undefined, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
    hour: 'numeric', minute: 'numeric', second: 'numeric', weekday: 'short',
  });
  const weekdayIndex = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
  // parts is a date's fields in the hall's zone.
  function parts(date) {
    const p = {};
    for (const x of inHall.formatToParts(date)) p[x.type] = x.value;
    return { y: +p.year, mo: +p.month, d: +p.day, h: +p.hour, mi: +p.minute, s: +p.second, wd: weekdayIndex[p.weekday] };
  }
  function clock(date) { const p = parts(date); return pad2(p.h) + ':' + pad2(p.mi) + ':' + pad2(p.s); }
  function hm(iso) { if (!iso) return '—'; const p = parts(new Date(iso)); return pad2(p.h) + ':' + pad2(p.mi); }
  const weekdays = ['日', '一', '二', '三', '四', '五', '六'];
  function dateLine(date) { const p = parts(date); return p.y + '年' + p.mo + '月' + p.d + '日 星期' + weekdays[p.wd]; }

  // throttle runs fn at most once per ms, and once more after the last call.
  function throttle(fn, ms) {
    let timer = null;
    let again = false;
    return function run() {
      if (timer) { again = true; return; }
      fn();
      timer = setTimeout(() => { timer = null; if (again) { again = false; run(); } }, ms);
    };
  }

  // followCases calls onChange(event) for every case step the server lets
  // this person see from now on (the case pages: a list or a case that
  // changes while open says so).
  async function followCases(onChange) {
    let after = 0;
    try { after = (await api('GET', '/api/v1/queue')).last_event; } catch (e) { return null; }
    return stream({ after, types: data.case_steps || [], onEvent: onChange, onReset: () => onChange(null) });
  }

  // Staff pages: the logged-in person and the logout button.
  // --- appointments -------------------------------------------------------

  // fillSlots fills a select with a plan's slots of a day (a full one
  // disabled), or why the day is closed.
  async function fillSlots(sel, plan, day) {
    sel.replaceChildren();
    const out = await api('GET', '/api/v1/appointments/slots?plan=' + encodeURIComponent(plan) + '&day=' + encodeURIComponent(day));
    if (out.closed) sel.append(h('option', { value: '' }, out.closed));
    for (const s of out.slots) {
      sel.append(h('option', s.free > 0 ? { value: s.start } : { value: s.start, disabled: '' },
        hm(s.start) + (s.free > 0 ? '（余 ' + s.free + '）' : '（已约满）')));
    }
  }

  // apptChange wires the buttons .appt-change of a list of bookings to the
  // form #change (the template "apptchange"): staff move a booking to
  // another slot of its plan or cancel it with a reason, then the page
  // reloads; fail shows an error.
  function apptChange(fail) {
    const change = $('change');
    if (!change) return;
    let current = null;
    const slots = () => fillSlots($('move-start'), current.plan, $('move-day').value).catch(fail);
    for (const b of document.querySelectorAll('.appt-change')) {
      b.addEventListener('click', () => {
        current = b.dataset;
        $('change-what').textContent = current.what;
        $('move-day').value = current.day;
        $('cancel-reason').value = '';
        change.hidden = false;
        slots();
        $('move-day').focus();
      });
    }
    $('move-day').addEventListener('change', slots);
    $('change-close').addEventListener('click', () => { change.hidden = true; });
    const send = (what, body) => async (e) => {
      e.preventDefault();
      try {
        await api('POST', '/api/v1/appointments/' + encodeURIComponent(current.id) + '/' + what, body());
        location.reload();
      } catch (err) { fail(err); }
    };
    $('move').addEventListener('submit', send('move', () => ({ start: $('move-start').value })));
    $('cancel').addEventListener('submit', send('cancel', () => ({ reason: $('cancel-reason').value.trim() })));
  }

  function staffBar() {
    const me = data.me;
    const name = $('me-name');
    if (name && me) name.textContent = (me.name || me.id) + '（' + me.id + '）';
    // Links to pages the role may not open are not shown (the server
    // refuses them anyway).
    for (const a of document.querySelectorAll('.staffbar [data-roles]')) {
      a.hidden = !me || !a.dataset.roles.split(' ').includes(me.role);
    }
    const out = $('logout');
    if (out) {
      out.addEventListener('click', async () => {
        try { await api('POST', '/api/v1/logout'); } catch (e) { /* gone already */ }
        location.href = '/login';
      });
    }
  }

  return {
    data, deviceToken, useToken, api, ApiError, serverNow, stream, followCases, watch, ticketTypes,
    services, counters, serviceName, counterName, className, h, $, duration, clock, hm, dateLine, throttle, staffBar,
    fillSlots, apptChange,
  };
})();
