package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"yiting/kiosk/idcard"
)

// TestCasesPageServed: the real binary serves /dashboard/cases from its
// case book. A supervisor registers a petition and puts it under red
// supervision through the API; the page lists it with the masked name
// only, and refuses a display's and a kiosk's token and no token.
func TestCasesPageServed(t *testing.T) {
	const adminPW = "cases-page-admin-pw"
	srv := startServer(t, []string{"YITING_ADMIN_PASSWORD=" + adminPW}, "-data", t.TempDir(), "-addr", "127.0.0.1:0", "-log-level", "warn")
	admin := newHallClient(t, srv.url, "admin", adminPW)
	admin.do("POST", "/api/v1/admin/users", map[string]any{"name": "boss", "display_name": "督导", "role": "supervisor",
		"password": "boss-password-1"}, nil)
	display, _ := admin.token("display", "大厅显示屏", "")
	kiosk, _ := admin.token("kiosk", "自助取号机", "")
	boss := newHallClient(t, srv.url, "boss", "boss-password-1")

	// An invented party with a valid check character (MOD 11-2).
	const body17, name = "42122419700315123", "欧阳青山"
	check, err := idcard.CheckChar(body17)
	if err != nil {
		t.Fatal(err)
	}
	idNumber := body17 + string(check)
	var reg struct {
		Case struct {
			Code string `json:"code"`
		} `json:"case"`
	}
	boss.do("POST", "/api/v1/cases", map[string]any{"service": "petition",
		"persons": []map[string]string{{"id_number": idNumber, "name": name}}}, &reg)
	code := reg.Case.Code
	if code == "" {
		t.Fatal("no case code")
	}
	boss.do("POST", "/api/v1/cases/"+code+"/supervisions", map[string]string{"level": "red", "reason": "群众反映久拖不决"}, nil)

	get := func(secret string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.url+"/dashboard/cases", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := (&http.Transport{}).RoundTrip(req) // no redirects followed
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, body := get(boss.c.token)
	if status != http.StatusOK {
		t.Fatalf("supervisor: status %d: %.300s", status, body)
	}
	i := strings.Index(body, `<tr data-code="`+code+`"`)
	if i < 0 {
		t.Fatalf("the supervised case %s is not listed", code)
	}
	row := body[i : i+strings.Index(body[i:], "</tr>")]
	for _, want := range []string{"信访接待", "notice-red", "红色督办", "欧**山", "受理期限"} {
		if !strings.Contains(row, want) {
			t.Errorf("row lacks %q: %s", want, row)
		}
	}
	if strings.Contains(body, name) || strings.Contains(body, idNumber) || strings.Contains(body, idNumber[6:14]) {
		t.Error("the page shows the full name or the ID number")
	}
	for name, secret := range map[string]string{"display": display, "kiosk": kiosk, "no": ""} {
		status, body := get(secret)
		if status != http.StatusSeeOther || strings.Contains(body, code) {
			t.Errorf("%s token: status %d, want 303 to the login and no case", name, status)
		}
	}
}
