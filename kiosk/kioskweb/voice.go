package kioskweb

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"yiting/kiosk"
	"yiting/queue/speech"
)

// The kiosk speaks (无障碍环境建设法 Art. 40: visual, written and voice
// prompts; many visitors are old and some read little): a short prompt at
// each step, through the same path as the board — the server's voice
// (espeak-ng's cmn-latn-pinyin, speech.Synthesizer) when this machine has
// it, else the browser's. The page says the Chinese text with the
// browser's voice; voice.wav says the same in pinyin.

// Speaker renders pinyin with tone numbers to WAV; espeak-ng in cmd/. It
// returns speech.ErrNotInstalled while its program is missing. It must be
// safe for concurrent use.
type Speaker interface {
	Synthesize(ctx context.Context, pinyin string) ([]byte, error)
}

// availability is implemented by a Speaker whose program may come and go.
type availability interface {
	Available() bool
}

// prompt is one thing the kiosk says: the Chinese the screen shows and
// the browser's voice reads, and its pinyin for the server's voice.
type prompt struct {
	Text   string `json:"text"`
	pinyin string
}

// Pinyin of the parts the prompts share.
const (
	pyDesk       = "qing3 dao4 fu2 wu4 tai2 you2 gong1 zuo4 ren2 yuan2 xie2 zhu4"
	pyTake       = "qing3 qu3 zou3 ping2 tiao2 liu2 yi4 jiao4 hao4"
	pyNotPrinted = "ping2 tiao2 zan4 shi2 wu2 fa3 da3 yin4 qing3 ji4 zhu4 nin2 de5 hao4 ma3 gong1 zuo4 ren2 yuan2 hui4 wei4 nin2 bu3 da3"
)

// prompts are the kiosk's fixed prompts by key: the steps, and the
// errors by their codes (kiosk.ErrCode…).
var prompts = map[string]prompt{
	"menu":                     {kiosk.MsgIdle, "qing3 xuan3 ze2 yao4 ban4 li3 de5 shi4 xiang4"},
	"choose":                   {kiosk.MsgChoose, "nin2 hao3 qing3 xuan3 ze2 yao4 ban4 li3 de5 shi4 xiang4"},
	"category":                 {"请选择具体事项", "qing3 xuan3 ze2 ju4 ti3 shi4 xiang4"},
	"scan":                     {"请用手机扫描凭条上的二维码，查询办理进度", "qing3 yong4 shou3 ji1 sao3 miao2 ping2 tiao2 shang4 de5 er4 wei2 ma3 cha2 xun2 ban4 li3 jin4 du4"},
	"inquiry":                  {kiosk.MsgInquiry, "qing3 jiang1 shen1 fen4 zheng4 fang4 zai4 gan3 ying4 qu1 huo4 shu1 ru4 an4 jian4 ma3 cha2 xun2"},
	"inquiring":                {kiosk.MsgInquiring, "zheng4 zai4 cha2 xun2 qing3 shao1 hou4"},
	"cases":                    {kiosk.MsgCases, "nin2 zheng4 zai4 ban4 li3 de5 shi4 xiang4"},
	"no_cases":                 {kiosk.MsgNoCases, "mei2 you3 cha2 dao4 nin2 zheng4 zai4 ban4 li3 de5 shi4 xiang4"},
	kiosk.ErrCodeNoCase:        {kiosk.MsgInquiryNoCase, "mei2 you3 cha2 dao4 zhe4 ge4 shi4 xiang4 qing3 he2 dui4 an4 jian4 ma3 he2 shen1 fen4 zheng4 hao4 ma3 hou4 si4 wei4"},
	kiosk.ErrCodeInquiryLimit:  {kiosk.MsgInquiryLimit, "cha2 xun2 guo4 yu2 pin2 fan2 qing3 shao1 hou4 zai4 shi4 huo4 dao4 fu2 wu4 tai2 zi1 xun2"},
	"checkin":                  {kiosk.MsgCheckIn, "qing3 jiang1 shen1 fen4 zheng4 fang4 zai4 gan3 ying4 qu1 huo4 shu1 ru4 yu4 yue1 ma3 qian1 dao4"},
	kiosk.ErrCodeNoBooking:     {kiosk.MsgNoBooking, "mei2 you3 zhao3 dao4 nin2 jin1 tian1 de5 yu4 yue1 qing3 he2 dui4 yu4 yue1 ma3 huo4 qu3 pu3 tong1 hao4"},
	"wait_card":                {kiosk.MsgWaitCard, "qing3 jiang1 shen1 fen4 zheng4 fang4 zai4 gan3 ying4 qu1"},
	"reading":                  {kiosk.MsgReading, "zheng4 zai4 du2 qu3 shen1 fen4 zheng4 qing3 bu2 yao4 yi2 dong4"},
	"issuing":                  {kiosk.MsgIssuing, "zheng4 zai4 qu3 hao4 qing3 shao1 hou4"},
	"group":                    {"请各位代表依次放置身份证，全部放置后请按完成", "qing3 ge4 wei4 dai4 biao3 yi1 ci4 fang4 zhi4 shen1 fen4 zheng4 quan2 bu4 fang4 zhi4 hou4 qing3 an4 wan2 cheng2"},
	kiosk.ErrCodeUnreadable:    {kiosk.MsgUnreadable, "qing3 chong2 xin1 fang4 zhi4 shen1 fen4 zheng4"},
	kiosk.ErrCodeExpired:       {kiosk.MsgExpired, "nin2 de5 shen1 fen4 zheng4 yi3 guo4 qi1 " + pyDesk + " qu3 hao4"},
	kiosk.ErrCodeReaderOffline: {kiosk.MsgReaderOffline, "du2 ka3 qi4 zan4 bu4 ke3 yong4 " + pyDesk + " qu3 hao4"},
	kiosk.ErrCodeHallDown:      {kiosk.MsgHallDown, "zan4 shi2 wu2 fa3 qu3 hao4 qing3 shao1 hou4 zai4 shi4 huo4 dao4 fu2 wu4 tai2 you2 gong1 zuo4 ren2 yuan2 xie2 zhu4"},
	kiosk.ErrCodeRefused:       {kiosk.MsgRefused, "qu3 hao4 wei4 cheng2 gong1 " + pyDesk},
}

