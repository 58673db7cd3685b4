// The login form posts to the API, which sets the session cookie.
'use strict';

(() => {
  const { data, $ } = Y;
  $('login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const err = $('login-error');
    err.hidden = true;
    $('login-submit').disabled = true;
    try {
      await Y.api('POST', '/api/v1/login', { user: $('user').value.trim(), password: $('password').value });
      location.href = data.next || '/console';
    } catch (ex) {
      err.textContent = ex.message;
      err.hidden = false;
      $('password').select();
    } finally {
      $('login-submit').disabled = false;
    }
  });
})();
