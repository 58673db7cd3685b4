package cases

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	_ "image/jpeg" // the photos a phone sends
	_ "image/png"
	"net/http"
	"strings"
	"time"

	"yiting/queue"
)

// The visitor's channel (the inquiry page as the county platforms' 民声码
// are): the holder of a case's inquiry token may add supplementary
// material — text and photos — and ask a question; the handlers see both
// on the case page and answer there, and the visitor sees the answers.
// Photos are for the handlers only: the page never shows them back.

// MessageKind is what a message is.
type MessageKind string

// Message kinds.
const (
	MessageQuestion MessageKind = "question" // the visitor asks
	MessageMaterial MessageKind = "material" // the visitor adds material
	MessageAnswer   MessageKind = "answer"   // a handler answers a question
)

// Limits of the visitor's channel: what one phone may send about one
// case. They are counted from the case itself, so they hold across
// restarts.
const (
	maxMessageRunes  = 2000
	maxPhotosMessage = 3
	maxPhotoBytes    = 5 << 20 // a phone's photo as taken
	maxCaseFiles     = 20
	visitorDaily     = 5  // messages a day
	visitorTotal     = 50 // messages a case
)

// FileRef is a stored photo of a message: its name (for CaseFile), its
// type by content, its size and SHA-256.
type FileRef struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Size   int    `json:"size"`
	SHA256 string `json:"sha256"`
}

// Message is one message of the visitor's channel.
type Message struct {
	ID      int         `json:"id"`
	Kind    MessageKind `json:"kind"`
	At      time.Time   `json:"at"`
	From    string      `json:"from"` // "visitor" or the handler's account
	Text    string      `json:"text,omitempty"`
	Files   []FileRef   `json:"files,omitempty"`
	ReplyTo int         `json:"reply_to,omitempty"` // an answer's question
}

// PublicMessage is a message as the visitor sees it: no photos.
type PublicMessage struct {
	Kind    MessageKind `json:"kind"`
	At      time.Time   `json:"at"`
	Text    string      `json:"text"`
	Photos  int         `json:"photos,omitempty"`
	Answers []string    `json:"answers,omitempty"` // of a question
}

// File is a photo to store with a write (Write.Files).
type File struct {
	Name string
	Data []byte
}

