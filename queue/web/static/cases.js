// The supervision, audit and assessment pages are rendered by the server;
// this shows the staff bar, prints, closes rectification items with what
// was done, and reloads the supervision page once a minute (not while
// someone is typing).
'use strict';

(() => {
  Y.staffBar();
  const print = Y.$('print-page');
  if (print) print.addEventListener('click', () => window.print());
  for (const form of document.querySelectorAll('form.rect-close')) {
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const btn = form.querySelector('button');
      btn.disabled = true;
      try {
        await Y.api('POST', '/api/v1/rectifications/' + form.dataset.ticket + '/close', { action: new FormData(form).get('action') });
        location.reload();
      } catch (err) {
        const m = Y.$('rect-error');
        m.textContent = err.message;
        m.hidden = false;
      } finally {
        btn.disabled = false;
      }
    });
  }
  const s = Number(document.body.dataset.refresh || 0);
  if (s > 0) {
    setInterval(() => {
      const a = document.activeElement;
      if (!(a && a.tagName === 'INPUT' && a.value)) location.reload();
    }, s * 1000);
  }
})();
