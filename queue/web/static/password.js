// The password page: sets the person's own password through the API; all
// their sessions end with it, so it goes to the login page after.
'use strict';

(() => {
  const { data, $ } = Y;
  $('password-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const err = $('password-error');
    err.hidden = true;
    if ($('new').value !== $('again').value) {
      err.textContent = '两次输入的新密码不一致';
      err.hidden = false;
      return;
    }
    $('password-submit').disabled = true;
    try {
      await Y.api('POST', '/api/v1/me/password', { old_password: $('old').value, password: $('new').value });
      location.href = '/login?next=' + encodeURIComponent(data.next || '/console');
    } catch (ex) {
      err.textContent = ex.message;
      err.hidden = false;
    } finally {
      $('password-submit').disabled = false;
    }
  });
})();
