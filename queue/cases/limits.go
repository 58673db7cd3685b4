package cases

import (
	"fmt"
	"strings"
)

// Span is a length of time in days (日) or working days (工作日).
type Span struct {
	Days    int  `json:"days"`              // 0: no limit
	Working bool `json:"working,omitempty"` // working days, else calendar days
}

// Cal and Work build spans.
func Cal(n int) Span  { return Span{Days: n} }
func Work(n int) Span { return Span{Days: n, Working: true} }

// String is the span in Chinese: "15日", "30个工作日", "" for none.
func (s Span) String() string {
	switch {
	case s.Days <= 0:
		return ""
	case s.Working:
		return fmt.Sprintf("%d个工作日", s.Days)
	}
	return fmt.Sprintf("%d日", s.Days)
}

// Limit is the time limits of one case type.
type Limit struct {
	// Accept is from registration to acceptance (受理: the case is
	// routed — transferred, assigned or taken — or decided).
	Accept Span `json:"accept,omitzero"`
	// Handle is the time to conclude (办结 / 调结).
	Handle Span `json:"handle,omitzero"`
	// HandleFromAccept counts Handle from acceptance ("自受理之日起")
	// rather than from registration.
	HandleFromAccept bool `json:"handle_from_accept,omitempty"`
	// Extension is the most one extension of Handle may add, with a
	// recorded reason; zero means Handle cannot be extended.
	Extension Span `json:"extension,omitzero"`
	// ExtendWhen is the condition an extension needs, when the rule sets
	// one ("双方当事人同意延长调解期限", "经劳动保障行政部门负责人批准"):
	// Extend then takes a statement that it holds — who agreed or
	// approved, and when — and records it with the extension.
	ExtendWhen string `json:"extend_when,omitempty"`
	// Pause is the time the rule does not count (听证, 鉴定): the handling
	// clock stops while it lasts (pause.go). "" when nothing stops it.
	Pause PauseKind `json:"pause,omitempty"`
	// Review names the request the handling opinion may be challenged by
	// ("复查", "复核"), which the petitioner makes within 30 days of it
	// (信访工作条例 Art. 35, 36); "" when none follows.
	Review string `json:"review,omitempty"`
	// Procedure, for a matter that follows another body's legal
	// procedure instead of a clock of its own (涉法涉诉), says which; its
	// time limits are that procedure's, not the hall's.
	Procedure string `json:"procedure,omitempty"`
	// Source names the rule, for the dashboard and the report.
	Source string `json:"source,omitempty"`
}

// Limits maps case types to their limits. A type without an entry takes
// that of its longest dotted prefix: "petition.housing" the one of
// "petition", "mediation.lending" the one of "mediation".
type Limits map[string]Limit

// For returns the limit of caseType and the table key it came from ("" and
// the zero Limit when no entry applies: the type has no time limit).
func (l Limits) For(caseType string) (Limit, string) {
	for t := caseType; t != ""; {
		if lim, ok := l[t]; ok {
			return lim, t
		}
		i := strings.LastIndexByte(t, '.')
		if i < 0 {
			break
		}
		t = t[:i]
	}
	return Limit{}, ""
}