// ticketPrompt is what the kiosk says with the ticket on screen: the
// number, where to go, and to take the ticket (or that it could not be
// printed). pinyin is "" when the counter has no usable pinyin: then only
// the browser's voice can say it.
func ticketPrompt(t *kiosk.TicketView) prompt {
	text := "您的号码是" + t.Number
	if t.Counter != "" {
		text += "，请到" + t.Counter
	}
	py := ""
	if n, err := speech.Number(t.Number); err == nil {
		py = "nin2 de5 hao4 ma3 shi4 " + n
		if t.Counter != "" {
			// 请到3号窗口、5号窗口: "or" between them. A place (no
			// counters named) or a counter without pinyin leaves the
			// sentence to the browser's voice.
			var cps []string
			for _, c := range t.CounterPinyin {
				if cp, ok := speech.Clean(c); ok {
					cps = append(cps, cp)
				}
			}
			if len(cps) > 0 && len(cps) == len(t.CounterPinyin) {
				py += " qing3 dao4 " + strings.Join(cps, " huo4 ")
			} else {
				py = ""
			}
		}
	}
	if t.Printed {
		text += "。" + kiosk.MsgTakeTicket
		if py != "" {
			py += " " + pyTake
		}
	} else {
		text += "。" + kiosk.MsgNotPrinted
		if py != "" {
			py += " " + pyNotPrinted
		}
	}
	return prompt{Text: text, pinyin: py}
}

// speaks reports whether the server's voice is there now.
func (h *Handler) speaks() bool {
	if h.opts.Speech == nil {
		return false
	}
	if a, ok := h.opts.Speech.(availability); ok {
		return a.Available()
	}
	return true
}

// speechInfo answers GET …/speech: whether this machine speaks, and the
// text of every fixed prompt (the browser's voice reads them).
func (h *Handler) speechInfo(w http.ResponseWriter, r *http.Request) {
	texts := make(map[string]string, len(prompts))
	for k, p := range prompts {
		texts[k] = p.Text
	}
	writeJSON(w, http.StatusOK, struct {
		Server  bool              `json:"server"`
		Prompts map[string]string `json:"prompts"`
	}{h.speaks(), texts})
}

// voice answers GET …/voice.wav?say=KEY with a prompt in the server's
// voice; say=ticket says the ticket on screen now (nothing the page sends
// reaches the synthesizer but a key). 404 when the machine has no voice
// or the counter no pinyin: the page then uses the browser's voice.
func (h *Handler) voice(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Query().Get("say")
	p, ok := prompts[key]
	if key == "ticket" {
		v := h.opts.Loop.View()
		if v.Step != kiosk.StepTicket || v.Ticket == nil {
			writeError(w, http.StatusNotFound, "no_ticket", "没有正在显示的凭条")
			return
		}
		p, ok = ticketPrompt(v.Ticket), true
	}
	switch {
	case !ok:
		writeError(w, http.StatusBadRequest, "unknown_prompt", "没有这条提示")
		return
	case !h.speaks():
		writeError(w, http.StatusNotFound, "no_voice", "本机未安装语音合成，请使用浏览器语音")
		return
	case p.pinyin == "":
		writeError(w, http.StatusNotFound, "no_pinyin", "这条提示没有拼音，请使用浏览器语音")
		return
	}
	wav, err := h.opts.Speech.Synthesize(r.Context(), p.pinyin)
	if errors.Is(err, speech.ErrNotInstalled) {
		writeError(w, http.StatusNotFound, "no_voice", "本机未安装语音合成，请使用浏览器语音")
		return
	}
	if err != nil {
		if r.Context().Err() == nil {
			h.log.Warn("kioskweb: speech synthesis failed; the page speaks with the browser's voice", "err", err)
		}
		writeError(w, http.StatusServiceUnavailable, "unavailable", "语音合成失败")
		return
	}
	w.Header().Set("Content-Type", "audio/wav")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(wav)
}
