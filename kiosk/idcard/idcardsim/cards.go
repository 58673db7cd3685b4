package idcardsim

import (
	"time"

	"yiting/kiosk/idcard"
)

// Labels of the ready cards.
const (
	LabelResident    = "resident"    // 王小明, 汉, Tongshan, valid to 2036
	LabelElderly     = "elderly"     // 张测试, born 1950, card valid 长期
	LabelExpired     = "expired"     // 刘测试, card expired in 2020
	LabelMinority    = "minority"    // 阿依古丽·测试, 维吾尔: a middle dot in the name
	LabelHKPermit    = "hk-permit"   // 陈测试, HK residence permit ('J')
	LabelForeign2017 = "foreign2017" // foreign permanent resident card, 2017 ('I')
	LabelForeign2023 = "foreign2023" // foreign permanent resident card, 2023 ('Y'), long English name
)

func date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, idcard.ChinaTime())
}

// Cards returns synthetic cards of every type: invented people whose ID
// numbers have correct MOD 11-2 check characters and real province codes
// (421224 is 通山县). None of them is a real person's. Each call returns
// fresh values the caller may change.
func Cards() []Card {
	return []Card{
		{Label: LabelResident, Identity: idcard.Identity{
			Type: idcard.CardResident, Name: "王小明", Sex: idcard.SexMale, Nation: 1,
			Birth:   date(1985, 6, 15),
			Address: "湖北省咸宁市通山县通羊镇测试路1号", Number: "421224198506150012",
			Authority: "通山县公安局", ValidFrom: date(2016, 3, 1), ValidTo: date(2036, 3, 1),
		}},
		{Label: LabelElderly, Identity: idcard.Identity{
			Type: idcard.CardResident, Name: "张测试", Sex: idcard.SexFemale, Nation: 1,
			Birth:   date(1950, 2, 10),
			Address: "湖北省咸宁市通山县九宫山镇示例村8组", Number: "421224195002100026",
			Authority: "通山县公安局", ValidFrom: date(2008, 5, 20), // ValidTo zero: 长期
		}, FingerprintLen: 1024},
		{Label: LabelExpired, Identity: idcard.Identity{
			Type: idcard.CardResident, Name: "刘测试", Sex: idcard.SexMale, Nation: 15,
			Birth:   date(1990, 9, 9),
			Address: "湖北省咸宁市通山县南林桥镇样例街20号", Number: "421224199009090033",
			Authority: "通山县公安局", ValidFrom: date(2010, 5, 1), ValidTo: date(2020, 5, 1),
		}},
		{Label: LabelMinority, Identity: idcard.Identity{
			Type: idcard.CardResident, Name: "阿依古丽·测试", Sex: idcard.SexFemale, Nation: 5,
			Birth:   date(2000, 1, 1),
			Address: "新疆乌鲁木齐市天山区示例路 3 号", Number: "650102200001010047",
			Authority: "乌鲁木齐市公安局天山区分局", ValidFrom: date(2024, 1, 5), ValidTo: date(2034, 1, 5),
		}, FingerprintLen: 512},
		{Label: LabelHKPermit, Identity: idcard.Identity{
			Type: idcard.CardHKMacauTaiwan, Name: "陈测试", Sex: idcard.SexMale,
			Birth:   date(1992, 11, 30),
			Address: "湖北省咸宁市咸安区示例大道100号", Number: "810000199211300057",
			Authority: "咸宁市公安局", ValidFrom: date(2025, 7, 1), ValidTo: date(2030, 7, 1),
			PassNumber: "H12345678", IssueCount: 1,
		}},
		{Label: LabelForeign2017, Identity: idcard.Identity{
			Type: idcard.CardForeign2017, EnglishName: "TESTER, JOHN MICHAEL", Name: "约翰测试",
			Sex: idcard.SexMale, Nationality: "CAN", Birth: date(1985, 6, 15),
			Number: "CAN110085061501", ValidFrom: date(2020, 1, 1), ValidTo: date(2030, 1, 1),
			CardVersion: "01", Authority: "1100",
		}},
		{Label: LabelForeign2023, Identity: idcard.Identity{
			Type: idcard.CardForeign2023, Name: "测试安娜", Sex: idcard.SexFemale,
			EnglishName: "TESTER-LONGNAME, ANNA MARIA ELIZABETH JO", // 40 characters: runs on at 220
			Nationality: "CAN", Birth: date(1979, 4, 21), Number: "933124197904210043",
			ValidFrom: date(2024, 3, 1), ValidTo: date(2034, 3, 1), IssueCount: 0,
		}},
	}
}

// CardByLabel returns the ready card with that label.
func CardByLabel(label string) (Card, bool) {
	for _, c := range Cards() {
		if c.Label == label {
			return c, true
		}
	}
	return Card{}, false
}
