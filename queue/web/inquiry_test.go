package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"yiting/queue/cases"
	"yiting/queue/personal"
	"yiting/queue/web"
)

// inquire runs the inquiry handler for a client address.
func inquire(h http.Handler, method, path, ip string, form url.Values, hdr ...string) *httptest.ResponseRecorder {
	var r *http.Request
	if form != nil {
		r = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, path, nil)
	}
	r.RemoteAddr = ip + ":40000"
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestInquiryPage: the QR's page shows the matter's state to anyone with
// the token and nothing personal but a masked name; wrong tokens are 404
// and a client that keeps guessing is refused with 429 for a while; the
// result is rated once, after closing; cross-site posts are refused.
func TestInquiryPage(t *testing.T) {
	f := newCaseFixture(t)
	ctx := context.Background()
	p := synthPerson(5)
	r, err := f.book.Register(ctx, boss, cases.RegisterRequest{ServiceID: "petition", Persons: []cases.Person{p}, Summary: "要求处理", IdempotencyKey: "t1"})
	if err != nil {
		t.Fatal(err)
	}
	path := strings.TrimPrefix(r.URL, "http://yiting.local")
	ok := func(_ cases.View, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	h := f.pages.Inquiry(web.InquiryOptions{Guesses: 5, Window: time.Minute})

	w := inquire(h, "GET", path, "192.0.2.10", nil)
	body := w.Body.String()
	if w.Code != http.StatusOK || !strings.Contains(body, r.Case.Code) || !strings.Contains(body, "已登记") ||
		!strings.Contains(body, personal.MaskName(p.Name)) || !strings.Contains(body, "2026-11-17") { // accepted within 15 days of Mon 2026-11-02
		t.Fatalf("page %d:\n%s", w.Code, body)
	}
	for _, secret := range []string{p.Name, p.IDNumber, p.Phone, "要求处理"} {
		if strings.Contains(body, secret) {
			t.Fatalf("the page shows %q", secret)
		}
	}
	if w.Header().Get("Referrer-Policy") != "no-referrer" || w.Header().Get("Cache-Control") != "no-store" || strings.Contains(body, "<form") {
		t.Fatalf("headers %v, or a rating form before closing", w.Header())
	}
	// The page never reloads under the visitor (WCAG 2.2.1: a timed
	// refresh moves a screen reader's place; axe-core's meta-refresh): an
	// open case's page offers a refresh link instead.
	if strings.Contains(body, `http-equiv="refresh"`) || !strings.Contains(body, `href="`+path+`">刷新办理进度`) {
		t.Fatal("an open case's page reloads itself, or has no refresh link")
	}
	// Guessing: 4 wrong tokens are 404; the 5th too, and from then on the
	// client is refused, even with the right token; others are not.
	token := strings.TrimPrefix(path, "/c/")
	for i := range 5 {
		wrong := "/c/" + token[:20] + fmt.Sprintf("%02d", i)
		if w := inquire(h, "GET", wrong, "198.51.100.7", nil); w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "未找到") {
			t.Fatalf("wrong token %d: %d", i, w.Code)
		}
	}
	w = inquire(h, "GET", path, "198.51.100.7", nil)
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "60" {
		t.Fatalf("after 5 guesses: %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
	if w := inquire(h, "GET", path, "192.0.2.10", nil); w.Code != http.StatusOK {
		t.Fatalf("another client refused: %d", w.Code)
	}
	f.clock.Advance(time.Minute)
	if w := inquire(h, "GET", path, "198.51.100.7", nil); w.Code != http.StatusOK {
		t.Fatalf("after the window: %d", w.Code)
	}
	if w := inquire(h, "GET", "/c/"+token+"/x", "192.0.2.10", nil); w.Code != http.StatusNotFound {
		t.Fatalf("a sub-path: %d", w.Code)
	}

	// Rating: refused before closing (the page says why), once after.
	yes := url.Values{"satisfied": {"1"}}
	w = inquire(h, "POST", path, "192.0.2.10", yes)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "办结终结后才能评价") {
		t.Fatalf("early rating %d: %s", w.Code, w.Body)
	}
	code := r.Case.Code
	ok(f.book.Receive(ctx, clerk1, code, "w1"))
	ok(f.book.Route(ctx, clerk1, code, cases.RouteTo{Kind: cases.RouteCounter, CounterID: "w1"}))
	if w := inquire(h, "GET", path, "192.0.2.10", nil); !strings.Contains(w.Body.String(), "1号窗口") {
		t.Fatalf("the window to contact is not shown:\n%s", w.Body)
	}
	ok(f.book.StartHandling(ctx, clerk1, code))
	ok(f.book.Conclude(ctx, clerk1, code, cases.Result{Outcome: cases.OutcomeAnswered}))
	ok(f.book.Close(ctx, clerk1, code, cases.CloseRequest{Note: "已回访"}))
	if w := inquire(h, "GET", path, "192.0.2.10", nil); !strings.Contains(w.Body.String(), `name="satisfied"`) || strings.Contains(w.Body.String(), `http-equiv="refresh"`) {
		t.Fatal("no rating form after closing, or a page that reloads under the visitor's thumb")
	}
	if w := inquire(h, "POST", path, "192.0.2.10", yes, "Sec-Fetch-Site", "cross-site"); w.Code != http.StatusForbidden {
		t.Fatalf("cross-site rating: %d", w.Code)
	}
	if w := inquire(h, "POST", path, "192.0.2.10", url.Values{"satisfied": {"maybe"}}); w.Code != http.StatusBadRequest {
		t.Fatalf("bad value: %d", w.Code)
	}
	w = inquire(h, "POST", path, "192.0.2.10", yes)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "感谢您的评价") || strings.Contains(w.Body.String(), `name="satisfied"`) {
		t.Fatalf("rating %d: %s", w.Code, w.Body)
	}
	if w := inquire(h, "POST", path, "192.0.2.10", url.Values{"satisfied": {"0"}}); !strings.Contains(w.Body.String(), "只评一次") {
		t.Fatal("rated twice")
	}
	got, err := f.book.Case(ctx, boss, code)
	if err != nil || got.Satisfaction == nil || !got.Satisfaction.Satisfied {
		t.Fatalf("satisfaction %+v %v", got.Satisfaction, err)
	}
}

