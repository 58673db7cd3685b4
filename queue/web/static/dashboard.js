// The dashboard is rendered by the server; this only refreshes a period
// that includes today, once a minute.
'use strict';

(() => {
  Y.staffBar();
  const s = Number(document.body.dataset.refresh || 0);
  if (s > 0) setTimeout(() => location.reload(), s * 1000);
})();
