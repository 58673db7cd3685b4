// The case list: rendered by the server; this follows the case steps on
// the event stream (the list reloads when something changed and nobody is
// typing) and sends the registration form of cases that come by letter,
// phone, online, from a grid worker or a department.
'use strict';

(() => {
  const { $, api } = Y;
  Y.staffBar();

  // --- live -----------------------------------------------------------------
  let timer = null;
  const busy = () => {
    const a = document.activeElement;
    return ($('register') && $('register').open) || (a && ['INPUT', 'SELECT', 'TEXTAREA'].includes(a.tagName));
  };
  function changed() {
    $('live').hidden = false;
    clearTimeout(timer);
    timer = setTimeout(function retry() {
      if (busy()) { timer = setTimeout(retry, 5000); return; }
      location.reload();
    }, 2000);
  }
  // A list found by ID number is a POST: it is not reloaded by itself.
  if (document.querySelector('#list-count') && !/按证件号码/.test($('list-count').textContent)) Y.followCases(changed);
  $('live-reload').addEventListener('click', () => location.reload());

  // --- registration -----------------------------------------------------------
  const dlg = $('register');
  if (!dlg) return;
  const form = $('register-form');
  let key = '';
  $('register-open').addEventListener('click', () => {
    form.reset();
    $('register-error').hidden = true;
    key = 'reg-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2);
    dlg.showModal();
  });
  $('register-cancel').addEventListener('click', () => dlg.close());
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(form);
    const person = { name: f.get('name').trim() };
    for (const k of ['id_number', 'phone', 'address']) {
      const v = f.get(k).trim();
      if (v) person[k] = v;
    }
    if (person.id_number) person.card_type = '居民身份证';
    const btn = form.querySelector('button[type=submit]');
    btn.disabled = true;
    try {
      const out = await api('POST', '/api/v1/cases', {
        service: f.get('service'), channel: f.get('channel'), summary: f.get('summary').trim(), persons: [person],
        major: f.get('major').trim(), accused_unit: f.get('accused_unit'),
      }, { 'Idempotency-Key': key });
      location.href = '/cases/' + out.case.code;
    } catch (err) {
      $('register-error').textContent = err.message;
      $('register-error').hidden = false;
    } finally {
      btn.disabled = false;
    }
  });
})();