// checkPhoto accepts a JPEG or PNG that decodes as one, within the size.
func checkPhoto(i int, b []byte) (string, error) {
	n := i + 1
	if len(b) == 0 || len(b) > maxPhotoBytes {
		return "", queue.Errorf(queue.EINVALID, "第%d张照片应不超过%dMB (photo %d: at most %d bytes)", n, maxPhotoBytes>>20, n, maxPhotoBytes)
	}
	typ := http.DetectContentType(b)
	if typ != "image/jpeg" && typ != "image/png" {
		return "", queue.Errorf(queue.EINVALID, "第%d张不是JPEG或PNG照片 (photo %d is %s)", n, n, typ)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil || "image/"+format != typ || cfg.Width < 1 || cfg.Height < 1 || cfg.Width > 10000 || cfg.Height > 10000 {
		return "", queue.Errorf(queue.EINVALID, "第%d张照片无法识别 (photo %d does not decode)", n, n)
	}
	return typ, nil
}

// Tell takes a question or supplementary material from the holder of the
// inquiry token, with up to three photos (material only).
func (b *Book) Tell(ctx context.Context, token string, kind MessageKind, text string, photos [][]byte) (PublicView, error) {
	text = strings.TrimSpace(text)
	switch kind {
	case MessageQuestion:
		if len(photos) > 0 {
			return PublicView{}, queue.Errorf(queue.EINVALID, "提问不能附照片，请用“补充材料” (a question takes no photos)")
		}
		if text == "" {
			return PublicView{}, queue.Errorf(queue.EINVALID, "请填写您的问题 (text is required)")
		}
	case MessageMaterial:
		if text == "" && len(photos) == 0 {
			return PublicView{}, queue.Errorf(queue.EINVALID, "请填写补充说明或选择照片 (text or photos required)")
		}
	default:
		return PublicView{}, queue.Errorf(queue.EINVALID, "kind must be question or material")
	}
	if err := checkText("text", text, maxMessageRunes); err != nil {
		return PublicView{}, err
	}
	if len(photos) > maxPhotosMessage {
		return PublicView{}, queue.Errorf(queue.EINVALID, "每次最多%d张照片 (at most %d photos)", maxPhotosMessage, maxPhotosMessage)
	}
	types := make([]string, len(photos))
	for i, ph := range photos {
		var err error
		if types[i], err = checkPhoto(i, ph); err != nil {
			return PublicView{}, err
		}
	}
	found, err := b.store.CaseByToken(ctx, TokenHash(token))
	if err != nil {
		return PublicView{}, err
	}
	c, err := b.change(ctx, found.Code, func(c *Case, w *Write, now time.Time) error {
		if !c.Anonymised.IsZero() {
			return queue.Errorf(queue.ECONFLICT, "该事项的记录已匿名化 (anonymised)")
		}
		today, n, files := DateOf(now, b.hall.Location), 0, 0
		for _, m := range c.Messages {
			files += len(m.Files)
			if m.From == "visitor" && DateOf(m.At, b.hall.Location) == today {
				n++
			}
		}
		switch {
		case n >= visitorDaily:
			return queue.Errorf(queue.ETOOMANY, "今天已提交%d次，请明天再提交或到窗口咨询 (at most %d a day)", visitorDaily, visitorDaily)
		case c.visitorMessages() >= visitorTotal:
			return queue.Errorf(queue.ETOOMANY, "本事项的留言已达%d条，请到窗口咨询 (at most %d)", visitorTotal, visitorTotal)
		case files+len(photos) > maxCaseFiles:
			return queue.Errorf(queue.ETOOMANY, "本事项的照片已达%d张上限，请到窗口提交材料 (at most %d photos a case)", maxCaseFiles, maxCaseFiles)
		}
		m := Message{ID: len(c.Messages) + 1, Kind: kind, At: now, From: "visitor", Text: text}
		for i, ph := range photos {
			sum := sha256.Sum256(ph)
			name := fmt.Sprintf("%d-%d", m.ID, i+1)
			m.Files = append(m.Files, FileRef{Name: name, Type: types[i], Size: len(ph), SHA256: hex.EncodeToString(sum[:])})
			w.Files = append(w.Files, File{Name: name, Data: ph})
		}
		c.Messages = append(c.Messages, m)
		step := c.step(now, StepMessage, "visitor", string(kind))
		step.Persons = len(photos) // the event says how many photos, nothing of them
		return nil
	})
	if err != nil {
		return PublicView{}, err
	}
	return b.publicView(c), nil
}

func (c *Case) visitorMessages() int {
	n := 0
	for _, m := range c.Messages {
		if m.From == "visitor" {
			n++
		}
	}
	return n
}

// Answer answers a visitor's question on the case page: its handlers and
// supervisors.
func (b *Book) Answer(ctx context.Context, p queue.Principal, code string, question int, text string) (View, error) {
	text, err := needText("text", "答复内容", text, maxMessageRunes)
	if err != nil {
		return View{}, err
	}
	c, err := b.handled(ctx, p, code, func(c *Case, now time.Time) error {
		if question < 1 || question > len(c.Messages) || c.Messages[question-1].Kind != MessageQuestion {
			return queue.Errorf(queue.ENOTFOUND, "没有第%d号提问 (no such question)", question)
		}
		c.Messages = append(c.Messages, Message{ID: len(c.Messages) + 1, Kind: MessageAnswer, At: now, From: p.Actor(), Text: text, ReplyTo: question})
		c.step(now, StepAnswered, p.Actor(), "")
		return nil
	})
	return b.out(ctx, c, err)
}

// CaseFile returns a photo of the case's messages, with its type, for
// those who may see the case.
func (b *Book) CaseFile(ctx context.Context, p queue.Principal, code, name string) (string, []byte, error) {
	c, err := b.load(ctx, code)
	if err != nil {
		return "", nil, err
	}
	if err := b.checkSee(p, c); err != nil {
		return "", nil, err
	}
	for _, m := range c.Messages {
		for _, f := range m.Files {
			if f.Name == name {
				data, err := b.store.CaseFile(ctx, c.Code, name)
				return f.Type, data, err
			}
		}
	}
	return "", nil, queue.Errorf(queue.ENOTFOUND, "没有这个附件 (no such file)")
}

// publicMessages are the visitor's messages with the answers to them.
func publicMessages(c *Case) []PublicMessage {
	var out []PublicMessage
	at := map[int]int{} // question id → index in out
	for _, m := range c.Messages {
		switch m.Kind {
		case MessageQuestion, MessageMaterial:
			at[m.ID] = len(out)
			out = append(out, PublicMessage{Kind: m.Kind, At: m.At, Text: m.Text, Photos: len(m.Files)})
		case MessageAnswer:
			if i, ok := at[m.ReplyTo]; ok {
				out[i].Answers = append(out[i].Answers, m.Text)
			}
		}
	}
	return out
}
