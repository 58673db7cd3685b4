// The admin page: accounts, device tokens and counters, all through
// /api/v1/admin/... and the counter commands.
'use strict';

(() => {
  const { data, $, h } = Y;
  Y.staffBar();
  $('warnings').replaceChildren(...data.warnings.map((w) => h('li', {}, w)));

  const roleNames = { admin: '管理员', supervisor: '督导主管', staff: '窗口工作人员', display: '叫号显示屏', pad: '评价器', kiosk: '取号机' };
  const statusNames = { open: '开放中', paused: '暂停', closed: '已关闭' };

  function message(text, ok) {
    const m = $('message');
    m.textContent = text;
    m.className = 'message' + (ok ? ' ok' : '');
    m.hidden = !text;
    if (text) m.scrollIntoView({ block: 'nearest' });
  }

  async function act(fn, okText) {
    try {
      await fn();
      message(okText, true);
    } catch (e) {
      if (e.status === 401) { location.href = '/login?next=/admin'; return; }
      message(e.message, false);
    }
    loadAll();
  }

  function counterChecks(box, chosen) {
    box.replaceChildren(...data.counters.map((c) => h('label', {},
      h('input', { type: 'checkbox', value: c.id, checked: chosen.includes(c.id) }), c.name)));
  }
  function unitChecks(box, chosen) {
    box.replaceChildren(...data.units.map((u) => h('label', {},
      h('input', { type: 'checkbox', value: u, checked: chosen.includes(u) }), u)));
  }
  const checked = (box) => [...box.querySelectorAll('input:checked')].map((i) => i.value);

  // --- users ----------------------------------------------------------------
  async function loadUsers() {
    const { users } = await Y.api('GET', '/api/v1/admin/users');
    $('users').tBodies[0].replaceChildren(...users.map((u) => h('tr', { dataset: { user: u.name } },
      h('td', {}, u.name), h('td', {}, u.display_name), h('td', {}, roleNames[u.role] || u.role),
      h('td', {}, (u.counters || []).map(Y.counterName).join('、') || '—'),
      h('td', {}, (u.units || []).join('、') || '—'),
      h('td', {}, u.disabled ? '已停用' : '正常'), h('td', {}, u.sessions),
      h('td', {},
        u.disabled
          ? h('button', { type: 'button', onclick: () => act(() => Y.api('POST', '/api/v1/admin/users/' + encodeURIComponent(u.name) + '/enable'), '已启用 ' + u.name) }, '启用')
          : h('button', { type: 'button', onclick: () => confirm('停用 ' + u.name + '？其登录会话将立即失效。') && act(() => Y.api('POST', '/api/v1/admin/users/' + encodeURIComponent(u.name) + '/disable'), '已停用 ' + u.name) }, '停用'),
        u.role === 'staff' ? h('button', { type: 'button', onclick: () => countersDialog(u) }, '窗口与单位') : '',
        h('button', { type: 'button', onclick: () => passwordDialog(u) }, '重置密码')))));
  }

  function passwordDialog(u) {
    const d = $('dlg-password');
    $('pw-user').textContent = u.name;
    $('pw-new').value = '';
    d.querySelector('.cancel').onclick = () => d.close();
    $('form-password').onsubmit = (e) => {
      e.preventDefault();
      const password = $('pw-new').value;
      d.close();
      act(() => Y.api('POST', '/api/v1/admin/users/' + encodeURIComponent(u.name) + '/password', { password }), '已重置 ' + u.name + ' 的密码');
    };
    d.showModal();
  }

  function countersDialog(u) {
    const d = $('dlg-counters');
    const box = d.querySelector('[data-counters]'), ubox = d.querySelector('[data-units]');
    $('ctr-user').textContent = u.name;
    counterChecks(box, u.counters || []);
    unitChecks(ubox, u.units || []);
    d.querySelector('.cancel').onclick = () => d.close();
    $('form-counters').onsubmit = (e) => {
      e.preventDefault();
      const counters = checked(box), units = checked(ubox);
      d.close();
      // Staff keep a counter or a unit at every step: what the change
      // keeps non-empty is set first.
      const base = '/api/v1/admin/users/' + encodeURIComponent(u.name);
      const setCounters = () => Y.api('PUT', base + '/counters', { counters });
      const setUnits = () => Y.api('PUT', base + '/units', { units });
      act(async () => {
        if (units.length) { await setUnits(); await setCounters(); } else { await setCounters(); await setUnits(); }
      }, '已更新 ' + u.name + ' 的窗口与所属单位');
    };
    d.showModal();
  }

  const newUser = $('new-user');
  counterChecks(newUser.querySelector('[data-counters]'), []);
  unitChecks(newUser.querySelector('[data-units]'), []);
  newUser.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = new FormData(newUser);
    const role = f.get('role');
    const body = {
      name: f.get('name').trim(), display_name: f.get('display_name').trim(), role, password: f.get('password'),
      counters: role === 'staff' ? checked(newUser.querySelector('[data-counters]')) : [],
      units: role === 'staff' ? checked(newUser.querySelector('[data-units]')) : [],
    };
    act(async () => { await Y.api('POST', '/api/v1/admin/users', body); newUser.reset(); }, '已创建账号 ' + body.name);
  });

  // --- device tokens ----------------------------------------------------------
  async function loadTokens() {
    const { tokens } = await Y.api('GET', '/api/v1/admin/tokens');
    $('tokens').tBodies[0].replaceChildren(...tokens.map((t) => {
      const revoked = t.revoked && !t.revoked.startsWith('0001');
      return h('tr', { dataset: { token: t.id } },
        h('td', {}, t.id), h('td', {}, t.name), h('td', {}, roleNames[t.role] || t.role),
        h('td', {}, t.counter_id ? Y.counterName(t.counter_id) : '—'), h('td', {}, new Date(t.created).toLocaleString('zh-CN', { hour12: false, timeZone: Y.data.tz })),
        h('td', {}, revoked ? '已吊销' : '有效'),
        h('td', {}, revoked ? '' : h('button', { type: 'button', onclick: () => confirm('吊销令牌 ' + t.name + '？该设备将立即无法使用。') && act(() => Y.api('POST', '/api/v1/admin/tokens/' + encodeURIComponent(t.id) + '/revoke'), '已吊销 ' + t.name) }, '吊销')));
    }));
  }

  const newToken = $('new-token');
  newToken.querySelector('[name=counter]').append(...data.counters.map((c) => h('option', { value: c.id }, c.name)));
  newToken.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = new FormData(newToken);
    const body = { role: f.get('role'), name: f.get('name').trim(), counter: f.get('role') === 'pad' ? f.get('counter') : '' };
    act(async () => {
      const out = await Y.api('POST', '/api/v1/admin/tokens', body);
      const base = location.origin;
      // A kiosk sends card data: it talks TLS to exactly this server, the
      // certificate it pins (-pin), on the same port.
      const url = body.role === 'display' ? base + '/board?token=' + encodeURIComponent(out.secret)
        : body.role === 'pad' ? base + '/pad?token=' + encodeURIComponent(out.secret)
          : 'yiting -role kiosk -server ' + base.replace(/^http:/, 'https:') + ' -pin ' + data.kiosk_pin + ' -token ' + out.secret;
      $('token-url').textContent = url;
      $('token-secret').hidden = false;
      newToken.reset();
    }, '已创建令牌 ' + body.name + '（网址见下方，只显示这一次）');
  });
  $('copy-url').addEventListener('click', () => {
    navigator.clipboard.writeText($('token-url').textContent).then(() => message('已复制', true), () => message('无法复制，请手动选择网址', false));
  });

  // --- counters ---------------------------------------------------------------
  async function loadCounters() {
    const { counters } = await Y.api('GET', '/api/v1/counters');
    $('counters').tBodies[0].replaceChildren(...counters.map((c) => h('tr', { dataset: { counter: c.id } },
      h('td', {}, c.name), h('td', {}, c.unit || ''),
      h('td', {}, statusNames[c.state.status] + (c.state.pause_reason ? '：' + c.state.pause_reason : '')),
      h('td', {}, c.state.staff || '—'), h('td', {}, c.ticket ? c.ticket.number : '—'), h('td', {}, c.state.served),
      h('td', {},
        c.state.status !== 'open' ? h('button', { type: 'button', onclick: () => act(() => Y.api('POST', '/api/v1/counters/' + c.id + '/open'), c.name + '已开启') }, '开启') : '',
        c.state.status !== 'closed' ? h('button', { type: 'button', onclick: () => act(() => Y.api('POST', '/api/v1/counters/' + c.id + '/close'), c.name + '已关闭') }, '关闭') : ''))));
  }

  // --- holiday files --------------------------------------------------------
  const holidayForm = $('holiday-form');
  if (holidayForm) {
    holidayForm.addEventListener('submit', async (e) => {
      e.preventDefault();
      const f = new FormData(holidayForm);
      const file = f.get('file');
      const btn = holidayForm.querySelector('button');
      btn.disabled = true;
      try {
        const up = await Y.api('POST', '/api/v1/holidays', { year: Number(f.get('year')), file: await file.text() });
        // Reload to show the year in the list and drop its warning; say
        // first what the file did.
        sessionStorage.setItem('holiday-result', up.year + '年节假日安排已保存（放假 ' + up.holidays + ' 天，调休上班 ' + up.workdays +
          ' 天），' + (up.moved ? '已按新安排重算 ' + up.moved + ' 项期限，案件记录中写明原期限和新期限。' : '没有需要重算的期限。'));
        location.reload();
      } catch (err) {
        if (err.status === 401) { location.href = '/login?next=/admin'; return; }
        message(err.message, false);
      } finally {
        btn.disabled = false;
      }
    });
    const done = sessionStorage.getItem('holiday-result');
    if (done) {
      sessionStorage.removeItem('holiday-result');
      $('holiday-result').textContent = done;
      $('holiday-result').hidden = false;
    }
  }

  async function loadAll() {
    try {
      await Promise.all([loadUsers(), loadTokens(), loadCounters()]);
    } catch (e) {
      if (e.status === 401) { location.href = '/login?next=/admin'; return; }
      message(e.message, false);
    }
  }
  loadAll();
  setInterval(loadCounters, 15000);
})();
