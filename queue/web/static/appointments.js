// The appointments page: fills the slots of the chosen plan and day from
// the API, books for a visitor (the code is shown once, to be told to the
// visitor), moves a booking to another slot or cancels it with a reason;
// the server renders the day.
'use strict';

(() => {
  const { $, api } = Y;
  Y.staffBar();
  function fail(err) {
    $('appt-error').textContent = err.message;
    $('appt-error').hidden = false;
  }
  const form = $('book');
  const fillSlots = () => Y.fillSlots($('book-start'), $('book-plan').value, $('book-day').value).catch(fail);
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
  Y.apptChange(fail);
})();
