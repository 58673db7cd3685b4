// The page that manages the appointment plans: sends each change to the
// API and reloads (the server renders the plans and their week); a change
// the server refuses (bookings it would strand) shows its message.
'use strict';

(() => {
  const { $, api } = Y;
  Y.staffBar();
  function fail(err) {
    $('slots-done').hidden = true;
    $('slots-error').textContent = err.message;
    $('slots-error').hidden = false;
    $('slots-error').scrollIntoView({ block: 'center' });
  }
  function values(f) {
    return {
      days: f.getAll('days'),
      hours: f.get('hours').split(/[,，、\s]+/).filter((h) => h),
      length_minutes: Number(f.get('length')),
      capacity: Number(f.get('capacity')),
      walk_in: Number(f.get('walk_in')),
    };
  }
  async function send(method, path, body) {
    try {
      await api(method, path, body);
      location.reload();
    } catch (err) { fail(err); }
  }
  const plan = (id) => '/api/v1/appointments/plans/' + encodeURIComponent(id);
  for (const form of document.querySelectorAll('form.plan-edit[data-plan]')) {
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      send('PUT', plan(form.dataset.plan), values(new FormData(form)));
    });
  }
  for (const form of document.querySelectorAll('form.plan-close')) {
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const f = new FormData(form);
      send('POST', plan(form.dataset.plan) + '/close', { day: f.get('day'), reason: f.get('reason').trim() });
    });
  }
  for (const b of document.querySelectorAll('.plan-reopen')) {
    b.addEventListener('click', () => send('POST', plan(b.dataset.plan) + '/reopen', { day: b.dataset.day }));
  }
  for (const b of document.querySelectorAll('.plan-remove')) {
    b.addEventListener('click', () => {
      if (confirm('停用“' + b.dataset.name + '”？停用后不再接受预约（已停用的项目可以恢复）。')) send('DELETE', plan(b.dataset.plan));
    });
  }
  for (const b of document.querySelectorAll('.plan-restore')) {
    b.addEventListener('click', () => send('POST', plan(b.dataset.plan) + '/restore'));
  }
  $('plan-add').addEventListener('submit', (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    send('POST', '/api/v1/appointments/plans', Object.assign(values(f), {
      id: f.get('id').trim(), name: f.get('name').trim(), service: f.get('service'), counter: f.get('counter'), public: f.get('public') === 'on',
    }));
  });
})();
