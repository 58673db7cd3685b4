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
	return Limits{
		"petition": {Accept: Cal(15), Handle: Cal(60), HandleFromAccept: true, Extension: Cal(30),
			Source: "信访工作条例 第二十二条（15日内转送、交办）、第三十四条（60日内办结，可延长不超过30日）"},
		// 复查, 复核: asked within 30 days, answered within 30 days.
		"petition.review":   {Handle: Cal(30), HandleFromAccept: true, Source: "信访工作条例 第三十五条（复查30日内答复）"},
		"petition.rereview": {Handle: Cal(30), HandleFromAccept: true, Source: "信访工作条例 第三十六条（复核30日内提出意见）"},
		"complaint.consumer": {Accept: Work(7), Handle: Work(45), HandleFromAccept: true,
			Source: "市场监督管理投诉举报处理暂行办法 第十四条（7个工作日内决定是否受理）、第二十一条（调解45个工作日）"},
		// People's mediation has no statutory limit; practice is "一般在一个月内调结".
		"mediation": {Handle: Cal(30), Source: "人民调解：一般在一个月内调结（司法部 人民调解工作若干规定）"},
		"mediation.labour": {Handle: Cal(15),
			Source: "劳动争议调解仲裁法 第十四条（15日内未达成协议可申请仲裁）"},
		// Expert appraisal time is not counted (Art. 38); pausing the
		// clock for it is not implemented: extend instead.
		"mediation.medical": {Handle: Work(30), HandleFromAccept: true,
			Source: "医疗纠纷预防和处理条例 第三十八条（自受理之日起30个工作日内完成调解）"},
		"mediation.traffic.police": {Handle: Cal(10), HandleFromAccept: true,
			Source: "道路交通事故处理程序规定 第九十条（调解自开始之日起10日内制作调解书）"},
		"mediation.court.pre":    {Handle: Cal(30), Source: "最高法 关于人民法院特邀调解的规定 第二十七条（立案前委派调解30日）"},
		"mediation.court.post":   {Handle: Cal(15), Source: "最高法 关于人民法院特邀调解的规定 第二十七条（立案后委托调解15日）"},
		"mediation.court.simple": {Handle: Cal(7), Source: "最高法 关于人民法院特邀调解的规定 第二十七条（简易程序7日）"},
		// 诉讼服务 at the centre: disputes the court delegates before filing.
		"litigation": {Handle: Cal(30), Source: "最高法 关于人民法院特邀调解的规定 第二十七条（立案前委派调解30日）"},
		// 法释〔2011〕5号: the court decides within 3 days whether to accept
		// the application (Art. 4) and within 15 days of accepting it
		// whether to confirm, 10 more with the president's approval (Art. 5).
		"litigation.confirmation": {Accept: Cal(3), Handle: Cal(15), HandleFromAccept: true, Extension: Cal(10),
			Source: "最高法 关于人民调解协议司法确认程序的若干规定 第四条（3日内决定是否受理）、第五条（受理后15日内决定是否确认，可延长10日）"},
		"legal_aid": {Accept: Cal(7), Source: "法律援助法 第四十三条（7日内决定是否给予法律援助）"},
	}
}

// merged returns the defaults with the overrides applied.
func mergedLimits(over Limits) Limits {
	l := DefaultLimits()
	for k, v := range over {
		l[k] = v
	}
	return l
}
