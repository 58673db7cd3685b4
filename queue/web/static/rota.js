// The duty rota page: adds and removes duties through the API, then
// reloads (the server renders the schedule).
'use strict';

(() => {
  const { $, api } = Y;
  Y.staffBar();
  function fail(err) {
    $('rota-error').textContent = err.message;
    $('rota-error').hidden = false;
  }
  $('rota-add').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    try {
      await api('POST', '/api/v1/rota', { day: f.get('day'), kind: f.get('kind'), who: f.get('who'), counter: f.get('counter'),
        service: f.get('service'), note: f.get('note') });
      location.reload();
    } catch (err) { fail(err); }
  });
  for (const b of document.querySelectorAll('.rota-del')) {
    b.addEventListener('click', async () => {
      try {
        await api('POST', '/api/v1/rota/delete', { key: b.dataset.key });
        location.reload();
      } catch (err) { fail(err); }
    });
  }
})();
