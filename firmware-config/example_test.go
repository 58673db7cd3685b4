package hallconfig_test

import (
	"errors"
	"fmt"
	"path/filepath"

	hallconfig "yiting/firmware-config"
)

// An installer's file for a small township centre (testdata/small-hall.toml):
// two services, two windows, a real card reader and printer, two buttons.
// Everything it leaves out takes the default.
func ExampleLoad() {
	c, err := hallconfig.Load(filepath.Join("testdata", "small-hall.toml"))
	if err != nil {
		fmt.Println(err)
		return
	}
	h := c.Hall
	fmt.Println(h.Name, h.RegionCode, h.Location)
	for _, s := range h.Services {
		fmt.Printf("service %s %s prefix %s, ID card %v\n", s.ID, s.Name, s.Prefix, s.NeedsID)
	}
	for _, ct := range h.Counters {
		fmt.Printf("counter %s %s serves %v\n", ct.ID, ct.Name, ct.Services)
	}
	fmt.Println("reader", c.Devices.Reader, c.Devices.ReaderBaud, "printer", c.Devices.Printer, c.Devices.PrinterProfile)
	fmt.Println("buttons", c.Devices.Buttons)
	fmt.Println("recall limit", h.RecallLimit, "ratio", h.Priority.Ratio, "aging", h.Priority.AgingAfter)
	// Output:
	// 通山县南林桥镇综治中心 421224 Asia/Shanghai
	// service petition 信访接待 prefix A, ID card true
	// service consult 咨询 prefix C, ID card false
	// counter win-1 1号窗口 serves [{petition 2} {consult 1}]
	// counter win-2 2号窗口 serves [{consult 1}]
	// reader /dev/ttyUSB0 115200 printer /dev/usb/lp0 58mm
	// buttons map[GPIO5:consult GPIO6:petition]
	// recall limit 3 ratio 3 aging 30m0s
}

// A mistake in the file stops start-up with the file, line, field and
// problem; programs inspect it as an *Error.
func ExampleParse_error() {
	doc := []byte(`name = "测试中心"
region_code = "421224"

[[services]]
id = "consult"
name = "咨询"
prefix = "AA"
category = "other"
needs_id_card = false

[[counters]]
id = "w1"
name = "1号窗口"
kind = "window"
services = ["consult"]
`)
	_, err := hallconfig.Parse("/etc/yiting/hall.toml", doc)
	fmt.Println(err)
	var e *hallconfig.Error
	if errors.As(err, &e) {
		fmt.Println(e.Line, e.Field)
	}
	// Output:
	// firmware-config: /etc/yiting/hall.toml:7:1: services[0].prefix: "AA" must be one capital letter A-Z
	// 7 services[0].prefix
}

// A [cases] section overrides the statutory time limits where a local
// rule differs; what it leaves out keeps the default.
func ExampleParse_cases() {
	doc := []byte(`name = "测试中心"
region_code = "421224"

[[services]]
id = "petition"
name = "信访接待"
prefix = "A"
category = "petition"
needs_id_card = true
case_type = "petition"

[[counters]]
id = "w1"
name = "1号窗口"
kind = "window"
services = ["petition"]

[cases]
rectify_within = "5 working days"

[cases.limits."petition"]
handle = "30 days"
source = "本县规定（示例）"
`)
	c, err := hallconfig.Parse("hall.toml", doc)
	if err != nil {
		fmt.Println(err)
		return
	}
	p := c.Cases.Limits["petition"]
	fmt.Println("accept", p.Accept, "handle", p.Handle, "extension", p.Extension, "from acceptance", p.HandleFromAccept, p.Source)
	fmt.Println("review", c.Cases.Limits["petition.review"].Handle)
	fmt.Println("rectify within", c.Cases.RectifyWithin, "retention", c.Cases.RetentionYears, "years")
	// Output:
	// accept 15日 handle 30日 extension 30日 from acceptance true 本县规定（示例）
	// review 30日
	// rectify within 5个工作日 retention 5 years
}
