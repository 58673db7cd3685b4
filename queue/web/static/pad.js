// The evaluation pad of one counter: idle until the counter completes a
// ticket, then the five levels (and reasons after a bad one), a thank-you,
// and back to idle. Never forced: with no tap it goes back by itself.
'use strict';

(() => {
  const { data, $, h } = Y;
  const token = Y.deviceToken('pad');
  Y.useToken(token);
  const pad = (window.__pad = { ready: false, screen: 'idle', counter: '', sent: [] });

  let counter = '';
  let ticket = null; // the ticket being rated
  let level = 0;
  let next = null; // a completion that came while the visitor before chose reasons
  let timer = null;
  let countdown = null;
  let shown = 0; // counts screens: an answer that comes back late changes only its own
  let stream = null;
  let stopped = false;

  const tick = () => { $('time').textContent = Y.clock(new Date(Y.serverNow())); };
  tick();
  setInterval(tick, 1000);

  function screen(name) {
    for (const id of ['idle', 'prompt', 'reasons', 'thanks']) $(id).hidden = id !== name;
    pad.screen = name;
    clearTimeout(timer);
    clearInterval(countdown);
    return ++shown;
  }

  // done ends a rating: the visitor who came next, if the clerk completed
  // their ticket meanwhile, is asked now; else the pad waits.
  function done() {
    const t = next;
    next = null;
    pad.next = '';
    if (t && !stopped) prompt(t);
    else idle();
  }

  function idle() {
    ticket = null;
    level = 0;
    screen('idle');
  }

  function prompt(t) {
    ticket = t;
    level = 0;
    $('prompt-number').textContent = t.number + '号';
    $('prompt-service').textContent = Y.serviceName(t.service);
    screen('prompt');
    let left = data.prompt_s;
    $('prompt-left').textContent = left;
    countdown = setInterval(() => { left--; $('prompt-left').textContent = Math.max(left, 0); }, 1000);
    timer = setTimeout(done, data.prompt_s * 1000);
  }

  function reasons() {
    const list = $('reason-list');
    list.replaceChildren(...data.reasons.map((r) => h('button', {
      type: 'button', class: 'reason', 'aria-pressed': 'false',
      onclick: (e) => { const b = e.currentTarget; b.setAttribute('aria-pressed', b.getAttribute('aria-pressed') === 'true' ? 'false' : 'true'); },
    }, r)));
    screen('reasons');
    // The level was chosen: if the visitor walks away now, it is sent
    // with the reasons tapped so far rather than lost.
    timer = setTimeout(() => send(chosenReasons()), data.prompt_s * 1000);
  }

  function chosenReasons() {
    return [...document.querySelectorAll('.reason[aria-pressed="true"]')].map((b) => b.textContent);
  }

  // send stores the rating. The thanks come only with the server's yes; a
  // refusal says so under its own heading.
  async function send(rs) {
    const t = ticket;
    const lv = level;
    if (!t || !lv) { done(); return; }
    const mine = screen('thanks');
    $('thanks-title').textContent = '正在提交…';
    $('thanks-detail').textContent = '';
    let title = '感谢您的评价！';
    let detail = '您的意见将帮助我们改进工作。';
    try {
      await Y.api('POST', '/api/v1/tickets/' + t.id + '/rating', { level: lv, reasons: rs });
      pad.sent.push({ id: t.id, level: lv, reasons: rs });
    } catch (e) {
      if (e.status === 401 || e.status === 403) await checkToken(); // revoked?
      if (stopped) return;
      title = '评价没有提交成功';
      detail = e.status === 409 ? e.message : e.message + '，请向工作人员反映。';
      pad.failed = (pad.failed || 0) + 1;
    }
    if (mine !== shown) return; // the next visitor is being asked already
    $('thanks-title').textContent = title;
    $('thanks-detail').textContent = detail;
    timer = setTimeout(done, data.thanks_s * 1000);
  }

  for (const b of document.querySelectorAll('.level')) {
    b.addEventListener('click', () => {
      if (!ticket || stopped) return;
      level = Number(b.dataset.level);
      if (level <= 2) reasons();
      else send([]);
    });
  }
  $('reasons-skip').addEventListener('click', () => send([]));
  $('reasons-send').addEventListener('click', () => send(chosenReasons()));

  function onEvent(ev) {
    const t = ev.ticket;
    if (stopped || !t || t.counter !== counter) return;
    if (ev.type === 'ticket.completed') {
      // A completion replayed after a long drop is no longer the visitor
      // standing here.
      if (Y.serverNow() - Date.parse(ev.time) > data.fresh_s * 1000) return;
      // A visitor choosing the reasons of a bad rating is not cut off:
      // the next one is asked when they are done.
      if (pad.screen === 'reasons') { next = t; pad.next = t.number; }
      else prompt(t);
    } else if (ev.type === 'ticket.rated' && ticket && t.id === ticket.id && pad.screen === 'prompt') {
      done(); // rated elsewhere (a supervisor)
    }
  }

  // stop ends the pad when its token is refused (revoked): no screen to
  // rate on, only what to do.
  function stop(msg) {
    stopped = true;
    next = null;
    clearTimeout(downTimer);
    $('status').hidden = true;
    if (stream) stream.close();
    idle();
    $('idle').hidden = true;
    pad.ready = false;
    pad.stopped = true;
    setup('当前令牌无效或已被吊销：' + msg);
  }

  // A stream that drops may mean the token was revoked (the server ends a
  // revoked principal's streams at once): ask who we are.
  async function checkToken() {
    try {
      await Y.api('GET', '/api/v1/me');
    } catch (e) {
      if (e.status === 401 || e.status === 403) stop(e.message);
    }
  }

  let downTimer = null;
  function status(s) {
    if (stopped) return;
    if (s === 'open') {
      clearTimeout(downTimer);
      downTimer = null;
      $('status').hidden = true;
    } else {
      checkToken();
    }
    if (s !== 'open' && !downTimer) {
      downTimer = setTimeout(() => { $('status').textContent = '网络中断，正在重新连接…'; $('status').hidden = false; }, 3000);
    }
  }

  function setup(msg) {
    $('setup-detail').textContent = msg;
    $('setup').hidden = false;
  }

  async function start() {
    let me;
    let q;
    for (let wait = 2000; ; wait = Math.min(wait * 2, 30000)) {
      try {
        me = (await Y.api('GET', '/api/v1/me')).principal;
        q = await Y.api('GET', '/api/v1/queue');
        break;
      } catch (e) {
        if (e.status === 401 || e.status === 403) {
          setup(token ? '当前令牌无效或已被吊销：' + e.message : '本机没有设备令牌。');
          return;
        }
        status('down');
        await new Promise((r) => setTimeout(r, wait));
      }
    }
    if (me.role === 'pad') {
      counter = (me.counters || [])[0] || '';
    } else if (me.role === 'supervisor' || me.role === 'admin') {
      counter = new URL(location.href).searchParams.get('counter') || ''; // for trying the pad out
    }
    if (!Y.counters.has(counter)) {
      setup('此令牌不是评价器令牌，或未绑定窗口。');
      return;
    }
    $('setup').hidden = true;
    $('counter-name').textContent = Y.counterName(counter);
    pad.counter = counter;
    stream = Y.stream({ after: q.last_event, onEvent, onReset: () => {}, onStatus: status });
    Y.watch(stream, () => status('down'));
    pad.ready = true;
  }
  idle();
  start();
})();
