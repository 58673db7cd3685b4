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
  let timer = null;
  let countdown = null;

  const tick = () => { $('time').textContent = Y.clock(new Date(Y.serverNow())); };
  tick();
  setInterval(tick, 1000);

  function screen(name) {
    for (const id of ['idle', 'prompt', 'reasons', 'thanks']) $(id).hidden = id !== name;
    pad.screen = name;
    clearTimeout(timer);
    clearInterval(countdown);
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
    timer = setTimeout(idle, data.prompt_s * 1000);
  }

  function reasons() {
    const list = $('reason-list');
    list.replaceChildren(...data.reasons.map((r) => h('button', {
      type: 'button', class: 'reason', 'aria-pressed': 'false',
      onclick: (e) => { const b = e.currentTarget; b.setAttribute('aria-pressed', b.getAttribute('aria-pressed') === 'true' ? 'false' : 'true'); },
    }, r)));
    screen('reasons');
    // The level was chosen: if the visitor walks away now, it is sent
    // without reasons rather than lost.
    timer = setTimeout(() => send([]), data.prompt_s * 1000);
  }

  function chosenReasons() {
    return [...document.querySelectorAll('.reason[aria-pressed="true"]')].map((b) => b.textContent);
  }

  async function send(rs) {
    const t = ticket;
    if (!t || !level) { idle(); return; }
    screen('thanks');
    $('thanks-detail').textContent = '正在提交…';
    try {
      await Y.api('POST', '/api/v1/tickets/' + t.id + '/rating', { level, reasons: rs });
      pad.sent.push({ id: t.id, level, reasons: rs });
      $('thanks-detail').textContent = '您的意见将帮助我们改进工作。';
    } catch (e) {
      $('thanks-detail').textContent = e.status === 409 ? e.message : '提交没有成功：' + e.message;
    }
    timer = setTimeout(idle, data.thanks_s * 1000);
  }

  for (const b of document.querySelectorAll('.level')) {
    b.addEventListener('click', () => {
      if (!ticket) return;
      level = Number(b.dataset.level);
      if (level <= 2) reasons();
      else send([]);
    });
  }
  $('reasons-skip').addEventListener('click', () => send([]));
  $('reasons-send').addEventListener('click', () => send(chosenReasons()));

  function onEvent(ev) {
    const t = ev.ticket;
    if (!t || t.counter !== counter) return;
    if (ev.type === 'ticket.completed') {
      // A completion replayed after a long drop is no longer the visitor
      // standing here.
      if (Y.serverNow() - Date.parse(ev.time) > data.fresh_s * 1000) return;
      prompt(t);
    } else if (ev.type === 'ticket.rated' && ticket && t.id === ticket.id && pad.screen === 'prompt') {
      idle(); // rated elsewhere (a supervisor)
    }
  }

  let downTimer = null;
  function status(s) {
    if (s === 'open') {
      clearTimeout(downTimer);
      downTimer = null;
      $('status').hidden = true;
    } else if (!downTimer) {
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
    const s = Y.stream({ after: q.last_event, onEvent, onReset: () => {}, onStatus: status });
    Y.watch(s, () => status('down'));
    pad.ready = true;
  }
  idle();
  start();
})();
