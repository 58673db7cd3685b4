package cases_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"yiting/queue"
	"yiting/queue/cases"
	"yiting/queue/queuetest"
)

func photo(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(1, 1, color.RGBA{200, 0, 0, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The visitor asks and adds material from the inquiry page; handlers see
// the photos and answer; the visitor sees the answer, never the photos;
// the channel is limited per day and per case, and photos are checked by
// their content.
func TestVisitorChannel(t *testing.T) {
	f := newFixture(t)
	r := f.register("petition", synthPerson(1))
	code, token := r.Case.Code, r.URL[strings.LastIndex(r.URL, "/")+1:]

	_, err := f.book.Tell(ctx, token, cases.MessageMaterial, "", [][]byte{[]byte("GIF89a not really")})
	wantCode(t, err, queue.EINVALID, "JPEG或PNG")
	fake := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 64)...)
	_, err = f.book.Tell(ctx, token, cases.MessageMaterial, "", [][]byte{fake})
	wantCode(t, err, queue.EINVALID, "无法识别")
	_, err = f.book.Tell(ctx, token, cases.MessageMaterial, "x", [][]byte{photo(t, 4, 4), photo(t, 4, 4), photo(t, 4, 4), photo(t, 4, 4)})
	wantCode(t, err, queue.EINVALID, "最多3张")
	_, err = f.book.Tell(ctx, token, cases.MessageQuestion, "x", [][]byte{photo(t, 4, 4)})
	wantCode(t, err, queue.EINVALID)
	_, err = f.book.Tell(ctx, "AAAAAAAAAAAAAAAAAAAAAA", cases.MessageQuestion, "x", nil)
	wantCode(t, err, queue.ENOTFOUND)

	pv := must[cases.PublicView](t)(f.book.Tell(ctx, token, cases.MessageMaterial, "补充：现场照片", [][]byte{photo(t, 8, 6)}))
	if len(pv.Messages) != 1 || pv.Messages[0].Photos != 1 || !pv.CanTell {
		t.Fatalf("after the material: %+v", pv.Messages)
	}
	must[cases.PublicView](t)(f.book.Tell(ctx, token, cases.MessageQuestion, "什么时候能办好？", nil))

	v := must[cases.View](t)(f.book.Case(ctx, boss, code))
	if len(v.Messages) != 2 || len(v.Messages[0].Files) != 1 || v.Messages[0].Files[0].Type != "image/png" {
		t.Fatalf("the handlers see: %+v", v.Messages)
	}
	typ, data, err := f.book.CaseFile(ctx, boss, code, v.Messages[0].Files[0].Name)
	if err != nil || typ != "image/png" || !bytes.Equal(data, photo(t, 8, 6)) {
		t.Fatalf("the photo: %s %d bytes %v", typ, len(data), err)
	}
	_, _, err = f.book.CaseFile(ctx, clerk11, code, v.Messages[0].Files[0].Name)
	wantCode(t, err, queue.EFORBIDDEN)
	_, _, err = f.book.CaseFile(ctx, boss, code, "9-9")
	wantCode(t, err, queue.ENOTFOUND)

	_, err = f.book.Answer(ctx, boss, code, 1, "x") // the material, not a question
	wantCode(t, err, queue.ENOTFOUND)
	_, err = f.book.Answer(ctx, clerk11, code, 2, "x")
	wantCode(t, err, queue.EFORBIDDEN)
	must[cases.View](t)(f.book.Answer(ctx, clerk1, code, 2, "预计下周五前答复您"))
	pv = must[cases.PublicView](t)(f.book.Inquire(ctx, token))
	if len(pv.Messages) != 2 || len(pv.Messages[1].Answers) != 1 || pv.Messages[1].Answers[0] != "预计下周五前答复您" {
		t.Errorf("the visitor sees: %+v", pv.Messages)
	}

	// Five a day: three more today, then refused; tomorrow again.
	for i := range 3 {
		must[cases.PublicView](t)(f.book.Tell(ctx, token, cases.MessageQuestion, fmt.Sprint("再问", i), nil))
	}
	_, err = f.book.Tell(ctx, token, cases.MessageQuestion, "第六条", nil)
	wantCode(t, err, queue.ETOOMANY, "明天")
	f.clock.Set(time.Date(2026, 11, 27, 9, 0, 0, 0, queuetest.Shanghai(t)))
	must[cases.PublicView](t)(f.book.Tell(ctx, token, cases.MessageQuestion, "第二天", nil))

	// The events say a message came and how many photos, never its text.
	evs, _ := f.store.Events(ctx, 0, 1000)
	for _, e := range evs {
		if raw := fmt.Sprintf("%+v", e.Case); strings.Contains(raw, "现场照片") || strings.Contains(raw, "什么时候") {
			t.Errorf("an event carries the visitor's words: %s", raw)
		}
	}
}
