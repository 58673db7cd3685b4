package queuetest

import (
	"fmt"
	"time"

	"yiting/queue/cases"
)

// IDNumber is an invented resident ID number (GB 11643) of Tongshan
// (421224) with a valid MOD 11-2 check character: birth 1960-01-01 plus n
// days, sequence from n. None is a real person's; the check character is
// computed independently of the package's own code (weights of GB 11643).
func IDNumber(n int) string {
	birth := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n%20000)
	body := fmt.Sprintf("421224%s%03d", birth.Format("20060102"), n%1000)
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(body[i]-'0') * w
	}
	return body + string("10X98765432"[sum%11])
}

// Person is an invented party: IDNumber(n) and a name from a syllable
// table, an invented address and phone.
func Person(n int) cases.Person {
	surnames := []rune("王李张刘陈杨黄赵吴周")
	given := []string{"晓明", "建国", "秀英", "志强", "丽华", "春梅", "德胜", "桂兰", "文涛", "海燕"}
	return cases.Person{
		IDNumber: IDNumber(n),
		Name:     string(surnames[n%10]) + given[(n/10)%10] + string([]rune("一二三四五六七八九十")[(n/100)%10]),
		Address:  fmt.Sprintf("湖北省咸宁市通山县通羊镇测试路%d号", n+1),
		Phone:    fmt.Sprintf("139%08d", 10000000+n),
		CardType: "居民身份证",
	}
}
