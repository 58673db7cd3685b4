package kiosk

// What the kiosk says, in the visitor's language. Few words, each line
// something to do: the visitor may be elderly and may read little.
const (
	MsgIdle        = "请选择要办理的事项"
	MsgWaitCard    = "请将身份证放在感应区"
	MsgReading     = "正在读取身份证，请不要移动"
	MsgChoose      = "您好！请选择要办理的事项"
	MsgIssuing     = "正在取号，请稍候"
	MsgMaintenance = "系统维护中，请稍候"
	MsgPrinting    = "正在打印，请稍候"
	MsgTakeTicket  = "请取走凭条，留意叫号"
	MsgNotPrinted  = "凭条暂时无法打印，请记住您的号码，工作人员会为您补打"

	MsgUnreadable    = "请重新放置身份证"
	MsgExpired       = "您的身份证已过期，请到服务台由工作人员协助取号"
	MsgReaderOffline = "读卡器暂不可用，请到服务台由工作人员协助取号"
	MsgHallDown      = "暂时无法取号，请稍后再试，或到服务台由工作人员协助"
	MsgRefused       = "取号未成功，请到服务台由工作人员协助"

	// A group visit (集体访): the representatives tap their cards.
	MsgGroupNext      = "请第%d位代表放置身份证"
	MsgGroupOrFinish  = "，全部放置后请按“完成”"
	MsgGroupDone      = "已放置5位代表的身份证，请按“完成”取号"
	MsgGroupFull      = "集体访最多推选5名代表（《信访工作条例》第二十条），请按“完成”取号"
	MsgGroupDuplicate = "这张身份证已经放置过，请第%d位代表放置身份证"
	MsgGroupExpired   = "这张身份证已过期，请第%d位代表放置有效身份证"

	// NoCardHelp is what a visitor without an ID card is told: staff
	// issue the ticket at the service desk from their console.
	NoCardHelp = "无身份证请到服务台由工作人员协助取号"
	// FirstVisitNote prefixes the counter a returning visitor is routed
	// back to (首访负责制): "首访负责：请到3号窗口".
	FirstVisitNote = "首访负责：请到"
	// AppointmentNote prefixes an appointment ticket's booked time
	// ("预约时间 10:00，请到医患纠纷调解室"): it is called then, before walk-ins.
	AppointmentNote = "预约时间 "
	// Footer is printed at the bottom of every ticket.
	Footer = "请留意叫号，过号请重新取号"
)

// Error codes of ErrorView.Code.
const (
	ErrCodeUnreadable    = "card_unreadable"
	ErrCodeExpired       = "card_expired"
	ErrCodeReaderOffline = "reader_offline"
	ErrCodeHallDown      = "hall_unreachable"
	ErrCodeRefused       = "issue_refused"
	ErrCodeNoCase        = "no_case"       // 查询进度: no case for that code and digits
	ErrCodeInquiryLimit  = "inquiry_limit" // 查询进度: the device asked too fast
)
