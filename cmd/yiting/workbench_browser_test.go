package main

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestCaseWorkbenchInChromium walks a letter petition through the case
// pages with the people who do each step: a clerk of 信访局 registers it
// from the case list and receives it; assigns it to 住建局; the unit's
// liaison finds it among their cases, handles it, records the
// investigation, answers the supervisor's notice, extends and concludes;
// the clerk closes it after the follow-up. The liaison opens the parties'
// full data with a reason, which the supervisor finds on the audit page.
// A clerk of another unit neither lists nor opens it, and a clerk of 信访局
// neither lists nor opens a counselling case. A supervisor's open list
// shows a new case by itself (it follows the case steps on the stream).
func TestCaseWorkbenchInChromium(t *testing.T) {
	browser := newBrowser(t)
	const adminPW = "workbench-admin-pw"
	srv := startServer(t, []string{"YITING_ADMIN_PASSWORD=" + adminPW}, "-data", t.TempDir(), "-addr", freeAddr(t), "-log-level", "warn")
	api := newHallClient(t, srv.url, "admin", adminPW)
	api.user("clerk1", "王*", "clerk1-password", "win-01")
	api.user("liaison9", "李*", "liaison9-password", "win-09")
	api.user("clerk11", "赵*", "clerk11-password", "win-11")
	api.do("POST", "/api/v1/admin/users", map[string]any{"name": "boss", "display_name": "督导", "role": "supervisor",
		"password": "boss-password-1"}, nil)
	boss := newHallClient(t, srv.url, "boss", "boss-password-1")

	login := func(name, user, password, next string) *tab {
		t.Helper()
		return loginTab(t, browser, srv.url, name, user, password, next)
	}
	// act submits an action form of the case page and waits for the page
	// to come back showing the stage.
	act := func(tb *tab, form string, stage string, fill ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		submitAct(tb, form, `document.getElementById('case-status').textContent === `+jsString(stage), fill...)
	}

	supervisorList := login("supervisor's list", "boss", "boss-password-1", "/cases")
	wait[bool](supervisorList, `!!document.getElementById('case-list')`, 10*time.Second)

	// The clerk registers a letter.
	clerk := login("clerk", "clerk1", "clerk1-password", "/cases")
	clerk.do(chromedp.Click(chromedp.ID("register-open")))
	wait[bool](clerk, `document.getElementById('register').open`, 5*time.Second)
	const fullName = "钱测试人"
	card := synthCard(4711)
	clerk.do(chromedp.SetValue(chromedp.CSS(`#register-form [name=service]`), "petition"),
		chromedp.SetValue(chromedp.CSS(`#register-form [name=channel]`), "letter"),
		chromedp.SendKeys(chromedp.CSS(`#register-form [name=name]`), fullName),
		chromedp.SendKeys(chromedp.CSS(`#register-form [name=id_number]`), card["id_number"]),
		chromedp.SendKeys(chromedp.CSS(`#register-form [name=summary]`), "来信反映小区排水问题"),
		chromedp.Click(chromedp.CSS(`#register-form button[type=submit]`)))
	code := wait[string](clerk, `location.pathname.startsWith('/cases/') && document.getElementById('case-code') && document.getElementById('case-code').textContent`, 15*time.Second)
	if st := eval[string](clerk, `document.getElementById('case-status').textContent`); st != "已登记" {
		t.Fatalf("registered case %s is %q", code, st)
	}
	page := eval[string](clerk, `document.body.innerText`)
	for _, want := range []string{"来信", "受理期限", "信访工作条例"} {
		if !strings.Contains(page, want) {
			t.Errorf("the case page lacks %q", want)
		}
	}
	if strings.Contains(page, fullName) || strings.Contains(page, card["id_number"]) {
		t.Error("the case page shows the full name or ID number before anyone asked")
	}

	// The supervisor's open list shows it by itself.
	wait[bool](supervisorList, `!!document.querySelector('#case-list tr[data-code=`+jsString(code)+`]')`, 20*time.Second)

	act(clerk, `form[data-cmd=receive]`, "已接待")
	act(clerk, `form[data-cmd=major]`, "已接待", chromedp.SendKeys(chromedp.CSS(`form[data-cmd=major] [name=reason]`), "涉及多户居民生活"))
	wait[bool](supervisorList, `!!document.querySelector('#case-list tr[data-code=`+jsString(code)+`] .tag.major')`, 20*time.Second)
	act(clerk, `form[data-cmd=route]`, "已分流", chromedp.SetValue(chromedp.CSS(`form[data-cmd=route] [name=kind]`), "unit"),
		chromedp.SetValue(chromedp.CSS(`form[data-cmd=route] [name=unit]`), "住建局"),
		chromedp.SendKeys(chromedp.CSS(`form[data-cmd=route] [name=note]`), "请核查排水设施并答复"))
	if u := eval[string](clerk, `document.getElementById('case-unit').textContent`); u != "住建局" {
		t.Errorf("after the assignment the unit is %q", u)
	}

	// The liaison of 住建局 finds it among their cases.
	liaison := login("liaison", "liaison9", "liaison9-password", "/cases?mine=1")
	wait[bool](liaison, `!!document.querySelector('#case-list tr[data-code=`+jsString(code)+`] a')`, 10*time.Second)
	liaison.do(chromedp.Click(chromedp.CSS(`#case-list tr[data-code=` + jsString(code) + `] a`)))
	wait[bool](liaison, `location.pathname === '/cases/`+code+`' && !!document.getElementById('case-status')`, 10*time.Second)
	act(liaison, `form[data-cmd=acknowledge]`, "已分流")
	if st := eval[string](liaison, `document.getElementById('routes').textContent`); !strings.Contains(st, "已签收") || !strings.Contains(st, "liaison9") {
		t.Errorf("the routes after signing: %q", st)
	}
	act(liaison, `form[data-cmd=handle]`, "调处中")
	act(liaison, `form[data-cmd=records]`, "调处中", chromedp.SetValue(chromedp.CSS(`form[data-cmd=records] [name=kind]`), "investigation"),
		chromedp.SendKeys(chromedp.CSS(`form[data-cmd=records] [name=text]`), "现场查看：排水管堵塞，已联系物业疏通。"))

	// The supervisor analyses it (研判: risk, a meeting), warns the unit,
	// and sends a yellow notice; the liaison signs for the warning and
	// answers the notice.
	sup := login("supervisor", "boss", "boss-password-1", "/cases/"+code)
	act(sup, `form[data-cmd=assess]`, "调处中", chromedp.SetValue(chromedp.CSS(`form[data-cmd=assess] [name=risk]`), "high"),
		chromedp.SendKeys(chromedp.CSS(`form[data-cmd=assess] [name=note]`), "涉及多户居民"))
	act(sup, `form[data-cmd=meetings]`, "调处中", chromedp.SendKeys(chromedp.CSS(`form[data-cmd=meetings] [name=participants]`), "中心主任、信访局、住建局"),
		chromedp.SendKeys(chromedp.CSS(`form[data-cmd=meetings] [name=conclusion]`), "住建局牵头，一周内疏通"))
	act(sup, `form[data-cmd=warnings]`, "调处中", chromedp.SetValue(chromedp.CSS(`form[data-cmd=warnings] [name=unit]`), "住建局"),
		chromedp.SendKeys(chromedp.CSS(`form[data-cmd=warnings] [name=text]`), "雨季将至，防止积水引发聚集"))
	if r := eval[string](sup, `document.getElementById('case-risk').textContent`); r != "高风险" {
		t.Errorf("the risk shows %q", r)
	}
	liaison.do(chromedp.Reload())
	act(liaison, `form[data-cmd=ack-warning]`, "调处中")
	act(sup, `form[data-cmd=supervisions]`, "调处中", chromedp.SetValue(chromedp.CSS(`form[data-cmd=supervisions] [name=level]`), "yellow"),
		chromedp.SendKeys(chromedp.CSS(`form[data-cmd=supervisions] [name=reason]`), "群众多次来信，请加快办理"))
	act(sup, `form[data-cmd=post]`, "调处中")
	if !strings.Contains(eval[string](sup, `document.querySelector('section[aria-labelledby=h-sup] .sup').textContent`), "挂牌督办") {
		t.Error("the listed supervision does not say so")
	}
	liaison.do(chromedp.Reload())
	wait[bool](liaison, `!!document.querySelector('form[data-cmd=reply]')`, 10*time.Second)
	act(liaison, `form[data-cmd=reply]`, "调处中", chromedp.SendKeys(chromedp.CSS(`form[data-cmd=reply] [name=reply]`), "已安排疏通，本周内完成"))
	act(liaison, `form[data-cmd=extend]`, "调处中", chromedp.SendKeys(chromedp.CSS(`form[data-cmd=extend] [name=reason]`), "需协调管网改造"))
	act(liaison, `form[data-cmd=conclude]`, "回访中", chromedp.SetValue(chromedp.CSS(`form[data-cmd=conclude] [name=outcome]`), "answered"),
		chromedp.SendKeys(chromedp.CSS(`form[data-cmd=conclude] [name=note]`), "已疏通并书面答复"))

	// The liaison opens the full data to call back; it is audited.
	liaison.do(chromedp.SendKeys(chromedp.CSS(`#personal-form [name=reason]`), "电话回访"),
		chromedp.Click(chromedp.CSS(`#personal-form button[type=submit]`)))
	wait[bool](liaison, `!document.getElementById('personal-out').hidden && document.getElementById('personal-rows').textContent.includes(`+jsString(fullName)+`)`, 10*time.Second)

	// The first receiver closes it after the follow-up.
	clerk.do(chromedp.Reload())
	act(clerk, `form[data-cmd=close]:not([data-early])`, "已终结", chromedp.SendKeys(chromedp.CSS(`form[data-cmd=close]:not([data-early]) [name=note]`), "回访：来访人表示满意"))
	steps := eval[string](clerk, `document.getElementById('timeline').textContent`)
	for _, want := range []string{"登记", "接待", "列为重大紧急事项", "受理分流", "承办单位签收", "开始调处", "登记记录", "研判风险等级", "研判会", "预警", "预警签收",
		"督办", "督办回复", "延期", "办结", "查看个人信息", "终结"} {
		if !strings.Contains(steps, want) {
			t.Errorf("the timeline lacks %q: %s", want, steps)
		}
	}

	// Two documents printed: the 受理告知书 with the case's QR, the names
	// filled in through the audited view, and the 处理意见书 with the right
	// to ask for a review (Art. 32, 35).
	clerk.open(srv.url+"/cases/"+code, 1440, 900)
	if links := eval[string](clerk, `[...document.querySelectorAll('#docs a')].map(a => a.dataset.doc).join(' ')`); links != "accept assign extend supervise opinion followup" {
		t.Errorf("the case page offers the documents %q", links)
	}
	clerk.open(srv.url+"/cases/"+code+"/doc/accept", 1440, 900)
	wait[bool](clerk, `document.querySelector('.sheet h1').textContent === '受理告知书' && !!document.querySelector('.qr-img svg path')`, 10*time.Second)
	if txt := eval[string](clerk, `document.getElementById('doc').innerText`); strings.Contains(txt, fullName) || !strings.Contains(txt, "住建局") || !strings.Contains(txt, code) {
		t.Errorf("the 受理告知书 before the names are filled in: %.300s", txt)
	}
	clerk.do(chromedp.Click(chromedp.CSS(`#doc-names button[type=submit]`)))
	wait[bool](clerk, `document.querySelector('.sheet .to').textContent.includes(`+jsString(fullName)+`)`, 10*time.Second)
	printPDF(t, clerk, 1)
	var docShot []byte
	if *writeScreenshots { // the document as printed, at A4's proportions
		clerk.do(chromedp.EmulateViewport(794, 1123), chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
			return err
		}))
		docShot = clerk.screenshot(794, 1123, screenshotMax)
		clerk.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
			return err
		}))
	}
	clerk.open(srv.url+"/cases/"+code+"/doc/opinion", 1440, 900)
	wait[bool](clerk, `document.querySelector('.sheet h1').textContent === '处理意见书'`, 10*time.Second)
	if txt := eval[string](clerk, `document.getElementById('doc').innerText`); !strings.Contains(txt, "已疏通并书面答复") || !strings.Contains(txt, "第三十五条") {
		t.Errorf("the 处理意见书: %.400s", txt)
	}
	printPDF(t, clerk, 1)
	clerk.open(srv.url+"/cases/"+code+"/doc/agreement", 1440, 900)
	if txt := eval[string](clerk, `document.body.innerText`); !strings.Contains(txt, "没有登记调解协议") {
		t.Errorf("a 调解协议书 of a case without an agreement: %.200s", txt)
	}

	// The visitor comes back in person with a new matter: the clerk's
	// console links the ticket's case and lists the closed letter among
	// the visitor's cases.
	clerk.open(srv.url+"/console", 1440, 900)
	wait[bool](clerk, `window.__console && window.__console.ready`, 15*time.Second)
	api.cmd("win-01", "open")
	var back struct {
		Ticket struct {
			Number string `json:"number"`
		} `json:"ticket"`
		CaseCode string `json:"case_code"`
	}
	boss.do("POST", "/api/v1/tickets", map[string]any{"service": "petition", "persons": []any{card}}, &back)
	wait[bool](clerk, `document.getElementById('counter-status').dataset.status === 'open' && !!document.querySelector('#waiting-list tr[data-number=`+jsString(back.Ticket.Number)+`]')`, 10*time.Second)
	clerk.do(chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur()`), chromedp.KeyEvent("n"))
	wait[bool](clerk, `document.getElementById('cur-number').textContent === `+jsString(back.Ticket.Number), 10*time.Second)
	wait[bool](clerk, `document.getElementById('cur-related').textContent.includes(`+jsString(code)+`)`, 10*time.Second)
	if got := eval[string](clerk, `document.getElementById('cur-case').textContent + ' | ' + document.getElementById('cur-visits').textContent`); back.CaseCode == "" || back.CaseCode == code ||
		!strings.Contains(got, back.CaseCode) || !strings.Contains(got, "首次来访") {
		t.Errorf("the console shows %q for the new case %q", got, back.CaseCode)
	}

	sup.open(srv.url+"/dashboard/audit?case="+code, 1440, 900)
	rows := wait[[]string](sup, `[...document.querySelectorAll('#audit tbody tr')].map(r => r.textContent)`, 10*time.Second)
	if len(rows) != 2 || !strings.Contains(rows[0], "clerk1") || !strings.Contains(rows[0], "制作受理告知书") ||
		!strings.Contains(rows[1], "liaison9") || !strings.Contains(rows[1], "电话回访") {
		t.Errorf("the audit page's entries of the case, newest first: %q", rows)
	}

	// Another unit's clerk: not in the list, refused on the page.
	other := login("other unit", "clerk11", "clerk11-password", "/cases?stage=all")
	if eval[bool](other, `!!document.querySelector('#case-list tr[data-code=`+jsString(code)+`]')`) {
		t.Error("a clerk of 市场监督管理局 lists 住建局's case")
	}
	other.open(srv.url+"/cases/"+code, 1440, 900)
	if txt := eval[string](other, `document.body.innerText`); !strings.Contains(txt, "没有权限") || strings.Contains(txt, "排水") {
		t.Errorf("a clerk of another unit opens the case: %.200s", txt)
	}

	// A counselling case stays with its unit.
	var reg struct {
		Case struct {
			Code string `json:"code"`
		} `json:"case"`
	}
	boss.do("POST", "/api/v1/cases", map[string]any{"service": "counselling", "channel": "phone",
		"persons": []map[string]string{synthCard(4712)}}, &reg)
	clerk.open(srv.url+"/cases", 1440, 900)
	if eval[bool](clerk, `!!document.querySelector('#case-list tr[data-code=`+jsString(reg.Case.Code)+`]')`) {
		t.Error("a clerk of 信访局 lists a counselling case")
	}
	clerk.open(srv.url+"/cases/"+reg.Case.Code, 1440, 900)
	if txt := eval[string](clerk, `document.body.innerText`); !strings.Contains(txt, "没有权限") {
		t.Errorf("a clerk of 信访局 opens a counselling case: %.200s", txt)
	}

	// An accusation of 住建局 never reaches 住建局's liaison, not even
	// when it is theirs by the service.
	var acc struct {
		Case struct {
			Code string `json:"code"`
		} `json:"case"`
	}
	boss.do("POST", "/api/v1/cases", map[string]any{"service": "housing", "channel": "letter", "accused_unit": "住建局",
		"summary": "检举住建局工作人员", "persons": []map[string]string{synthCard(4713)}}, &acc)
	liaison.open(srv.url+"/cases?stage=all", 1440, 900)
	if eval[bool](liaison, `!!document.querySelector('#case-list tr[data-code=`+jsString(acc.Case.Code)+`]')`) {
		t.Error("住建局's liaison lists an accusation of 住建局")
	}
	liaison.open(srv.url+"/cases/"+acc.Case.Code, 1440, 900)
	if txt := eval[string](liaison, `document.body.innerText`); !strings.Contains(txt, "回避") || strings.Contains(txt, "检举住建局") {
		t.Errorf("住建局's liaison opens the accusation: %.200s", txt)
	}

	// The visitor's phone: a question and a photo from the inquiry page;
	// the supervisor sees the photo and answers on the case page; the
	// phone shows the answer.
	var reg2 struct {
		Case struct {
			Code string `json:"code"`
		} `json:"case"`
		URL string `json:"url"`
	}
	boss.do("POST", "/api/v1/cases", map[string]any{"service": "petition", "channel": "phone",
		"persons": []map[string]string{synthCard(4714)}}, &reg2)
	phone := newTab(t, browser, "visitor's phone", chromedp.WithNewBrowserContext())
	inquiry := srv.url + reg2.URL[strings.Index(reg2.URL, "/c/"):]
	phone.open(inquiry+"?write=1", 390, 844)
	pic := filepath.Join(t.TempDir(), "现场.png")
	if err := os.WriteFile(pic, tinyPNG(t), 0o600); err != nil {
		t.Fatal(err)
	}
	phone.do(chromedp.SetValue(chromedp.CSS(`select[name=kind]`), "material"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=text]`), "补充：积水照片"),
		chromedp.SetUploadFiles(`input[name=photo]`, []string{pic}),
		chromedp.Click(chromedp.CSS(`form.tell button`)))
	wait[bool](phone, `document.body.innerText.includes('已提交') && document.body.innerText.includes('照片1张')`, 10*time.Second)
	phone.open(inquiry+"?write=1", 390, 844)
	phone.do(chromedp.SendKeys(chromedp.CSS(`textarea[name=text]`), "什么时候有结果？"), chromedp.Click(chromedp.CSS(`form.tell button`)))
	wait[bool](phone, `document.body.innerText.includes('等待答复')`, 10*time.Second)
	sup.open(srv.url+"/cases/"+reg2.Case.Code, 1440, 900)
	wait[bool](sup, `(document.querySelector('.photos img') || {}).naturalWidth > 0`, 10*time.Second)
	act(sup, `form[data-cmd=answer]`, "已登记", chromedp.SendKeys(chromedp.CSS(`form[data-cmd=answer] [name=text]`), "本周内答复您"))
	phone.open(inquiry, 390, 844)
	if txt := eval[string](phone, `document.body.innerText`); !strings.Contains(txt, "答复：本周内答复您") {
		t.Errorf("the phone does not show the answer: %.400s", txt)
	}

	// A mediator of the family committee mediates a case of two parties:
	// receives it in the room, a session, the agreement with what Art. 29
	// asks, concluded; the case counts the parties' 30 days for 司法确认,
	// and the 调解协议书 prints.
	api.user("mediator6", "周*", "mediator6-password", "room-family")
	var fam struct {
		Case struct {
			Code string `json:"code"`
		} `json:"case"`
	}
	boss.do("POST", "/api/v1/cases", map[string]any{"service": "mediation-family", "summary": "赡养费纠纷",
		"persons": []map[string]string{synthCard(4716), synthCard(4717)}}, &fam)
	med := login("mediator", "mediator6", "mediator6-password", "/cases/"+fam.Case.Code)
	act(med, `form[data-cmd=receive]`, "已接待", chromedp.SetValue(chromedp.CSS(`form[data-cmd=receive] [name=counter]`), "room-family"))
	act(med, `form[data-cmd=route]`, "已分流", chromedp.SetValue(chromedp.CSS(`form[data-cmd=route] [name=kind]`), "counter"),
		chromedp.SetValue(chromedp.CSS(`form[data-cmd=route] [name=counter]`), "room-family"))
	act(med, `form[data-cmd=handle]`, "调处中")
	act(med, `form[data-cmd=sessions]`, "调处中", chromedp.SendKeys(chromedp.CSS(`form[data-cmd=sessions] [name=when]`), "上午九时"),
		chromedp.SendKeys(chromedp.CSS(`form[data-cmd=sessions] [name=place]`), "婚姻家庭纠纷调解室"),
		chromedp.SendKeys(chromedp.CSS(`form[data-cmd=sessions] [name=participants]`), "双方当事人、调解员"),
		chromedp.SendKeys(chromedp.CSS(`form[data-cmd=sessions] [name=content]`), "双方陈述赡养费分担的意见"))
	act(med, `form[data-cmd=agreement]`, "调处中", chromedp.SendKeys(chromedp.CSS(`form[data-cmd=agreement] [name=facts]`), "子女对赡养费分担有争议"),
		chromedp.SendKeys(chromedp.CSS(`form[data-cmd=agreement] [name=terms]`), "每人每月承担五百元"),
		chromedp.SendKeys(chromedp.CSS(`form[data-cmd=agreement] [name=performance]`), "每月五日前转账"))
	act(med, `form[data-cmd=conclude]`, "回访中", chromedp.SetValue(chromedp.CSS(`form[data-cmd=conclude] [name=outcome]`), "mediated"))
	if lim := eval[string](med, `document.getElementById('limits').textContent`); !strings.Contains(lim, "司法确认申请期限") || !strings.Contains(lim, "第三十三条") {
		t.Errorf("the limits after the agreement: %q", lim)
	}
	med.open(srv.url+"/cases/"+fam.Case.Code+"/doc/agreement", 1440, 900)
	if txt := eval[string](med, `document.getElementById('doc').innerText`); !strings.Contains(txt, "每人每月承担五百元") || !strings.Contains(txt, "司法确认") {
		t.Errorf("the 调解协议书: %.400s", txt)
	}
	printPDF(t, med, 2) // an agreement with its signatures may take a second sheet

	// The supervisor puts today's county leader on the duty rota: the
	// kiosk's 领导接访 opens, its ticket goes to the leaders' room.
	sup.open(srv.url+"/dashboard/rota", 1440, 900)
	sup.do(chromedp.SendKeys(chromedp.CSS(`#rota-add [name=who]`), "县委副书记 某某"),
		chromedp.SetValue(chromedp.CSS(`#rota-add [name=counter]`), "room-leader"),
		chromedp.SetValue(chromedp.CSS(`#rota-add [name=service]`), "leader"),
		chromedp.Click(chromedp.CSS(`#rota-add button[type=submit]`)))
	wait[bool](sup, `document.querySelectorAll('#rota tbody tr[data-key]').length === 1`, 10*time.Second)
	var svcs struct {
		Duty     []string `json:"duty"`
		Services []struct {
			ID    string `json:"id"`
			Today string `json:"today"`
		} `json:"services"`
	}
	api.do("GET", "/api/v1/services", nil, &svcs)
	if len(svcs.Duty) != 1 || !strings.Contains(svcs.Duty[0], "县委副书记 某某（领导接访室）") {
		t.Errorf("today's duty: %q", svcs.Duty)
	}
	var lt struct {
		Ticket struct {
			Target string `json:"target_counter"`
		} `json:"ticket"`
	}
	boss.do("POST", "/api/v1/tickets", map[string]any{"service": "leader", "persons": []any{synthCard(4715)}}, &lt)
	if lt.Ticket.Target != "room-leader" {
		t.Errorf("the 领导接访 ticket goes to %q", lt.Ticket.Target)
	}

	// The supervisor lists both.
	sup.open(srv.url+"/cases?stage=all", 1440, 900)
	wait[bool](sup, `!!document.querySelector('#case-list tr[data-code=`+jsString(reg.Case.Code)+`]') && !!document.querySelector('#case-list tr[data-code=`+jsString(code)+`]')`, 10*time.Second)

	// A clerk of two windows with a visitor called at the second finds the
	// console on that window, in a browser that remembers nothing.
	api.user("twowin", "吴*", "twowin-password", "win-02", "win-10")
	two := newHallClient(t, srv.url, "twowin", "twowin-password")
	boss.do("POST", "/api/v1/tickets", map[string]any{"service": "civil-affairs", "persons": []any{synthCard(4718)}}, nil)
	two.cmd("win-10", "open")
	called := two.cmd("win-10", "call-next")
	if called == nil {
		t.Fatal("nothing called at win-10")
	}
	twoTab := login("two windows", "twowin", "twowin-password", "/console")
	wait[bool](twoTab, `window.__console && window.__console.ready && document.getElementById('cur-number').textContent === `+jsString(called.Number), 15*time.Second)
	if c := eval[string](twoTab, `document.getElementById('counter').value`); c != "win-10" {
		t.Errorf("the console opened on %q", c)
	}

	// One time zone: a browser set to New York shows the hall's times.
	ny := newTab(t, browser, "a browser in another zone", chromedp.WithNewBrowserContext())
	ny.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "America/New_York"})
		return err
	}))
	ny.open(srv.url+"/login", 1440, 900)
	if got := eval[string](ny, `Y.hm('2026-12-05T01:00:00Z') + ' ' + Y.dateLine(new Date('2026-12-05T17:00:00Z')) + ' ' + new Date('2026-12-05T01:00:00Z').getHours()`); got != "09:00 2026年12月6日 星期日 20" {
		t.Errorf("in New York the hall's times are %q, want Shanghai's (09:00 2026年12月6日 星期日) and the browser's own hour 20", got)
	}

	if *writeScreenshots {
		shots := map[string][]byte{"cases.png": sup.screenshot(1440, 900, screenshotMax), "document.png": docShot}
		sup.open(srv.url+"/cases/"+code, 1440, 900)
		wait[bool](sup, `!!document.getElementById('timeline')`, 10*time.Second)
		shots["case.png"] = sup.screenshot(1440, 900, screenshotMax)
		for name, png := range shots {
			if err := os.WriteFile(filepath.Join("..", "..", "docs", "screenshots", name), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// printPDF prints the tab's page as the browser would on A4 and checks it
// is a PDF of at most maxPages pages.
func printPDF(t *testing.T, tb *tab, maxPages int) []byte {
	t.Helper()
	var pdf []byte
	prefer := true
	tb.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		r, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PaperWidth: 8.27, PaperHeight: 11.69, PreferCSSPageSize: &prefer})
		pdf = r.Data
		return err
	}))
	if n := len(pdfPage.FindAll(pdf, -1)); !bytes.HasPrefix(pdf, []byte("%PDF-")) || n < 1 || n > maxPages {
		t.Errorf("the printed document is not a PDF of at most %d pages (%d bytes, %d pages)", maxPages, len(pdf), n)
	}
	return pdf
}

// pdfPage matches a page object of a PDF (not the /Pages tree).
var pdfPage = regexp.MustCompile(`/Type\s*/Page[^s]`)

// tinyPNG is a small invented picture.
func tinyPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := range 40 {
		img.Set(x, 15, color.RGBA{0, 90, 200, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
