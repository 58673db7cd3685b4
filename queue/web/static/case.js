// The case page: rendered by the server; this sends its actions to the
// API's case commands (the server decides and says why it refuses), opens
// the parties' full data on request (audited), and follows the case on the
// event stream.
'use strict';

(() => {
  const { $, h, api } = Y;
  Y.staffBar();
  const code = Y.data.code;
  const base = '/api/v1/cases/' + encodeURIComponent(code);

  function fail(msg) {
    const m = $('act-error');
    m.textContent = msg;
    m.hidden = false;
    m.scrollIntoView({ block: 'center' });
  }

  // The body of each command: exactly the fields the API takes.
  const bodies = {
    receive: (f) => ({ counter: f.get('counter') }),
    route: (f) => Object.assign({ kind: f.get('kind'), unit: f.get('unit'), counter: f.get('counter'), staff: f.get('staff').trim(), note: f.get('note').trim() },
      f.get('reply_by') ? { reply_by: f.get('reply_by') } : {}),
    handle: () => ({}),
    records: (f) => ({ kind: f.get('kind'), text: f.get('text') }),
    extend: (f) => ({ reason: f.get('reason'), consent: f.get('consent') || '' }),
    pause: (f) => ({ reason: f.get('reason') }),
    resume: () => ({}),
    conclude: (f) => ({ outcome: f.get('outcome'), referral: f.get('outcome') === 'failed' ? f.get('referral') : '', note: f.get('note') }),
    close: (f) => ({ outcome: f.get('outcome') || '', note: f.get('note') }),
    supervisions: (f) => ({ level: f.get('level'), reason: f.get('reason') }),
    reply: (f) => ({ reply: f.get('reply') }),
    acknowledge: () => ({}),
    object: (f) => ({ reason: f.get('reason') }),
    assess: (f) => ({ risk: f.get('risk'), note: f.get('note') }),
    meetings: (f) => Object.assign({ participants: f.get('participants'), conclusion: f.get('conclusion') }, f.get('date') ? { date: f.get('date') } : {}),
    warnings: (f) => ({ unit: f.get('unit'), text: f.get('text') }),
    'ack-warning': () => ({}),
    major: (f) => ({ reason: f.get('reason') }),
    'report-up': (f) => ({ reason: f.get('reason') }),
    review: (f) => ({ action: f.get('action') }),
    accusation: (f) => ({ unit: f.get('unit'), staff: f.get('staff').trim() }),
    recuse: (f) => ({ staff: f.get('staff').trim(), reason: f.get('reason') }),
    answer: (f) => ({ text: f.get('text') }),
    post: () => ({}),
    sessions: (f) => ({ when: f.get('when'), place: f.get('place'), participants: f.get('participants'), content: f.get('content') }),
    agreement: (f) => ({ facts: f.get('facts'), terms: f.get('terms'), performance: f.get('performance'), oral: f.get('oral') === '1' }),
  };
  // The paths that are not /cases/{code}/{cmd}.
  const paths = {
    reply: (form) => base + '/supervisions/' + form.dataset.id + '/reply',
    'ack-warning': (form) => base + '/warnings/' + form.dataset.id + '/ack',
    review: () => base + '/review/close',
    answer: (form) => base + '/messages/' + form.dataset.id + '/answer',
    post: (form) => base + '/supervisions/' + form.dataset.id + '/post',
  };

  let acting = false;
  for (const form of document.querySelectorAll('form.act')) {
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const cmd = form.dataset.cmd;
      const f = new FormData(form);
      const btn = form.querySelector('button[type=submit]');
      btn.disabled = true;
      acting = true;
      try {
        if (cmd === 'personal') {
          const out = await api('POST', base + '/personal', { reason: f.get('reason') });
          $('personal-rows').replaceChildren(...out.persons.map((p) =>
            h('tr', {}, h('td', {}, p.name), h('td', {}, p.id_number || '—'), h('td', {}, p.phone || '—'), h('td', {}, p.address || '—'))));
          $('personal-out').hidden = false;
          form.hidden = true;
          return;
        }
        const path = paths[cmd] ? paths[cmd](form) : base + '/' + cmd;
        await api('POST', path, bodies[cmd](f));
        location.reload();
      } catch (err) {
        fail(err.message);
      } finally {
        btn.disabled = false;
        acting = false;
      }
    });
  }

  // 安排调解: the slots of the chosen room and day; the session books
  // every party of the case, and each party's code is shown once.
  const sched = $('schedule');
  let scheduled = false; // the codes on screen are not thrown away by a reload
  function sessionFail(err) { $('session-error').textContent = err.message; $('session-error').hidden = false; }
  const sessionSlots = () => Y.fillSlots($('session-start'), $('session-plan').value, $('session-day').value).catch(sessionFail);
  Y.apptChange(sessionFail);
  if (sched) {
    $('session-plan').addEventListener('change', sessionSlots);
    $('session-day').addEventListener('change', sessionSlots);
    sessionSlots();
    const key = 'session-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2);
    sched.addEventListener('submit', async (e) => {
      e.preventDefault();
      const f = new FormData(sched);
      const btn = sched.querySelector('button[type=submit]');
      btn.disabled = true;
      scheduled = true; // opening the parties for the booking is a case step: no reload under it
      try {
        const out = await api('POST', '/api/v1/appointments', { plan: f.get('plan'), start: f.get('start'), channel: 'session', case: code,
          note: f.get('note').trim() }, { 'Idempotency-Key': key + f.get('start') });
        const b = out.booking;
        $('session-error').hidden = true;
        $('session-done').replaceChildren(
          h('span', {}, '已安排：' + b.plan_name + ' ' + b.day + ' ' + Y.hm(b.start) + '。请告知各方预约码：'),
          ...b.parties.map((p, i) => h('span', { class: 'code' }, p.masked_name + ' ' + out.codes[i] + '　')),
          h('button', { type: 'button', id: 'session-reload' }, '刷新页面'));
        $('session-done').hidden = false;
        $('session-reload').addEventListener('click', () => location.reload());
      } catch (err) {
        scheduled = false;
        $('session-error').textContent = err.message;
        $('session-error').hidden = false;
      } finally {
        btn.disabled = false;
      }
    });
  }

  // Another person's step on this case: reload unless someone is typing
  // (then say so).
  $('live-reload').addEventListener('click', () => location.reload());
  Y.followCases((ev) => {
    if (ev && (!ev.case || ev.case.code !== code)) return;
    $('live').hidden = false;
    const a = document.activeElement;
    const typing = a && ['INPUT', 'SELECT', 'TEXTAREA'].includes(a.tagName) && a.value;
    const showingPersonal = $('personal-out') && !$('personal-out').hidden; // not thrown away by a reload
    if (!typing && !acting && !showingPersonal && !scheduled) location.reload();
  });
})();
