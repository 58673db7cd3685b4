// The counter console: take a counter, call, serve, transfer, pause. It
// shows what the server answers and holds, never a guess: the engine
// decides who is called, so two clerks never get the same visitor.
'use strict';

(() => {
  const { data, $, h } = Y;
  const me = data.me;
  const con = (window.__console = { ready: false, answers: [] });
  Y.staffBar();

  const mine = me.role === 'staff' ? data.counters.filter((c) => me.counters.includes(c.id)) : data.counters;
  let counter = '';
  let state = null; // the counter's live state
  let cur = null; // its current ticket
  let busy = false;

  // --- choosing the counter -------------------------------------------------
  const pick = $('counter');
  pick.replaceChildren(...mine.map((c) => h('option', { value: c.id }, c.name + (c.unit ? '（' + c.unit + '）' : ''))));
  let saved = '';
  try { saved = localStorage.getItem('yiting.console.counter') || ''; } catch (e) { /* no storage */ }
  counter = mine.some((c) => c.id === saved) ? saved : (mine[0] || {}).id || '';
  pick.value = counter;
  pick.addEventListener('change', () => {
    counter = pick.value;
    try { localStorage.setItem('yiting.console.counter', counter); } catch (e) { /* no storage */ }
    cur = null;
    refresh();
  });
  if (!counter) {
    message('您的账号没有绑定窗口，请联系管理员。', false);
  }

  // --- messages -------------------------------------------------------------
  function message(text, ok) {
    const m = $('message');
    m.textContent = text;
    m.className = 'message' + (ok ? ' ok' : '');
    m.hidden = !text;
  }

  // --- rendering ------------------------------------------------------------
  const statusNames = { waiting: '等候中', called: '已呼叫，等待来访人到窗口', serving: '办理中', done: '已办结', noshow: '过号', parked: '挂起', cancelled: '已取消', expired: '已过期' };
  const counterStatus = { open: '开放中', paused: '暂停', closed: '已关闭' };

  function renderCurrent() {
    const t = cur;
    $('cur-number').textContent = t ? t.number : '—';
    $('cur-status').textContent = t ? statusNames[t.status] || t.status : '当前没有办理中的号';
    $('current').dataset.status = t ? t.status : 'none';
    $('cur-service').textContent = t ? Y.serviceName(t.service) + (t.priority ? '（' + Y.className(t.priority) + '·优先）' : '') : '—';
    $('cur-name').textContent = t ? (t.visitor && t.visitor.masked_name) || '未登记身份' : '—';
    $('cur-called').textContent = t ? Y.hm(t.called_at) : '—';
    $('cur-recalls').textContent = t ? String(t.recalls || 0) : '—';
    renderVisitor(t);
    $('cur-note').textContent = (t && t.note) || '—';
    renderWait();
    const st = state ? state.status : 'closed';
    const has = !!t;
    const enable = {
      'call-next': st === 'open' && !has, call: st === 'open' && !has,
      recall: has && t.status === 'called', start: has && t.status === 'called',
      complete: has, 'no-show': has && t.status === 'called', park: has, transfer: has,
      open: st !== 'open', pause: st === 'open' && !has, close: st !== 'closed' && !has,
    };
    for (const b of document.querySelectorAll('[data-cmd]')) b.disabled = busy || !counter || !enable[b.dataset.cmd];
    $('counter-status').textContent = counterStatus[st] + (state && state.pause_reason ? '：' + state.pause_reason : '');
    $('counter-status').dataset.status = st;
    $('served').textContent = state ? state.served : 0;
  }

  // The visitor's matter: the case of the ticket (a link to its page),
  // how often they came, and their other cases the clerk may see — masked,
  // as the server gives them. Read once per ticket.
  let visitorOf = '';
  function renderVisitor(t) {
    const code = t && t.case_code;
    if (!code) {
      visitorOf = '';
      $('cur-case').textContent = '无';
      $('cur-visits').textContent = '—';
      $('cur-related').textContent = '—';
      return;
    }
    if (visitorOf === code) return;
    visitorOf = code;
    $('cur-case').replaceChildren(h('a', { href: '/cases/' + code, target: '_blank', rel: 'noopener' }, code));
    $('cur-visits').textContent = '读取中…';
    $('cur-related').textContent = '读取中…';
    const base = '/api/v1/cases/' + encodeURIComponent(code);
    Promise.all([Y.api('GET', base), Y.api('GET', base + '/related')]).then(([c, r]) => {
      if (visitorOf !== code) return;
      const v = c.case;
      const visits = v.visits || [];
      const earlier = visits.length > 1 ? '，上次 ' + new Date(visits[visits.length - 2].at).toLocaleDateString('zh-CN', { timeZone: data.tz }) : '';
      $('cur-visits').textContent = (visits.length <= 1 ? '首次来访' : '第 ' + visits.length + ' 次来访' + earlier) + ' · ' + v.status_name + (v.unit ? ' · ' + v.unit : '');
      $('cur-related').replaceChildren(...(r.cases.length ? r.cases.slice(0, 5).flatMap((x, i) => [i ? '；' : '',
        h('a', { href: '/cases/' + x.code, target: '_blank', rel: 'noopener' }, x.code), ' ' + x.type_name + ' ' + x.status_name]) : ['无']));
    }).catch((e) => {
      if (visitorOf !== code) return;
      $('cur-visits').textContent = e.status === 403 ? '无权查看此案件' : '读取失败：' + e.message;
      $('cur-related').textContent = '—';
    });
  }

  function renderWait() {
    const t = cur;
    if (!t) { $('cur-wait').textContent = '—'; return; }
    const waited = Date.parse(t.first_call || t.called_at) - Date.parse(t.issued_at);
    $('cur-wait').textContent = Y.duration(waited) + '（取号 ' + Y.hm(t.issued_at) + '）';
  }

  function renderCounts(q) {
    const c = Y.counters.get(counter);
    if (!c) return;
    const counts = new Map(q.services.map((s) => [s.service, s]));
    $('counts').replaceChildren(...c.services.map((id) => {
      const s = counts.get(id) || { waiting: 0, priority: 0 };
      return h('li', {}, h('span', {}, Y.serviceName(id)), h('strong', {}, s.waiting), s.priority ? h('small', {}, '（优先 ' + s.priority + '）') : '');
    }));
  }

  function row(t, ...cells) {
    return h('tr', { dataset: { number: t.number } }, h('td', { class: 'num' }, t.number), ...cells);
  }

  function renderLists(w) {
    const now = Y.serverNow();
    $('waiting-total').textContent = '共 ' + w.waiting_total + ' 人' + (w.waiting_total > w.waiting.length ? '，显示前 ' + w.waiting.length : '');
    const rows = w.waiting.map((t) => row(t,
      h('td', {}, Y.serviceName(t.service)),
      h('td', {}, t.appointment ? '预约 ' + Y.hm(t.appointment) : t.priority ? Y.className(t.priority) + '·优先' : (t.directed ? '指定本窗口' : '')),
      h('td', {}, Y.duration(now - Date.parse(t.issued_at))),
      h('td', {}, h('button', { type: 'button', onclick: () => callDialog(t.number) }, '呼叫此号'))));
    $('waiting-list').tBodies[0].replaceChildren(...(rows.length ? rows : [h('tr', {}, h('td', { colspan: 5 }, '当前没有等候的号'))]));
    $('parked-list').tBodies[0].replaceChildren(...(w.parked.length ? w.parked.map((t) => row(t,
      h('td', {}, Y.serviceName(t.service)), h('td', {}, t.note || ''),
      h('td', {}, h('button', { type: 'button', onclick: () => run('unpark', { number: t.number }) }, '恢复排队')))) :
      [h('tr', {}, h('td', {}, '无'))]));
    $('noshow-total').textContent = w.no_shows_total ? '共 ' + w.no_shows_total + ' 个' : '';
    $('noshow-list').tBodies[0].replaceChildren(...(w.no_shows.length ? w.no_shows.map((t) => row(t,
      h('td', {}, Y.serviceName(t.service)),
      h('td', {}, h('button', { type: 'button', onclick: () => run('reactivate', { number: t.number }) }, '恢复排队'),
        ' ', h('button', { type: 'button', onclick: () => callDialog(t.number, '来访人返回') }, '呼叫')))) :
      [h('tr', {}, h('td', {}, '无'))]));
  }

  // --- reading the server ---------------------------------------------------
  // Only the latest refresh draws: an older one that answers late (it
  // left before a command changed the counter) would show a stale visitor.
  let refreshes = 0;
  async function refresh() {
    if (!counter) return;
    const mine = ++refreshes;
    try {
      const [cs, w, q] = await Promise.all([
        Y.api('GET', '/api/v1/counters'),
        Y.api('GET', '/api/v1/counters/' + encodeURIComponent(counter) + '/waiting'),
        Y.api('GET', '/api/v1/queue'),
      ]);
      if (mine !== refreshes) return;
      const c = cs.counters.find((x) => x.id === counter);
      state = c ? c.state : null;
      cur = c ? c.ticket : null;
      renderCurrent();
      renderLists(w);
      renderCounts(q);
    } catch (e) {
      if (e.status === 401) { location.href = '/login?next=' + encodeURIComponent('/console'); return; }
      message(e.message, false);
    }
  }
  const refreshSoon = Y.throttle(refresh, 300);

  // --- commands -------------------------------------------------------------
  const done = {
    'call-next': (t) => (t ? '已呼叫 ' + t.number : '当前没有等候的号'),
    recall: (t) => (t.status === 'noshow' ? t.number + ' 重呼次数已满，已记为过号' : '已重呼 ' + t.number),
    start: (t) => t.number + ' 开始办理', complete: (t) => t.number + ' 已办结', 'no-show': (t) => t.number + ' 已记为过号',
    park: (t) => t.number + ' 已挂起', transfer: (t) => t.number + ' 已转移至' + Y.serviceName(t.service) + (t.target_counter ? '（' + Y.counterName(t.target_counter) + '）' : ''),
    call: (t) => '已呼叫 ' + t.number, unpark: (t) => t.number + ' 已恢复排队（指定本窗口）', reactivate: (t) => t.number + ' 已恢复排队',
    open: () => '窗口已开启', pause: () => '窗口已暂停', close: () => '窗口已关闭',
  };

  async function run(cmd, body) {
    if (busy || !counter) return;
    busy = true;
    renderCurrent();
    try {
      const out = await Y.api('POST', '/api/v1/counters/' + encodeURIComponent(counter) + '/' + cmd, body);
      const t = out && 'ticket' in out ? out.ticket : null;
      con.answers.push({ cmd, ticket: t, counter: out && out.counter });
      if (out && 'ticket' in out && cmd !== 'unpark' && cmd !== 'reactivate') {
        // The server's answer is the truth about this counter's ticket.
        cur = t && (t.status === 'called' || t.status === 'serving') && t.counter === counter ? t : null;
      }
      refreshes++; // a refresh that left before this answer is stale
      message(done[cmd](t), true);
    } catch (e) {
      if (e.status === 401) { location.href = '/login?next=' + encodeURIComponent('/console'); return; }
      message(e.message, false);
    } finally {
      busy = false;
      renderCurrent();
      refresh();
    }
  }

  // --- dialogs --------------------------------------------------------------
  function dialog(id, init, submit) {
    const d = $(id);
    init(d);
    d.querySelector('.cancel').onclick = () => d.close('cancel');
    d.querySelector('form').onsubmit = (e) => {
      e.preventDefault();
      const body = submit(d);
      if (body) { d.close('ok'); run(body.cmd, body.body); }
    };
    d.showModal();
  }

  function reasonDialog(cmd, title, presets) {
    dialog('dlg-reason', (d) => {
      $('reason-title').textContent = title;
      $('reason-input').value = '';
      $('reason-presets').replaceChildren(...presets.map((p) => h('option', { value: p })));
    }, () => {
      const reason = $('reason-input').value.trim();
      return reason ? { cmd, body: { reason } } : null;
    });
  }

  function callDialog(number, reason) {
    dialog('dlg-call', () => {
      $('call-number').value = number || '';
      $('call-reason').value = reason || '';
      (number ? $('call-reason') : $('call-number')).focus();
    }, () => {
      const n = $('call-number').value.trim().toUpperCase();
      const r = $('call-reason').value.trim();
      return n && r ? { cmd: 'call', body: { number: n, reason: r } } : null;
    });
  }

  function transferDialog() {
    dialog('dlg-transfer', () => {
      const svc = $('transfer-service');
      svc.replaceChildren(...data.services.map((s) => h('option', { value: s.id }, s.name)));
      if (cur) svc.value = cur.service;
      const fill = () => {
        const ctr = $('transfer-counter');
        ctr.replaceChildren(h('option', { value: '' }, '不指定（按业务排队）'),
          ...data.counters.filter((c) => c.id !== counter && c.services.includes(svc.value)).map((c) => h('option', { value: c.id }, c.name)));
      };
      svc.onchange = fill;
      fill();
      $('transfer-reason').value = '';
    }, () => ({
      cmd: 'transfer',
      body: { service: $('transfer-service').value, counter: $('transfer-counter').value, reason: $('transfer-reason').value.trim() },
    }));
  }

  const actions = {
    'call-next': () => run('call-next'), recall: () => run('recall'), start: () => run('start'),
    complete: () => run('complete'), 'no-show': () => run('no-show'),
    park: () => reasonDialog('park', '挂起当前号', ['回去取材料', '去复印证件', '等待其他部门意见']),
    transfer: transferDialog, call: () => callDialog(''),
    open: () => run('open'), pause: () => reasonDialog('pause', '暂停窗口', ['午休', '外出调查', '会议', '临时离开']),
    close: () => run('close'),
  };
  for (const b of document.querySelectorAll('[data-cmd]')) b.addEventListener('click', () => actions[b.dataset.cmd]());

  // Keyboard: the letter shown on each button; never while typing or in a
  // dialog, never with a modifier (browser shortcuts stay theirs).
  const keys = { n: 'call-next', r: 'recall', s: 'start', c: 'complete', x: 'no-show', p: 'park', t: 'transfer', f: 'call', o: 'open', z: 'pause', q: 'close' };
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.altKey || e.metaKey || e.repeat) return;
    if (document.querySelector('dialog[open]')) return;
    const tag = (e.target && e.target.tagName) || '';
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') return;
    if (e.key.toLowerCase() === 'i' && window.__desk) { // the service desk: desk.js
      e.preventDefault();
      window.__desk.open();
      return;
    }
    const cmd = keys[e.key.toLowerCase()];
    if (!cmd) return;
    e.preventDefault();
    const b = document.querySelector('[data-cmd="' + cmd + '"]');
    if (b && b.disabled) {
      message('现在不能' + b.firstChild.textContent.trim() + '（请看当前状态）', false);
      return;
    }
    actions[cmd]();
  });

  // --- live -----------------------------------------------------------------
  // openOnMyCall: a clerk who comes back to the console (a reload, another
  // browser) finds it on the counter where they have a visitor called or
  // being served, whatever counter the browser remembers.
  async function openOnMyCall() {
    try {
      const cs = await Y.api('GET', '/api/v1/counters');
      const here = cs.counters.find((x) => x.id === counter);
      if (here && here.ticket) return;
      const busy = cs.counters.find((x) => mine.some((m) => m.id === x.id) && x.ticket && x.ticket.staff === me.id &&
        (x.ticket.status === 'called' || x.ticket.status === 'serving'));
      if (!busy) return;
      counter = busy.id;
      pick.value = counter;
      try { localStorage.setItem('yiting.console.counter', counter); } catch (e) { /* no storage */ }
    } catch (e) { /* the refresh after says what is wrong */ }
  }

  async function start() {
    let q;
    try {
      q = await Y.api('GET', '/api/v1/queue');
    } catch (e) {
      if (e.status === 401) { location.href = '/login?next=' + encodeURIComponent('/console'); return; }
      message(e.message, false);
      setTimeout(start, 3000);
      return;
    }
    await openOnMyCall();
    await refresh();
    const s = Y.stream({
      after: q.last_event,
      onEvent: refreshSoon,
      onReset: refreshSoon,
      onStatus: (st) => { $('conn').textContent = st === 'open' ? '● 实时' : '○ 连接中断，正在重连'; $('conn').dataset.status = st; if (st === 'open') refreshSoon(); },
    });
    Y.watch(s);
    setInterval(renderWait, 1000);
    con.ready = true;
  }
  renderCurrent();
  start();
})();
