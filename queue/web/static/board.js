// The display board: the current call, the last calls, waiting per
// service, and each call announced — a chime, then the sentence — one
// announcement at a time.
'use strict';

(() => {
  const { data, $, h } = Y;
  const token = Y.deviceToken('board');
  Y.useToken(token);

  // Test and diagnosis hooks: what was shown when, what was announced when.
  const board = (window.__board = { ready: false, renders: [], loads: 0 });
  const announced = (window.__announcements = []);

  const now = () => performance.timeOrigin + performance.now();
  const RECENT = 6;
  const FRESH_MS = 120000; // older calls (replayed after a long drop) are shown, not spoken

  let current = null; // {id, number, counter, calledAt}
  let recent = []; // earlier calls, newest first
  const seen = new Set(); // ticket id + called_at: a call is shown and spoken once

  // --- clock ----------------------------------------------------------------
  function tick() {
    const d = new Date(Y.serverNow());
    $('date').textContent = Y.dateLine(d);
    $('time').textContent = Y.clock(d);
  }
  tick();
  setInterval(tick, 1000);

  // --- state ----------------------------------------------------------------
  function renderWaiting(q) {
    const counts = new Map(q.services.map((s) => [s.service, s.waiting]));
    const list = $('waiting');
    list.replaceChildren(...data.services.map((s) => {
      const n = counts.get(s.id) || 0;
      return h('li', { class: n ? '' : 'none', dataset: { service: s.id } },
        h('span', { class: 'name' }, s.name), h('span', { class: 'n' }, n));
    }));
  }

  function renderCurrent(flash) {
    const cur = $('current');
    if (!current) {
      $('cur-number').textContent = '—';
      $('cur-counter').textContent = '—';
      $('cur-location').textContent = '';
    } else {
      const c = Y.counters.get(current.counter) || {};
      $('cur-number').textContent = current.number;
      $('cur-counter').textContent = Y.counterName(current.counter);
      $('cur-location').textContent = c.location || '';
    }
    if (flash) {
      cur.classList.remove('flash');
      void cur.offsetWidth; // restart the animation
      cur.classList.add('flash');
    }
    const list = $('recent');
    if (recent.length === 0) {
      list.replaceChildren(h('li', { class: 'empty' }, '暂无'));
    } else {
      list.replaceChildren(...recent.map((r) => h('li', {},
        h('span', { class: 'num' }, r.number), h('span', { class: 'ctr' }, Y.counterName(r.counter)))));
    }
  }

  // show makes a call the current one; the previous goes to the list.
  function show(call, flash) {
    if (current && current.id !== call.id) recent.unshift(current);
    recent = recent.filter((r) => r.id !== call.id).slice(0, RECENT);
    current = call;
    renderCurrent(flash);
    board.renders.push({ number: call.number, counter: call.counter, at: Date.now() });
  }

  // loadState reads the waiting counts and today's latest calls from the
  // server: a board that reloads (or is reset) shows the last calls again.
  async function loadState() {
    const q = await Y.api('GET', '/api/v1/queue');
    const cs = await Y.api('GET', '/api/v1/calls?limit=' + (RECENT + 1));
    renderWaiting(q);
    const calls = cs.calls.map((c) => ({ id: c.id, number: c.number, counter: c.counter, calledAt: c.called_at }));
    for (const c of calls) seen.add(c.id + '@' + c.calledAt);
    current = calls[0] || null;
    recent = calls.slice(1, RECENT + 1);
    renderCurrent(false);
    return q;
  }

  let counts = 0; // only the latest answer draws
  const refreshCounts = Y.throttle(async () => {
    const mine = ++counts;
    try {
      const q = await Y.api('GET', '/api/v1/queue');
      if (mine === counts) renderWaiting(q);
    } catch (e) { /* the stream status tells */ }
  }, 1000);

  // --- events ---------------------------------------------------------------
  function onEvent(ev) {
    if (ev.type === 'day.started') {
      current = null;
      recent = [];
      seen.clear();
      renderCurrent(false);
      refreshCounts();
      return;
    }
    const t = ev.ticket;
    if (!t) return;
    if ((ev.type === 'ticket.called' || ev.type === 'ticket.recalled') && t.counter) {
      const key = t.id + '@' + t.called_at;
      if (seen.has(key)) return;
      seen.add(key);
      const call = { id: t.id, number: t.number, counter: t.counter, calledAt: t.called_at };
      show(call, true);
      if (Y.serverNow() - Date.parse(ev.time) < FRESH_MS) announce(call);
    }
    refreshCounts();
  }

  // --- announcements --------------------------------------------------------
  const audio = $('voice');
  const repeat = data.repeat || 2;
  const mode = data.voice; // auto | server | browser | off
  // Whether the server speaks: from the page, then asked again at every
  // (re)connection — espeak-ng may have been installed or removed since.
  let serverVoice = data.server_speech && (mode === 'auto' || mode === 'server');
  async function askSpeech() {
    try {
      const res = await fetch('/board/speech', { cache: 'no-store' });
      const s = await res.json();
      serverVoice = !!s.server && (mode === 'auto' || mode === 'server');
    } catch (e) { /* keep what the page said */ }
  }
  const queue = [];
  let busy = false;

  // spokenText is what the browser's voice reads: letters and digits apart,
  // so "A012" is said A 零 一 二, as the hall says it.
  function spokenText(call) {
    const digits = call.number.slice(1).split('').join(' ');
    return '请 ' + call.number[0] + ' ' + digits + ' 号，到 ' + Y.counterName(call.counter) + ' 办理';
  }

  function announce(call) {
    if (mode === 'off') return;
    // Without the server's voice the board asks again first: espeak-ng
    // may have been installed since (the server looks for it itself).
    const voice = serverVoice ? fetchVoice(call)
      : (mode === 'browser' ? Promise.resolve(null) : askSpeech().then(() => (serverVoice ? fetchVoice(call) : null)));
    const item = { call, voice };
    queue.push(item);
    if (!busy) playNext();
  }

  // fetchVoice asks the server for the spoken sentence as soon as the call
  // arrives, so it is ready when its turn comes. null: use the browser.
  async function fetchVoice(call) {
    try {
      const q = new URLSearchParams({ number: call.number, counter: call.counter });
      const headers = token ? { Authorization: 'Bearer ' + token } : {};
      const res = await fetch('/board/voice.wav?' + q.toString(), { headers, credentials: 'same-origin' });
      if (!res.ok) return null;
      return URL.createObjectURL(await res.blob());
    } catch (e) {
      return null;
    }
  }

  // play plays one source on the board's one audio element and resolves
  // when it ends, fails, or overruns its length: the queue never stalls.
  function play(src) {
    return new Promise((resolve) => {
      let done = false;
      let timer = setTimeout(() => finish(false), 20000);
      function finish(ok) {
        if (done) return;
        done = true;
        clearTimeout(timer);
        audio.onended = audio.onerror = audio.onloadedmetadata = null;
        resolve(ok);
      }
      audio.onended = () => finish(true);
      audio.onerror = () => finish(false);
      audio.onloadedmetadata = () => {
        if (Number.isFinite(audio.duration)) {
          clearTimeout(timer);
          timer = setTimeout(() => finish(false), audio.duration * 1000 + 3000);
        }
      };
      audio.src = src;
      const p = audio.play();
      if (p) {
        p.catch((e) => {
          if (e && e.name === 'NotAllowedError') $('sound-on').hidden = false;
          finish(false);
        });
      }
    });
  }

  // speak reads text with the browser's voice; it resolves with how it went
  // ('browser', or 'browser-failed' when the machine has no voice).
  function speak(text) {
    return new Promise((resolve) => {
      if (!('speechSynthesis' in window)) { resolve('browser-none'); return; }
      let done = false;
      const u = new SpeechSynthesisUtterance(text);
      u.lang = 'zh-CN';
      u.rate = 0.9;
      const zh = speechSynthesis.getVoices().find((v) => /^(zh|cmn)/i.test(v.lang));
      if (zh) u.voice = zh;
      const timer = setTimeout(() => { speechSynthesis.cancel(); finish('browser-timeout'); }, 3000 + text.length * 450);
      function finish(how) {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(how);
      }
      u.onend = () => finish('browser');
      u.onerror = () => finish('browser-failed');
      speechSynthesis.speak(u);
    });
  }

  const pause = (ms) => new Promise((r) => setTimeout(r, ms));

  async function playNext() {
    const item = queue.shift();
    if (!item) { busy = false; return; }
    busy = true;
    const rec = { number: item.call.number, counter: item.call.counter, path: '', start: now(), end: 0 };
    let url = null;
    try {
      await play('/board/chime.wav');
      url = await item.voice;
      for (let i = 0; i < repeat; i++) {
        if (i > 0) await pause(700);
        if (url) {
          rec.path = (await play(url)) ? 'server' : 'server-failed';
        } else {
          rec.path = await speak(spokenText(item.call));
        }
      }
    } catch (e) {
      rec.path = 'error: ' + e;
    } finally {
      if (url) URL.revokeObjectURL(url);
      rec.end = now();
      announced.push(rec);
      playNext();
    }
  }

  $('sound-on').addEventListener('click', () => {
    $('sound-on').hidden = true;
    audio.play().catch(() => {}); // a gesture unlocks audio for the page
  });

  // --- connection status ----------------------------------------------------
  let downTimer = null;
  function status(s) {
    if (s === 'open') {
      clearTimeout(downTimer);
      downTimer = null;
      $('status').hidden = true;
      refreshCounts();
      askSpeech();
    } else if (!downTimer) {
      downTimer = setTimeout(() => {
        $('status').textContent = '网络中断，正在重新连接…';
        $('status').hidden = false;
      }, 3000);
    }
  }

  function setup(msg) {
    $('setup-detail').textContent = msg;
    $('setup').hidden = false;
  }

  // --- start ----------------------------------------------------------------
  async function start() {
    let q;
    for (let wait = 2000; ; wait = Math.min(wait * 2, 30000)) {
      try {
        q = await loadState();
        break;
      } catch (e) {
        if (e.status === 401 || e.status === 403) {
          setup(token ? '当前令牌无效或已被吊销：' + e.message : '本机没有设备令牌。');
          return;
        }
        status('down');
        await pause(wait);
      }
    }
    $('setup').hidden = true;
    const s = Y.stream({
      after: q.last_event,
      onEvent,
      onReset: () => { loadState().catch(() => {}); },
      onStatus: status,
    });
    board.check = Y.watch(s, () => status('down')); // the test runs a check at once
    duty();
    setInterval(duty, 10 * 60 * 1000);
    board.ready = true;
    board.loads++;
  }
  // Who receives today by the duty rota (县领导坐班接访, 心理咨询日), read
  // again every ten minutes: it changes by day, not by event.
  async function duty() {
    try {
      const sv = await Y.api('GET', '/api/v1/services');
      $('duty').textContent = (sv.duty || []).join('　');
      $('duty').hidden = !(sv.duty && sv.duty.length);
    } catch (e) { /* the next round tries again */ }
  }
  start();
})();
