// The supervision page is rendered by the server; this only shows the
// staff bar and reloads the page once a minute.
'use strict';

(() => {
  Y.staffBar();
  const s = Number(document.body.dataset.refresh || 0);
  if (s > 0) setTimeout(() => location.reload(), s * 1000);
})();
