package idcard

import "fmt"

// Nation is an ethnic group code of GB 3304 (01 汉 … 56 基诺), plus 97 其他
// and 98 外国血统中国籍人士 used by vendor code. Zero means the card has no
// nation field (residence permits, foreign cards).
type Nation uint8

// Name returns the nation's name, e.g. "汉" for 1, or "" for an unknown code.
// The list is docs/idcard-protocol.md's; public code has typos (僳僳, 毛难,
// 崩龙, 德昴, 57/58 for 97/98).
func (n Nation) Name() string {
	switch n {
	case 1:
		return "汉"
	case 2:
		return "蒙古"
	case 3:
		return "回"
	case 4:
		return "藏"
	case 5:
		return "维吾尔"
	case 6:
		return "苗"
	case 7:
		return "彝"
	case 8:
		return "壮"
	case 9:
		return "布依"
	case 10:
		return "朝鲜"
	case 11:
		return "满"
	case 12:
		return "侗"
	case 13:
		return "瑶"
	case 14:
		return "白"
	case 15:
		return "土家"
	case 16:
		return "哈尼"
	case 17:
		return "哈萨克"
	case 18:
		return "傣"
	case 19:
		return "黎"
	case 20:
		return "傈僳"
	case 21:
		return "佤"
	case 22:
		return "畲"
	case 23:
		return "高山"
	case 24:
		return "拉祜"
	case 25:
		return "水"
	case 26:
		return "东乡"
	case 27:
		return "纳西"
	case 28:
		return "景颇"
	case 29:
		return "柯尔克孜"
	case 30:
		return "土"
	case 31:
		return "达斡尔"
	case 32:
		return "仫佬"
	case 33:
		return "羌"
	case 34:
		return "布朗"
	case 35:
		return "撒拉"
	case 36:
		return "毛南"
	case 37:
		return "仡佬"
	case 38:
		return "锡伯"
	case 39:
		return "阿昌"
	case 40:
		return "普米"
	case 41:
		return "塔吉克"
	case 42:
		return "怒"
	case 43:
		return "乌孜别克"
	case 44:
		return "俄罗斯"
	case 45:
		return "鄂温克"
	case 46:
		return "德昂"
	case 47:
		return "保安"
	case 48:
		return "裕固"
	case 49:
		return "京"
	case 50:
		return "塔塔尔"
	case 51:
		return "独龙"
	case 52:
		return "鄂伦春"
	case 53:
		return "赫哲"
	case 54:
		return "门巴"
	case 55:
		return "珞巴"
	case 56:
		return "基诺"
	case 97:
		return "其他"
	case 98:
		return "外国血统中国籍人士"
	}
	return ""
}

// Code returns the two-digit code as printed in the text block, "01" for 汉,
// or "" for zero.
func (n Nation) Code() string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%02d", uint8(n))
}

// String returns the name, or the code when the name is unknown.
func (n Nation) String() string {
	if name := n.Name(); name != "" {
		return name
	}
	return n.Code()
}

// Sex is a sex code of GB/T 2261.1 as the card carries it.
type Sex uint8

// The sex codes.
const (
	SexUnknown     Sex = 0 // 未知的性别
	SexMale        Sex = 1 // 男
	SexFemale      Sex = 2 // 女
	SexUnspecified Sex = 9 // 未说明的性别
)

// Code returns the one-digit code, "1" for male.
func (s Sex) Code() string { return fmt.Sprintf("%d", uint8(s)) }

// String returns the name shown to people: 男, 女, 未知 or 未说明.
func (s Sex) String() string {
	switch s {
	case SexMale:
		return "男"
	case SexFemale:
		return "女"
	case SexUnknown:
		return "未知"
	case SexUnspecified:
		return "未说明"
	}
	return s.Code()
}
