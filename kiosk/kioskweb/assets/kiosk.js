// The kiosk page. The kiosk loop owns the state: this page renders the
// views it pushes over SSE and posts the visitor's choices. Only the
// browsing of the menu (which category is open) lives here, and it falls
// back to the top after a minute without a touch.
(function () {
  "use strict";

  var prefix = document.body.getAttribute("data-prefix") || "/kiosk";
  var demo = document.body.getAttribute("data-demo") === "1";
  var $ = function (id) { return document.getElementById(id); };
  // ?nodemo hides the demo panel: a demo on the kiosk's own screen, or a
  // screenshot of the kiosk as the visitor sees it.
  if (demo && /[?&]nodemo\b/.test(location.search)) {
    $("demo").remove();
    demo = false;
  }
  var kiosk = $("kiosk");

  var view = null;          // the loop's latest view
  var nav = { screen: "menu", cat: null }; // local browsing of the menu
  var lastTouch = Date.now();
  var stepSeen = {};        // view.since → when this page first saw that step
  var BROWSE_TIMEOUT = 60000;

  // ---- layout: fit the 1080×1920 canvas in the window ----------------------
  function layout() {
    var W = window.innerWidth, H = window.innerHeight;
    var panel = $("demo");
    var s, x, y;
    if (panel && W / H > 0.75) {
      // Wide window (a laptop): the panel beside the kiosk, both centred.
      var dw = Math.max(260, Math.min(420, W * 0.34));
      s = Math.min((W - dw - 16) / 1080, H / 1920);
      x = Math.max(0, (W - 1080 * s - 16 - dw) / 2);
      y = (H - 1920 * s) / 2;
      place(panel, x + 1080 * s + 16, 0, dw, H);
      panel.classList.remove("tall");
    } else if (panel) {
      // Tall window (the kiosk's own screen): the panel under it.
      var dh = Math.max(220, Math.min(380, H * 0.2));
      s = Math.min(W / 1080, (H - dh) / 1920);
      x = (W - 1080 * s) / 2;
      y = 0;
      place(panel, 0, 1920 * s, W, H - 1920 * s);
      panel.classList.add("tall");
    } else {
      s = Math.min(W / 1080, H / 1920);
      x = (W - 1080 * s) / 2;
      y = (H - 1920 * s) / 2;
    }
    kiosk.style.transform = "scale(" + s + ")";
    kiosk.style.left = x + "px";
    kiosk.style.top = y + "px";
  }
  function place(el, x, y, w, h) {
    el.style.left = x + "px"; el.style.top = y + "px";
    el.style.width = w + "px"; el.style.height = h + "px";
  }
  window.addEventListener("resize", layout);
  layout();

  // ---- small DOM helpers (text only: nothing from the server becomes HTML) -
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function show(id) {
    var screens = document.querySelectorAll(".screen");
    for (var i = 0; i < screens.length; i++) {
      screens[i].classList.toggle("on", screens[i].id === id);
    }
  }
  function setText(id, text) {
    var e = $(id);
    e.textContent = text || "";
    e.style.display = text ? "" : "none";
  }
  var toastTimer = null;
  function toast(msg) {
    var t = $("toast");
    t.textContent = msg;
    t.classList.add("on");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { t.classList.remove("on"); }, 4000);
  }

  // ---- talking to the loop ------------------------------------------------
  function post(path, body) {
    return fetch(prefix + path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body || {})
    }).then(function (r) {
      if (r.ok) return;
      return r.json().then(function (e) {
        toast((e && e.error && e.error.message) || "请稍后再试");
      }, function () { toast("请稍后再试"); });
    }, function () { toast("系统维护中，请稍候"); });
  }
  function choose(id) {
    post("/choose", { service: id });
  }
  // 查询进度: the loop waits for a card or a code; a hall that offers no
  // inquiry at the kiosk leaves the QR code's way.
  function inquire() {
    fetch(prefix + "/inquire", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })
      .then(function (r) {
        if (r.status === 404) { nav = { screen: "inquiry" }; render(); return; }
        if (!r.ok) toast("请稍后再试");
      }, function () { toast("系统维护中，请稍候"); });
  }

  // 预约签到: the loop waits for a card or a booking code.
  function checkIn() {
    fetch(prefix + "/checkin", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })
      .then(function (r) { if (!r.ok) toast("请稍后再试"); }, function () { toast("系统维护中，请稍候"); });
  }

  // ---- rendering -----------------------------------------------------------
  function waitingText(n) { return n > 0 ? "等候 " + n + " 人" : "无需等候"; }

  function categoryWaiting(c) {
    var n = 0;
    c.groups.forEach(function (g) { g.services.forEach(function (s) { n += s.waiting; }); });
    return n;
  }
  function onlyService(c) {
    if (c.groups.length === 1 && c.groups[0].services.length === 1) return c.groups[0].services[0];
    return null;
  }

  function renderMenu(v) {
    // Card first: greet the visitor (masked name) above the usual title.
    var hello = v.step === "choose" && v.visitor ? v.visitor.masked_name + "，您好" : "";
    if (hello && v.visitor.priority) hello += "（" + v.visitor.priority + "优先）";
    $("greeting").textContent = hello;
    $("greeting").classList.toggle("on", !!hello);
    var box = $("categories");
    box.textContent = "";
    (v.menu || []).forEach(function (c) {
      var b = el("button", "tile c-" + c.id);
      b.type = "button";
      b.setAttribute("data-category", c.id);
      b.appendChild(el("span", "name", c.title));
      b.appendChild(el("span", "sub", waitingText(categoryWaiting(c))));
      b.addEventListener("click", function () {
        var only = onlyService(c);
        if (only) { choose(only.id); return; }
        nav = { screen: "category", cat: c.id };
        render();
      });
      box.appendChild(b);
    });
    if (v.step === "choose") return; // a card was tapped: a service is wanted
    var q = el("button", "tile c-inquiry");
    q.type = "button";
    q.setAttribute("data-category", "inquiry");
    q.appendChild(el("span", "name", "查询进度"));
    q.appendChild(el("span", "sub", "扫码查询"));
    q.addEventListener("click", inquire);
    box.appendChild(q);
    if (!v.hall || !v.hall.appointments) return;
    var a = el("button", "tile c-checkin");
    a.type = "button";
    a.setAttribute("data-category", "checkin");
    a.appendChild(el("span", "name", "预约签到"));
    a.appendChild(el("span", "sub", "已预约请在此签到"));
    a.addEventListener("click", checkIn);
    box.appendChild(a);
  }

  function renderCategory(v) {
    var c = null;
    (v.menu || []).forEach(function (x) { if (x.id === nav.cat) c = x; });
    if (!c) { nav = { screen: "menu" }; return false; }
    $("cat-title").textContent = c.title;
    var box = $("cat-groups");
    box.textContent = "";
    c.groups.forEach(function (g) {
      var sec = el("div", "group");
      if (g.title) sec.appendChild(el("h2", "", g.title));
      var grid = el("div", "svcs");
      g.services.forEach(function (s, i) {
        var cls = "svc";
        if (g.services.length % 2 === 1 && i === g.services.length - 1) cls += " wide";
        var b = el("button", cls);
        b.type = "button";
        b.setAttribute("data-service", s.id);
        b.appendChild(el("span", "name", s.name));
        if (s.note) b.appendChild(el("span", "sub note", "今日接访：" + s.note));
        b.appendChild(el("span", "sub", waitingText(s.waiting)));
        b.addEventListener("click", function () { choose(s.id); });
        grid.appendChild(b);
      });
      sec.appendChild(grid);
      box.appendChild(sec);
    });
    return true;
  }

  function renderTicket(v) {
    var t = v.ticket;
    $("t-number").textContent = t.number;
    setText("t-priority", t.priority ? t.priority + "优先" : "");
    setText("t-service", t.service);
    setText("t-where", t.counter ? "请到：" + t.counter : "");
    setText("t-location", t.location);
    $("t-ahead").textContent = "前方等待 " + t.ahead + " 人";
    setText("t-note", t.note);
    $("t-message").textContent = v.message;
    $("s-ticket").classList.toggle("unprinted", !t.printed);
  }

  // A group visit: the representatives so far (masked), what to do next,
  // and 完成 once there is at least one card.
  function renderGroup(v) {
    var g = v.group || { names: [] };
    $("g-service").textContent = v.service ? v.service.name : "";
    var list = $("g-names");
    list.textContent = "";
    (g.names || []).forEach(function (n) { list.appendChild(el("li", "", n)); });
    $("g-message").textContent = v.message;
    $("s-group").classList.toggle("note", !!g.note);
    $("g-finish").disabled = !(g.names && g.names.length);
  }

  // The cases found: code, what, where it stands, what comes next, the
  // time limit, where to ask. The masked name only.
  function renderCases(v) {
    var cs = (v.inquiry && v.inquiry.cases) || [];
    $("c-message").textContent = v.message;
    var list = $("c-list");
    list.textContent = "";
    cs.forEach(function (c) {
      var li = el("li");
      li.appendChild(el("div", "code", c.code + (c.masked_name ? "　" + c.masked_name : "")));
      li.appendChild(el("div", "", c.type_name));
      li.appendChild(el("div", "status", c.status_name));
      li.appendChild(el("div", "", "下一步：" + c.next_step));
      if (c.due) li.appendChild(el("div", c.due.state === "overdue" ? "overdue" : "", c.due.which_name + "：" + c.due.date + (c.due.state === "overdue" ? "（已超期）" : "")));
      if (c.unit) li.appendChild(el("div", "", "承办单位：" + c.unit));
      if (c.contact) li.appendChild(el("div", "", "联系窗口：" + c.contact + (c.location ? "（" + c.location + "）" : "")));
      list.appendChild(li);
    });
  }

  // The code form: an on-screen keypad for the case code and the ID
  // number's last four (no system keyboard on a kiosk).
  var lastStep = "";
  var field = "q-code";
  function resetCode() {
    $("q-code").value = "";
    $("q-last4").value = "";
    pick("q-code");
  }
  function pick(id) {
    field = id;
    $("q-code").classList.toggle("on", id === "q-code");
    $("q-last4").classList.toggle("on", id === "q-last4");
  }
  $("q-code").addEventListener("click", function () { pick("q-code"); });
  $("q-last4").addEventListener("click", function () { pick("q-last4"); });
  function key(k) {
    var f = $(field);
    var raw = f.value.replace(/-/g, "");
    // 421224-20261126-0007-X, or 421224101-… at a township: the dashes
    // as printed on the ticket.
    var digits = (view && view.hall && view.hall.code_digits) || 19;
    var r = digits - 13;
    if (k === "删除") raw = raw.slice(0, -1);
    else if (field === "q-code" && raw.length < digits) raw += k;
    else if (field === "q-last4" && raw.length < 4) raw += k;
    if (field === "q-code") {
      var parts = [raw.slice(0, r), raw.slice(r, r + 8), raw.slice(r + 8, r + 12), raw.slice(r + 12)];
      f.value = parts.filter(function (p) { return p; }).join("-");
      if (raw.length === digits) pick("q-last4");
    } else {
      f.value = raw;
    }
  }
  ["1", "2", "3", "4", "5", "6", "7", "8", "9", "X", "0", "删除"].forEach(function (k) {
    var b = el("button", "", k);
    b.type = "button";
    b.setAttribute("data-key", k);
    b.addEventListener("click", function () { key(k); });
    $("keypad").appendChild(b);
  });
  $("q-submit").addEventListener("click", function () {
    post("/inquire-code", { code: $("q-code").value, id_last4: $("q-last4").value });
  });

  // The booking code's keypad: its alphabet has no 0/O, 1/I/L.
  function bookingKey(k) {
    var f = $("b-code");
    var raw = f.value.replace(/-/g, "");
    if (k === "删除") raw = raw.slice(0, -1);
    else if (raw.length < 8) raw += k;
    f.value = raw.length > 4 ? raw.slice(0, 4) + "-" + raw.slice(4) : raw;
  }
  "23456789ABCDEFGHJKMNPQRSTUVWXYZ".split("").concat(["删除"]).forEach(function (k) {
    var b = el("button", "", k);
    b.type = "button";
    b.setAttribute("data-key", k);
    b.addEventListener("click", function () { bookingKey(k); });
    $("b-keypad").appendChild(b);
  });
  $("b-submit").addEventListener("click", function () { post("/checkin-code", { code: $("b-code").value }); });

  function renderStaff(v) {
    var msgs = [];
    var d = v.devices || {};
    if (d.printer && !d.printer.ok) {
      var m = d.printer.message || "打印机故障";
      if (d.printer.pending > 0) m += "（待补打 " + d.printer.pending + " 张）";
      msgs.push(m);
    } else if (d.printer && d.printer.warning) {
      msgs.push(d.printer.warning);
    }
    if (d.reader && !d.reader.ok && d.reader.message) msgs.push(d.reader.message);
    var s = $("staff");
    s.textContent = msgs.length ? "工作人员请注意：" + msgs.join("；") : "";
    s.classList.toggle("on", msgs.length > 0);
  }

  // backVisible: 返回 wherever there is somewhere to go back to.
  function backVisible(v) {
    switch (v.step) {
      case "idle": return nav.screen !== "menu";
      case "choose": return true;
      case "wait_card": case "ticket": case "error": case "group": case "inquiry": case "cases": case "checkin": return true;
      case "issuing": return !!v.retrying;
    }
    return false;
  }

  function render() {
    if (!view) return;
    var v = view;
    if (v.hall && v.hall.name) $("hall").textContent = v.hall.name;
    var duty = (v.hall && v.hall.duty) || [];
    $("duty").textContent = duty.join("　");
    $("duty").hidden = !duty.length;
    if (!stepSeen[v.since]) stepSeen[v.since] = Date.now();
    if (v.step !== "idle" && v.step !== "choose") nav = { screen: "menu" };

    switch (v.step) {
      case "idle":
      case "choose":
        if (nav.screen === "category" && renderCategory(v)) show("s-category");
        else if (nav.screen === "inquiry") show("s-inquiry");
        else { nav = { screen: "menu" }; renderMenu(v); show("s-menu"); }
        break;
      case "wait_card":
        $("wc-service").textContent = v.service ? v.service.name : "";
        $("no-card").textContent = "无身份证请到服务台由工作人员协助取号";
        $("wc-group").hidden = !(v.service && v.service.group);
        show("s-wait-card");
        break;
      case "group":
        renderGroup(v);
        show("s-group");
        break;
      case "reading":
      case "issuing":
      case "printing":
        $("busy-icon").className = v.step === "printing" ? "printing" : "spinner";
        $("busy-message").textContent = v.message;
        setText("busy-hint", v.step === "issuing" && v.visitor && v.visitor.priority ? v.visitor.priority + "优先" : "");
        $("s-busy").classList.toggle("retry", !!v.retrying);
        show("s-busy");
        break;
      case "ticket":
        renderTicket(v);
        show("s-ticket");
        break;
      case "inquiry":
        if (lastStep !== "inquiry" && lastStep !== "reading") resetCode();
        show("s-inquire");
        break;
      case "checkin":
        if (lastStep !== "checkin" && lastStep !== "reading") $("b-code").value = "";
        show("s-checkin");
        break;
      case "inquiring":
        $("busy-icon").className = "spinner";
        $("busy-message").textContent = v.message;
        setText("busy-hint", "");
        $("s-busy").classList.remove("retry");
        show("s-busy");
        break;
      case "cases":
        renderCases(v);
        show("s-cases");
        break;
      case "error":
        $("e-message").textContent = v.message;
        setText("e-hint", v.error && v.error.code === "card_unreadable" ? "证件放平，不要移动，直到听到“嘀”声" : "");
        show("s-error");
        break;
    }
    lastStep = v.step;
    $("back").hidden = !backVisible(v);
    $("idle-hint").classList.toggle("on", v.step === "idle" && nav.screen === "menu");
    $("maint").classList.toggle("on", !v.hall.ok && (v.step === "idle" || v.step === "choose"));
    renderStaff(v);
    prompt();
    endOfVisit();
    tick();
  }

  // ---- the voice -------------------------------------------------------------
  // A short prompt at each step (无障碍环境建设法 Art. 40), said once when
  // the screen changes and again on 重听: the machine's voice (espeak-ng,
  // as the board's) when it has one, else the browser's. Newest wins: a
  // prompt cuts the one before it short.
  var spoken = (window.__kioskSpoken = []);
  var voiceInfo = { server: false, prompts: {} };
  var audio = $("voice");
  var lastPrompt = "";   // the screen's prompt key last said
  var saying = 0;        // counts prompts: a late voice never plays over a newer one
  function askSpeech() {
    return fetch(prefix + "/speech", { cache: "no-store" }).then(function (r) { return r.json(); })
      .then(function (s) { voiceInfo = s; }, function () {});
  }
  // currentPrompt is what the screen says: {key, text}, or null.
  function currentPrompt() {
    var v = view;
    if (!v) return null;
    var key = null, text = null;
    switch (v.step) {
      case "idle": key = nav.screen === "category" ? "category" : nav.screen === "inquiry" ? "scan" : "menu"; break;
      case "choose": key = nav.screen === "category" ? "category" : "choose"; break;
      case "wait_card": case "reading": case "group": case "inquiry": case "inquiring": case "checkin": key = v.step; break;
      case "cases": key = v.inquiry && v.inquiry.cases.length ? "cases" : "no_cases"; text = v.message; break;
      case "issuing": key = v.retrying ? "hall_unreachable" : "issuing"; break;
      case "ticket":
        if (v.ticket) {
          key = "ticket";
          text = "您的号码是" + v.ticket.number + (v.ticket.counter ? "，请到" + v.ticket.counter : "") + "。" + v.message;
        }
        break;
      case "error": key = (v.error && v.error.code) || "error"; text = v.message; break;
    }
    if (!key) return null;
    return { key: key, text: text || voiceInfo.prompts[key] || v.message };
  }
  function playURL(url) {
    return new Promise(function (resolve) {
      audio.onended = function () { resolve(true); };
      audio.onerror = function () { resolve(false); };
      audio.src = url;
      var p = audio.play();
      if (p) p.catch(function () { resolve(false); });
    });
  }
  function browserSay(text) {
    return new Promise(function (resolve) {
      if (!("speechSynthesis" in window)) { resolve("browser-none"); return; }
      var u = new SpeechSynthesisUtterance(text);
      u.lang = "zh-CN";
      u.rate = 0.9;
      var done = false;
      var finish = function (how) { if (!done) { done = true; resolve(how); } };
      setTimeout(function () { finish("browser-timeout"); }, 3000 + text.length * 450);
      u.onend = function () { finish("browser"); };
      u.onerror = function () { finish("browser-failed"); };
      speechSynthesis.speak(u);
    });
  }
  function say(p) {
    if (!p) return;
    var mine = ++saying;
    var rec = { key: p.key, text: p.text, path: "", at: Date.now() };
    spoken.push(rec);
    audio.pause();
    if ("speechSynthesis" in window) speechSynthesis.cancel();
    var ask = voiceInfo.server ? Promise.resolve() : askSpeech(); // installed since?
    ask.then(function () {
      if (mine !== saying) return null;
      if (!voiceInfo.server) return null;
      return fetch(prefix + "/voice.wav?say=" + encodeURIComponent(p.key), { cache: "no-store" })
        .then(function (r) { return r.ok ? r.blob() : null; }, function () { return null; });
    }).then(function (blob) {
      if (mine !== saying) { rec.path = "superseded"; return; }
      if (blob) {
        var url = URL.createObjectURL(blob);
        return playURL(url).then(function (ok) {
          URL.revokeObjectURL(url);
          rec.path = mine !== saying ? "superseded" : ok ? "server" : "server-failed";
        });
      }
      return browserSay(p.text).then(function (how) { rec.path = mine !== saying ? "superseded" : how; });
    });
  }
  // prompt says the screen's prompt when it changed.
  function prompt() {
    var p = currentPrompt();
    var id = p ? p.key + "@" + (view.ticket ? view.ticket.id : "") + "@" + view.since : "";
    if (!p || id === lastPrompt) return;
    lastPrompt = id;
    if (p.key === "menu" && view.step === "idle") return; // nobody asked yet: the start screen is quiet
    say(p);
  }
  $("repeat").addEventListener("click", function () {
    say(currentPrompt() || { key: "menu", text: voiceInfo.prompts.menu || "请选择要办理的事项" });
  });

  // 大字: larger type for this visitor, until the kiosk is back at the
  // start for the next one.
  var visiting = false;
  function setLarge(on) {
    document.body.classList.toggle("large", on);
    $("large").setAttribute("aria-pressed", on ? "true" : "false");
  }
  $("large").addEventListener("click", function () { setLarge(!document.body.classList.contains("large")); });
  function endOfVisit() {
    var atStart = view && view.step === "idle" && nav.screen === "menu";
    if (atStart && visiting) setLarge(false);
    visiting = !atStart;
  }
  askSpeech();

  // ---- timers: clock, countdown, browsing timeout ---------------------------
  function pad(n) { return n < 10 ? "0" + n : "" + n; }
  function tick() {
    var now = new Date();
    var days = "日一二三四五六";
    $("clock").textContent = (now.getMonth() + 1) + "月" + now.getDate() + "日 星期" + days[now.getDay()] +
      "\n" + pad(now.getHours()) + ":" + pad(now.getMinutes());
    $("clock").style.whiteSpace = "pre";
    var cd = "";
    if (view && view.deadline && stepSeen[view.since]) {
      var total = Date.parse(view.deadline) - Date.parse(view.since);
      var left = Math.ceil((total - (Date.now() - stepSeen[view.since])) / 1000);
      if (left > 0) cd = left + " 秒后自动返回";
    }
    if (view && view.step === "idle" && nav.screen !== "menu") {
      var l2 = Math.ceil((BROWSE_TIMEOUT - (Date.now() - lastTouch)) / 1000);
      if (l2 <= 0) { nav = { screen: "menu" }; render(); return; }
      if (l2 <= 20) cd = l2 + " 秒后自动返回";
    }
    $("countdown").textContent = cd;
  }
  setInterval(tick, 500);
  document.addEventListener("pointerdown", function () { lastTouch = Date.now(); }, true);

  $("back").addEventListener("click", function () {
    if (view && (view.step === "idle" || view.step === "choose") && nav.screen !== "menu") {
      nav = { screen: "menu" };
      render();
      return;
    }
    nav = { screen: "menu" };
    post("/back");
  });

  $("wc-group").addEventListener("click", function () {
    if (view && view.service) post("/group", { service: view.service.id });
  });
  $("g-finish").addEventListener("click", function () { post("/finish"); });

  // ---- the loop's views ------------------------------------------------------
  function accept(v) {
    view = v;
    render();
    if (demo) demoTicket(v);
  }
  function connect() {
    var es = new EventSource(prefix + "/events");
    es.addEventListener("view", function (e) { accept(JSON.parse(e.data)); });
    es.onerror = function () {
      // EventSource reconnects by itself; meanwhile say so.
      if (view) { view.hall = { ok: false, name: view.hall.name }; render(); }
    };
  }
  // The stream's first event is the current view; this only paints the
  // page sooner, and never over a view the stream already brought.
  fetch(prefix + "/state").then(function (r) { return r.json(); }).then(function (v) {
    if (!view) accept(v);
  }, function () {});
  connect();

  // ---- demo panel ------------------------------------------------------------
  var shownTicket = 0;
  function demoTicket(v) {
    if (v.step !== "ticket" || !v.ticket || !v.ticket.printed || v.ticket.id === shownTicket) return;
    shownTicket = v.ticket.id;
    var img = document.querySelector("#demo-ticket img");
    img.src = prefix + "/demo/ticket.png?t=" + v.ticket.id;
    img.classList.add("on");
    // The ticket's text too, in the browser's fonts: the simulated
    // printer draws the picture with a CJK font found on this machine,
    // and without one its Chinese shows as boxes.
    fetch(prefix + "/demo/ticket.json").then(function (r) { return r.json(); }).then(function (pt) {
      $("demo-ticket-text").textContent = (pt.lines || []).join("\n");
    }, function () {});
  }
  if (demo) {
    fetch(prefix + "/demo/cards").then(function (r) { return r.json(); }).then(function (cards) {
      var box = $("demo-cards");
      cards.forEach(function (c) {
        var b = el("button", "", "放置 " + c.name);
        b.type = "button";
        b.setAttribute("data-card", c.label);
        b.appendChild(el("small", "", c.note));
        b.addEventListener("click", function () { post("/demo/place", { card: c.label }); });
        box.appendChild(b);
      });
    });
    $("demo-remove").addEventListener("click", function () { post("/demo/remove"); });
  }
})();
