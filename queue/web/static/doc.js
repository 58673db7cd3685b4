// A printable document: print, and fill in the parties' full names
// through the audited personal-data view (the page shows them masked).
'use strict';

(() => {
  const { $, api } = Y;
  $('doc-print').addEventListener('click', () => window.print());
  const form = $('doc-names');
  if (!form) return;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const out = await api('POST', '/api/v1/cases/' + encodeURIComponent(Y.data.code) + '/personal', { reason: new FormData(form).get('reason') });
      const names = out.persons.map((p) => p.name).join('、');
      for (const el of document.querySelectorAll('.party-names')) el.textContent = names;
      form.hidden = true;
    } catch (err) {
      $('doc-error').textContent = err.message;
      $('doc-error').hidden = false;
    }
  });
})();