// DefaultLimits is the table of docs/domain.md, "Time limits a case
// tracker must enforce". Options.Limits overrides entries by key.
func DefaultLimits() Limits {
	// 劳动保障监察条例 Art. 17: a complaint about wages or social insurance
	// is investigated within 60 working days of its filing (立案), 30 more
	// with the approval of the department's head. It is an administrative
	// enforcement matter, not a petition: no 60-day petition clock, no
	// 复查. "petition.labour_security" is the type older hall files gave it.
	labour := Limit{Handle: Work(60), HandleFromAccept: true, Extension: Work(30), ExtendWhen: "经劳动保障行政部门负责人批准",
		Source: "劳动保障监察条例 第十七条（自立案之日起60个工作日内完成，情况复杂的经批准可延长30个工作日）"}
	return Limits{
		"petition": {Accept: Cal(15), Handle: Cal(60), HandleFromAccept: true, Extension: Cal(30), Review: "复查",
			Source: "信访工作条例 第二十二条（15日内转送、交办）、第三十四条（60日内办结，可延长不超过30日）"},
		// 复查 and 复核 (Art. 35, 36): the request is answered within 30
		// days of receiving it — the case is the request, registered the
		// day it is received, so the clock counts from registration, not
		// from a routing; the time a hearing (听证) takes is not counted.
		// The 复查 opinion may be challenged by a 复核 within 30 days;
		// the 复核 opinion is final.
		"petition.review": {Handle: Cal(30), Pause: PauseHearing, Review: "复核",
			Source: "信访工作条例 第三十五条（自收到复查请求之日起30日内提出复查意见）、第三十六条（听证时间不计入）"},
		"petition.rereview": {Handle: Cal(30), Pause: PauseHearing,
			Source: "信访工作条例 第三十六条（自收到复核请求之日起30日内提出复核意见，听证所需时间不计算在期限内）"},
		// 涉法涉诉 (Art. 22 ¶2, 31(1)): matters that belong to a court, a
		// procuratorate, the police or arbitration are separated out
		// (诉访分离) and routed to that body, which handles them by its own
		// legal procedure. The petition rules give them no day count: the
		// procedure's own limits apply, and those depend on what the
		// matter is (an appeal, a retrial application, a complaint about
		// an investigation) — the hall cannot know them, and shows none.
		"petition.law_related": {Procedure: "导入诉讼、复议、仲裁等法定程序，由承办的政法单位依该程序及其期限办理",
			Source: "信访工作条例 第二十二条第二款、第三十一条第一项（涉法涉诉事项依法导入法定程序，不适用信访事项办理期限）"},
		"complaint.labour_security": labour,
		"petition.labour_security":  labour,
		"complaint.consumer": {Accept: Work(7), Handle: Work(45), HandleFromAccept: true,
			Source: "市场监督管理投诉举报处理暂行办法 第十四条（7个工作日内决定是否受理）、第二十一条（调解45个工作日）"},
		// People's mediation has no statutory limit; practice is "一般在一个月内调结".
		"mediation": {Handle: Cal(30), Source: "人民调解：一般在一个月内调结（司法部 人民调解工作若干规定）"},
		"mediation.labour": {Handle: Cal(15),
			Source: "劳动争议调解仲裁法 第十四条（15日内未达成协议可申请仲裁）"},
		// Art. 38: 30 working days from acceptance; the time an expert
		// appraisal (鉴定) takes is not counted (a pause); longer when the
		// parties agree. The rule sets no length for that: one extension
		// of at most another 30 working days is our choice.
		"mediation.medical": {Handle: Work(30), HandleFromAccept: true, Pause: PauseAppraisal,
			Extension: Work(30), ExtendWhen: "双方当事人同意延长调解期限",
			Source: "医疗纠纷预防和处理条例 第三十八条（自受理之日起30个工作日内完成调解，鉴定时间不计入，经双方当事人同意可以延长）"},
		"mediation.traffic.police": {Handle: Cal(10), HandleFromAccept: true,
			Source: "道路交通事故处理程序规定 第九十条（调解自开始之日起10日内制作调解书）"},
		// 特邀调解规定 Art. 27: longer when both parties agree, by no set
		// length: one extension as long as the limit itself is our choice.
		"mediation.court.pre": {Handle: Cal(30), Extension: Cal(30), ExtendWhen: courtAgree,
			Source: "最高法 关于人民法院特邀调解的规定 第二十七条（立案前委派调解30日，经双方当事人同意可以延长）"},
		"mediation.court.post": {Handle: Cal(15), Extension: Cal(15), ExtendWhen: courtAgree,
			Source: "最高法 关于人民法院特邀调解的规定 第二十七条（立案后委托调解15日，经双方当事人同意可以延长）"},
		"mediation.court.simple": {Handle: Cal(7), Extension: Cal(7), ExtendWhen: courtAgree,
			Source: "最高法 关于人民法院特邀调解的规定 第二十七条（简易程序7日，经双方当事人同意可以延长）"},
		// 诉讼服务 at the centre: disputes the court delegates before filing.
		"litigation": {Handle: Cal(30), Extension: Cal(30), ExtendWhen: courtAgree,
			Source: "最高法 关于人民法院特邀调解的规定 第二十七条（立案前委派调解30日，经双方当事人同意可以延长）"},
		// 法释〔2011〕5号: the court decides within 3 days whether to accept
		// the application (Art. 4) and within 15 days of accepting it
		// whether to confirm, 10 more with the president's approval (Art. 5).
		"litigation.confirmation": {Accept: Cal(3), Handle: Cal(15), HandleFromAccept: true, Extension: Cal(10),
			Source: "最高法 关于人民调解协议司法确认程序的若干规定 第四条（3日内决定是否受理）、第五条（受理后15日内决定是否确认，可延长10日）"},
		"legal_aid": {Accept: Cal(7), Source: "法律援助法 第四十三条（7日内决定是否给予法律援助）"},
	}
}

// courtAgree is the condition of a court-delegated mediation's extension
// (特邀调解规定 Art. 27).
const courtAgree = "双方当事人同意延长调解期限"

// merged returns the defaults with the overrides applied.
func mergedLimits(over Limits) Limits {
	l := DefaultLimits()
	for k, v := range over {
		l[k] = v
	}
	return l
}
