package web

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"yiting/queue"
	"yiting/queue/cases"
)

// The printable documents of a case (/cases/{code}/doc/{kind}): A4, the
// official layout, the case's QR code (一件一码) for the visitor to follow
// it. Parties are masked as everywhere; the clerk who hands the document
// over fills in the full names with one button, which opens the parties'
// data through the audited view. A document a case's stage does not have
// yet (a 处理意见书 before conclusion) is refused with why.

// docKind is one kind of document: its title and whether the case has it.
type docKind struct {
	ID, Title string
	// has says whether the case has reached the document, and if not why.
	has func(v cases.View) (bool, string)
}

func lastRoute(v cases.View) *cases.Route {
	for i := len(v.Routes) - 1; i >= 0; i-- {
		if v.Routes[i].Unit != "" {
			return &v.Routes[i]
		}
	}
	return nil
}

func recordOf(v cases.View, k cases.RecordKind) *cases.Record {
	for i := len(v.Records) - 1; i >= 0; i-- {
		if v.Records[i].Kind == k {
			return &v.Records[i]
		}
	}
	return nil
}

var docKinds = []docKind{
	{"accept", "受理告知书", func(v cases.View) (bool, string) { return !v.AcceptedAt.IsZero(), "案件尚未受理" }},
	{"reject", "不予受理告知书", func(v cases.View) (bool, string) {
		return v.Outcome == cases.OutcomeNotAccepted, "案件没有作出不予受理的决定"
	}},
	{"assign", "交办单", func(v cases.View) (bool, string) { return lastRoute(v) != nil, "案件没有交办给单位" }},
	{"extend", "延期告知书", func(v cases.View) (bool, string) { return v.Extension != nil, "案件没有延期" }},
	{"supervise", "督办单", func(v cases.View) (bool, string) { return len(v.Supervisions) > 0, "案件没有督办" }},
	{"agreement", "调解协议书", func(v cases.View) (bool, string) {
		return recordOf(v, cases.RecordAgreement) != nil, "案件没有登记调解协议"
	}},
	{"opinion", "处理意见书", func(v cases.View) (bool, string) { return !v.HandledAt.IsZero(), "案件尚未办结" }},
	{"followup", "回访记录", func(v cases.View) (bool, string) {
		return recordOf(v, cases.RecordFollowUp) != nil, "案件没有回访记录"
	}},
}

// docLink is a document the case page offers.
type docLink struct{ ID, Title string }

func docLinks(v cases.View) []docLink {
	var out []docLink
	for _, k := range docKinds {
		if ok, _ := k.has(v); ok {
			out = append(out, docLink{k.ID, k.Title})
		}
	}
	return out
}

type docBody struct {
	Hall, Title, No, Date string
	To                    string // the addressee line: a party (masked; filled in by the button) or a unit
	ToParty               bool
	Paras                 []string
	Rows                  [][2]string // label, value
	Parties               []cases.PartyView
	Signs                 []string // signature lines
	Issuer                string
	QR                    template.HTML
	QRNote                string
}

func (p *Pages) casePrint(w http.ResponseWriter, r *http.Request) {
	var kind *docKind
	for i := range docKinds {
		if docKinds[i].ID == r.PathValue("kind") {
			kind = &docKinds[i]
		}
	}
	if kind == nil {
		p.errorPage(w, http.StatusNotFound, "没有这种文书", "文书类型无效。")
		return
	}
	pr, v, _, ok := p.caseOf(w, r, queue.RoleSupervisor, queue.RoleStaff)
	if !ok {
		return
	}
	if ok, why := kind.has(v); !ok {
		p.errorPage(w, http.StatusConflict, "暂不能出具"+kind.Title, why+"，还不能出具"+kind.Title+"。")
		return
	}
	d := p.document(kind.ID, v, r)
	d.Hall, d.Title = p.hall.Name, kind.Title
	d.No = v.Code + "-" + kind.ID
	d.Date = p.now().In(p.hall.Location).Format("2006年1月2日")
	if d.Issuer == "" {
		d.Issuer = p.hall.Name
	}
	if p.qr != nil {
		if u, err := p.cases.QRURL(r.Context(), pr, v.Code); err == nil {
			if m, err := p.qr(u); err == nil {
				d.QR = template.HTML(qrSVG(m)) // our own SVG of our own URL
				d.QRNote = "扫码查询办理进度、评价办理结果（编号 " + v.Code + "）"
			}
		}
	}
	p.render(w, http.StatusOK, "doc.html", view{Title: kind.Title + " " + v.Code, Page: "doc", Body: d, Data: struct {
		pageData
		Me   principalData `json:"me"`
		Code string        `json:"code"`
	}{p.data, principalOut(pr), v.Code}})
}