// tell posts the inquiry page's message form: multipart, with photos.
func tell(t *testing.T, h http.Handler, path, kind, text string, photos [][]byte, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("kind", kind)
	mw.WriteField("text", text)
	for i, ph := range photos {
		fw, _ := mw.CreateFormFile("photo", fmt.Sprintf("p%d.png", i))
		fw.Write(ph)
	}
	mw.Close()
	r := httptest.NewRequest("POST", path, &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.RemoteAddr = "192.0.2.20:40000"
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestInquiryMessages: the visitor asks and adds a photo from the phone;
// the page of the form does not reload itself; a file that is no photo is
// refused with why; a cross-site post is refused; the handlers answer.
func TestInquiryMessages(t *testing.T) {
	f := newCaseFixture(t)
	ctx := context.Background()
	r, err := f.book.Register(ctx, boss, cases.RegisterRequest{ServiceID: "petition", Persons: []cases.Person{synthPerson(6)}, IdempotencyKey: "m1"})
	if err != nil {
		t.Fatal(err)
	}
	path := strings.TrimPrefix(r.URL, "http://yiting.local")
	h := f.pages.Inquiry(web.InquiryOptions{})
	w := inquire(h, "GET", path+"?write=1", "192.0.2.20", nil)
	if b := w.Body.String(); !strings.Contains(b, `enctype="multipart/form-data"`) || strings.Contains(b, `http-equiv="refresh"`) {
		t.Fatalf("the form page: %.600s", b)
	}
	var pic bytes.Buffer
	png.Encode(&pic, image.NewGray(image.Rect(0, 0, 3, 3)))
	w = tell(t, h, path, "material", "现场照片", [][]byte{pic.Bytes()})
	if b := w.Body.String(); w.Code != http.StatusOK || !strings.Contains(b, "已提交") || !strings.Contains(b, "照片1张") {
		t.Fatalf("material: %d %.600s", w.Code, b)
	}
	w = tell(t, h, path, "material", "", [][]byte{[]byte("%PDF-1.4 not a photo")})
	if b := w.Body.String(); !strings.Contains(b, "不是JPEG或PNG") {
		t.Errorf("a PDF as a photo: %.400s", b)
	}
	w = tell(t, h, path, "question", "何时答复？", nil, "Origin", "http://evil.example", "Sec-Fetch-Site", "cross-site")
	if w.Code != http.StatusForbidden {
		t.Errorf("a cross-site message: %d", w.Code)
	}
	w = tell(t, h, path, "question", "何时答复？", nil)
	v, err := f.book.Case(ctx, boss, r.Case.Code)
	if err != nil || len(v.Messages) != 2 || v.Messages[1].Kind != cases.MessageQuestion {
		t.Fatalf("the case holds %+v %v", v.Messages, err)
	}
	if _, err := f.book.Answer(ctx, boss, r.Case.Code, 2, "三个工作日内"); err != nil {
		t.Fatal(err)
	}
	if b := inquire(h, "GET", path, "192.0.2.20", nil).Body.String(); !strings.Contains(b, "答复：三个工作日内") {
		t.Errorf("the answer is not on the page: %.600s", b)
	}
	// The handler's page shows the photo to the case's handlers only.
	wantStatus(t, f.get("/cases/"+r.Case.Code+"/files/"+v.Messages[0].Files[0].Name, secSuper), http.StatusOK)
	if w := f.get("/cases/"+r.Case.Code+"/files/"+v.Messages[0].Files[0].Name, secPad); w.Code != http.StatusSeeOther {
		t.Errorf("a pad's token gets the photo: %d", w.Code)
	}
}
