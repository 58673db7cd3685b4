// The appointments page: fills the slots of the chosen plan and day from
// the API, books for a visitor (the code is shown once, to be told to the
// visitor), moves a booking to another slot or cancels it with a reason;
// the server renders the day.
'use strict';

(() => {
  const { $, h, api } = Y;
  Y.staffBar();
  function fail(err) {
    $('appt-error').textContent = err.message;
    $('appt-error').hidden = false;
  }
  const form = $('book');
  async function fillSlots() {
    const sel = $('book-start');
    sel.replaceChildren();
    try {
      const out = await api('GET', '/api/v1/appointments/slots?plan=' + encodeURIComponent($('book-plan').value) +
        '&day=' + encodeURIComponent($('book-day').value));
      if (out.closed) sel.append(h('option', { value: '' }, out.closed));
      for (const s of out.slots) {
        sel.append(h('option', s.free > 0 ? { value: s.start } : { value: s.start, disabled: '' }, Y.hm(s.start) + '（余 ' + s.free + '）'));
      }
    } catch (err) { fail(err); }
  }
  if (form) {
    $('book-plan').addEventListener('change', fillSlots);
    $('book-day').addEventListener('change', fillSlots);
    fillSlots();
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const f = new FormData(form);
      const person = { name: f.get('name').trim(), id_number: f.get('id_number').trim(), phone: f.get('phone').trim() };
      try {
        const out = await api('POST', '/api/v1/appointments', { plan: f.get('plan'), start: f.get('start'), channel: f.get('channel'),
          note: f.get('note').trim(), persons: [person] }, { 'Idempotency-Key': 'appt-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2) });
        const b = out.booking;
        $('book-done').textContent = '已预约：' + b.parties[0].masked_name + '，' + b.plan_name + ' ' + b.day + ' ' + Y.hm(b.start) +
          '。预约码 ' + out.codes[0] + '（请告知预约人，凭身份证或预约码在自助机签到）';
        $('book-done').hidden = false;
        form.reset();
        $('book-day').value = b.day;
        fillSlots();
      } catch (err) { fail(err); }
    });
  }
  // Move or cancel a booking: staff always may (no cut-off); the server
  // checks the slot's places and the visitor's other bookings that day.
  const change = $('change');
  let current = null;
  async function fillMove() {
    const sel = $('move-start');
    sel.replaceChildren();
    try {
      const out = await api('GET', '/api/v1/appointments/slots?plan=' + encodeURIComponent(current.plan) +
        '&day=' + encodeURIComponent($('move-day').value));
      if (out.closed) sel.append(h('option', { value: '' }, out.closed));
      for (const s of out.slots) {
        sel.append(h('option', s.free > 0 ? { value: s.start } : { value: s.start, disabled: '' }, Y.hm(s.start) + '（余 ' + s.free + '）'));
      }
    } catch (err) { fail(err); }
  }
  for (const b of document.querySelectorAll('.appt-change')) {
    b.addEventListener('click', () => {
      current = b.dataset;
      $('change-what').textContent = current.what;
      $('move-day').value = current.day;
      $('cancel-reason').value = '';
      change.hidden = false;
      fillMove();
      $('move-day').focus();
    });
  }
  if (change) {
    $('move-day').addEventListener('change', fillMove);
    $('change-close').addEventListener('click', () => { change.hidden = true; });
    $('move').addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        await api('POST', '/api/v1/appointments/' + encodeURIComponent(current.id) + '/move', { start: $('move-start').value });
        location.reload();
      } catch (err) { fail(err); }
    });
    $('cancel').addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        await api('POST', '/api/v1/appointments/' + encodeURIComponent(current.id) + '/cancel', { reason: $('cancel-reason').value.trim() });
        location.reload();
      } catch (err) { fail(err); }
    });
  }
})();