// document writes a kind's text from the case.
func (p *Pages) document(kind string, v cases.View, r *http.Request) docBody {
	d := docBody{Parties: v.Persons}
	party := "—"
	if len(v.Persons) > 0 {
		party = strings.Join(v.MaskedNames(), "、")
	}
	reg := p.day(v.Registered)
	matter := "你于" + reg + "以" + v.ChannelName + "方式提出的" + v.TypeName + "事项（编号 " + v.Code + "）"
	if v.Summary != "" {
		matter += "：" + v.Summary
	}
	basis := ""
	if v.Limit.Source != "" {
		basis = "（" + v.Limit.Source + "）"
	}
	switch kind {
	case "accept":
		d.To, d.ToParty = party, true
		unit := orDash(v.Unit)
		para := matter + "，本中心已于" + p.day(v.AcceptedAt) + "受理，交由" + unit + "办理。"
		if v.HandleDue != 0 {
			para += "办理期限至" + v.HandleDue.String() + basis + "。"
		}
		d.Paras = []string{para, "办理过程中，你可以扫描下方二维码查询办理进度；办结后可在同一页面评价办理结果。"}
	case "reject":
		d.To, d.ToParty = party, true
		d.Paras = []string{matter + "，经审查，不予受理。", "理由：" + orDash(v.OutcomeNote),
			"对属于其他机关职权范围或者应当通过诉讼、仲裁、行政复议等法定途径解决的事项，请依照有关法律、行政法规规定的程序向有关机关提出（《信访工作条例》第三十一条）。"}
	case "assign":
		rt := lastRoute(v)
		d.To = rt.Unit
		d.Paras = []string{"现将" + v.TypeName + "事项（编号 " + v.Code + "，当事人 " + party + "）交你单位办理。"}
		if v.Summary != "" {
			d.Paras = append(d.Paras, "主要诉求："+v.Summary)
		}
		if rt.Note != "" {
			d.Paras = append(d.Paras, "交办意见："+rt.Note)
		}
		due := "请按期办理"
		if rt.ReplyBy != 0 {
			due = "请于" + rt.ReplyBy.String() + "前将办理结果书面报送本中心"
		} else if v.HandleDue != 0 {
			due = "请于办理期限" + v.HandleDue.String() + "前将办理结果书面报送本中心"
		}
		d.Paras = append(d.Paras, due+"。收到后请签收；不属于你单位职权范围的，请自收到之日起5个工作日内书面退回并说明理由（《信访工作条例》第二十三条）。")
		d.Signs = []string{"签收单位（盖章）", "签收人", "签收日期"}
	case "extend":
		e := v.Extension
		d.To, d.ToParty = party, true
		why := "因" + e.Reason
		if e.Consent != "" { // what the rule asks for the extension, as recorded (医疗纠纷: the parties' agreement)
			why += "，" + e.Consent
		}
		d.Paras = []string{matter + "，" + why + "，办理期限由" + e.From.String() + "延长至" + e.To.String() + basis + "。特此告知。"}
	case "supervise":
		s := v.Supervisions[len(v.Supervisions)-1]
		if id, err := strconv.Atoi(r.URL.Query().Get("id")); err == nil {
			for _, x := range v.Supervisions {
				if x.ID == id {
					s = x
				}
			}
		}
		d.To = orDash(v.Unit)
		d.Rows = [][2]string{{"督办等级", s.LevelName}, {"案件", v.Code + " " + v.TypeName}, {"当事人", party}, {"督办事由", s.Reason},
			{"回复期限", s.ReplyDue.String()}, {"督办人", s.OpenedBy + " " + p.when(s.OpenedAt)}}
		d.Paras = []string{"请于回复期限前将办理情况书面回复本中心。逾期未回复的，将依照《信访工作条例》第四十条、第四十四条的规定提级督办或提出处理建议。"}
		d.Signs = []string{"签收单位（盖章）", "签收人", "签收日期"}
	case "agreement":
		a := recordOf(v, cases.RecordAgreement)
		d.Rows = [][2]string{{"当事人", party}, {"纠纷主要事实、争议事项", orDash(v.Summary)}}
		d.Paras = append(strings.Split(a.Text, "\n"), "本协议自各方当事人签名（盖章或按指印）、人民调解员签名并加盖人民调解委员会印章之日起生效（《人民调解法》第二十九条）。",
			"双方当事人可以自本协议生效之日起三十日内共同向人民法院申请司法确认（《人民调解法》第三十三条）。")
		d.Signs = []string{"当事人（签名）", "当事人（签名）", "人民调解员（签名）", "人民调解委员会（印章）"}
		d.Issuer = orDash(v.Unit)
	case "opinion":
		d.To, d.ToParty = party, true
		text := v.OutcomeNote
		if a := recordOf(v, cases.RecordAnswer); a != nil {
			text = a.Text
		}
		d.Paras = []string{matter + "，经调查核实，处理意见如下：", orDash(text), "办理结果：" + v.OutcomeName + "。",
			"如对本处理意见不服，可以自收到本意见书之日起30日内请求原办理机关、单位的上一级机关、单位复查（《信访工作条例》第三十二条、第三十五条）。"}
	case "followup":
		f := recordOf(v, cases.RecordFollowUp)
		d.Rows = [][2]string{{"案件", v.Code + " " + v.TypeName}, {"当事人", party}, {"办理结果", orDash(v.OutcomeName)},
			{"回访人", f.By}, {"回访时间", p.when(f.At)}}
		d.Paras = strings.Split(f.Text, "\n")
		d.Signs = []string{"回访人（签名）"}
	}
	return d
}
