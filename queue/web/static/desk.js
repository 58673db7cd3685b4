// The service desk (服务台) on the console: a clerk issues a ticket for a
// visitor whose card cannot be read — forgotten, expired, a passport —
// through the same desk the kiosks use (POST /api/v1/tickets), so the
// case is registered or the visit joined to the open one exactly as at a
// kiosk. The ticket prints from the browser on 80 mm paper.
'use strict';

(() => {
  const { data, $, h } = Y;
  const desk = (window.__desk = { issued: [], open: openDesk });
  let key = ''; // one per visitor, sent again on every retry of the same ticket

  // GB 11643: the 18th character checks the first 17.
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  function idProblem(id) {
    if (!/^[0-9]{17}[0-9X]$/.test(id)) {
      return /^[0-9A-Z]{5,20}$/.test(id) ? '' : '证件号码应为18位身份证号码或5至20位证件号';
    }
    let sum = 0;
    for (let i = 0; i < 17; i++) sum += Number(id[i]) * weights[i];
    return '10X98765432'[sum % 11] === id[17] ? '' : '身份证号码校验位不符，请核对';
  }

  function fail(text) {
    const m = $('desk-error');
    m.textContent = text;
    m.hidden = !text;
  }

  function service() { return data.services.find((s) => s.id === $('desk-service').value) || {}; }

  function showNoID() {
    const on = $('desk-noid').checked;
    $('desk-id').disabled = on;
    for (const el of document.querySelectorAll('#dlg-desk .noid')) el.hidden = !on;
  }

  function openDesk() {
    const d = $('dlg-desk');
    if (d.open) return;
    key = '';
    $('desk-service').replaceChildren(...data.services.map((s) => h('option', { value: s.id }, s.name)));
    $('desk-priority').replaceChildren(h('option', { value: '' }, '无（按证件年龄自动判断）'),
      ...data.priority.map((c) => h('option', { value: c.id }, c.name)));
    for (const id of ['desk-name', 'desk-id', 'desk-noid-reason', 'desk-phone', 'desk-summary']) $(id).value = '';
    $('desk-noid').checked = false;
    $('desk-size').value = '1';
    showNoID();
    fail('');
    d.showModal();
    $('desk-service').focus();
  }

  // body reads the form; it returns an error message instead when a field
  // is wrong, before anything is sent.
  function body() {
    const sv = service();
    const name = $('desk-name').value.trim();
    const id = $('desk-id').value.trim().toUpperCase();
    const noID = $('desk-noid').checked;
    const reason = $('desk-noid-reason').value.trim();
    const size = Number($('desk-size').value || '1');
    const out = { service: sv.id };
    if (sv.needs_id && !name) return '该业务须登记来访人姓名';
    if (!noID && id) {
      const p = idProblem(id);
      if (p) return p;
    }
    if (sv.needs_id && !noID && !id) return '请填写身份证号码，或勾选“无身份证号码”并写明原因';
    if (noID && sv.needs_id && !reason) return '请写明无身份证号码的原因';
    if (!Number.isInteger(size) || size < 1 || size > 500) return '来访人数应为1至500';
    if (name) {
      const person = { name };
      if (!noID && id) person.id_number = id;
      const phone = $('desk-phone').value.trim();
      if (phone) person.phone = phone;
      out.persons = [person];
    }
    if (noID && reason) out.no_id = reason;
    if ($('desk-priority').value) out.priority = $('desk-priority').value;
    if (size > 1) out.group_size = size;
    const summary = $('desk-summary').value.trim();
    if (summary) out.summary = summary;
    return out;
  }

  $('desk-noid').addEventListener('change', showNoID);
  $('desk-open').addEventListener('click', openDesk);
  $('dlg-desk').querySelector('.cancel').onclick = () => $('dlg-desk').close('cancel');
  let sending = false;
  $('form-desk').onsubmit = async (e) => {
    e.preventDefault();
    if (sending) return;
    const b = body();
    if (typeof b === 'string') { fail(b); return; }
    if (!key) key = 'desk-' + (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random());
    sending = true;
    $('desk-submit').disabled = true;
    fail('');
    try {
      const out = await Y.api('POST', '/api/v1/tickets', b, { 'Idempotency-Key': key });
      desk.issued.push(out);
      key = '';
      $('dlg-desk').close('ok');
      await showTicket(out);
    } catch (err) {
      if (err.status === 401) { location.href = '/login?next=' + encodeURIComponent('/console'); return; }
      // The same key goes again on the next press: a lost answer never
      // makes a second ticket.
      fail(err.message);
    } finally {
      sending = false;
      $('desk-submit').disabled = false;
    }
  };

  // where tells the visitor where to go: the counter the ticket is bound
  // to, else the counters that take the service.
  function where(t) {
    if (t.target_counter) return Y.counterName(t.target_counter);
    const names = data.counters.filter((c) => c.services.includes(t.service)).map((c) => c.name);
    return names.length > 3 ? names.slice(0, 3).join('、') + '等' : names.join('、') || '请留意叫号';
  }

  async function showTicket(out) {
    const t = out.ticket;
    const line = (label, value) => h('div', { class: 'line' }, h('span', {}, label), h('strong', {}, value));
    const qr = h('div', { class: 'qr', id: 'desk-qr' });
    const parts = [
      h('div', { class: 'hall' }, data.hall),
      h('div', { class: 'number', id: 'desk-number' }, t.number),
      h('div', { class: 'service' }, Y.serviceName(t.service) + (t.priority ? '（' + Y.className(t.priority) + '优先）' : '')),
      line('请到：', where(t)),
      line('前方等待：', out.ahead + ' 人'),
      line('取号时间：', new Date(t.issued_at).toLocaleString('zh-CN', { hour12: false, timeZone: data.tz })),
    ];
    if (t.visitor && t.visitor.masked_name) parts.push(line('姓名：', t.visitor.masked_name));
    if (out.case_code) {
      parts.push(qr, h('div', { class: 'case', id: 'desk-case' }, '案件码：' + out.case_code),
        h('div', { class: 'small' }, out.linked ? '已并入您正在办理的事项，扫码查询办理进度' : '扫码查询办理进度'));
    }
    parts.push(h('div', { class: 'small' }, '请留意叫号，过号请重新取号'));
    $('desk-ticket').replaceChildren(...parts);
    $('desk-print-status').hidden = true;
    $('dlg-desk-ticket').showModal();
    $('desk-print').focus();
    if (data.desk_printer) printOnDeskPrinter(out);
    if (out.case_url) {
      try {
        const res = await fetch('/console/qr', { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ url: out.case_url }) });
        if (res.ok) qr.innerHTML = await res.text(); // the server's SVG of the inquiry URL
      } catch (e) { /* the case code is printed: the visitor can look it up */ }
    }
  }

  // printOnDeskPrinter prints the ticket on the hall server's desk
  // printer (devices.desk_printer); the browser's print stays the way
  // out when it fails.
  async function printOnDeskPrinter(out) {
    const st = $('desk-print-status');
    const show = (text, ok) => { st.textContent = text; st.className = 'message' + (ok ? ' ok' : ''); st.hidden = false; };
    show('正在服务台打印机上打印……', true);
    try {
      const res = await fetch('/console/print', { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ticket: out.ticket.id, case_url: out.case_url || '' }) });
      if (res.ok) { show('已在服务台打印机打印', true); desk.printed = (desk.printed || 0) + 1; return; }
      show('服务台打印机未能打印：' + (await res.text()).trim() + '。可点“打印小票”用浏览器打印。', false);
    } catch (e) {
      show('无法连接服务器，可点“打印小票”用浏览器打印。', false);
    }
  }

  $('desk-close').onclick = () => $('dlg-desk-ticket').close();
  $('desk-print').onclick = () => {
    $('print-ticket').replaceChildren(...Array.from($('desk-ticket').childNodes, (n) => n.cloneNode(true)));
    document.body.classList.add('printing-ticket');
    window.print();
    document.body.classList.remove('printing-ticket');
  };
})();
