package cases

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"yiting/queue"
	"yiting/queue/personal"
)

// MaxPersons is the most persons a petition made in person registers: a
// group that petitions in person (走访) chooses at most 5 representatives
// (信访工作条例 Art. 20 ¶3). The cap is of that rule only: a joint letter
// and a mediation between many parties register up to MaxParties, and a
// group's real size is kept apart (IssueRequest.GroupSize).
const MaxPersons = 5

// MaxParties bounds the parties of any other registration.
const MaxParties = 30

// partyCap is the most parties a registration of the type over the
// channel takes.
func partyCap(caseType string, ch Channel) int {
	if ch == ChannelInPerson && (caseType == "petition" || strings.HasPrefix(caseType, "petition.")) {
		return MaxPersons
	}
	return MaxParties
}

// Person is a party as the kiosk's card reader or a clerk gives it. It is
// sealed on registration and never stored in the clear.
type Person struct {
	IDNumber string // 18 characters (MOD 11-2 checked) or a permit number; may be empty for a phone or letter petition
	Name     string // required
	Address  string
	Phone    string
	CardType string    // e.g. "居民身份证"
	Birth    time.Time // from the card; else read from an 18-digit ID number; zero if unknown
}

// RegisterRequest registers a matter at a window or the desk that did not
// come with a ticket: a letter, a call, an online petition, a visitor a
// clerk registers (登记, 信访工作条例 Art. 19). Tickets register theirs
// through Issue (the desk).
type RegisterRequest struct {
	ServiceID string
	CaseType  string // "" = the service's case type
	Persons   []Person
	Channel   Channel // "" = in person
	Summary   string  // the request in brief (诉求); no personal data: it shows on staff screens
	// CounterID is the counter registering it, when a clerk does; the
	// case's unit is then that counter's.
	CounterID string
	// IdempotencyKey makes a retried request return the case the first
	// one registered; required, per registering principal.
	IdempotencyKey string
	// Major, if not empty, flags a major or urgent matter at once (Art.
	// 25) with this reason (FlagMajor).
	Major string
	// AccusedUnit and AccusedStaff name who an accusation accuses, so it
	// never reaches them (MarkAccusation).
	AccusedUnit, AccusedStaff string
}

// Registered is the answer to Register.
type Registered struct {
	Case     View
	URL      string // the inquiry page, for the QR code
	Replayed bool   // the key was seen before: this is the case registered then
}

// Register opens a case: it numbers it (一件一码), seals the persons'
// data, sets the deadlines of its type and returns the inquiry URL for the
// QR code. Staff and supervisors may register; devices register only
// through Issue, with the ticket.
//
// Errors: EFORBIDDEN for other principals; ENOTFOUND for an unknown
// service; EINVALID for a service that opens no case, no person or more
// than MaxPersons, an ID number with a wrong check character, a missing
// name or key; ECONFLICT when the day's 9999 codes are used up.
func (b *Book) Register(ctx context.Context, p queue.Principal, req RegisterRequest) (Registered, error) {
	if p.Role != queue.RoleStaff && p.Role != queue.RoleSupervisor {
		return Registered{}, queue.Errorf(queue.EFORBIDDEN, "只有工作人员可以登记案件 (staff only)")
	}
	sv, ok := b.hall.Service(req.ServiceID)
	if !ok {
		return Registered{}, queue.Errorf(queue.ENOTFOUND, "没有这项服务：%q (unknown service)", req.ServiceID)
	}
	caseType := req.CaseType
	if caseType == "" {
		caseType = sv.CaseType
	}
	if caseType == "" {
		return Registered{}, queue.Errorf(queue.EINVALID, "%s不登记案件 (this service opens no case)", sv.Name)
	}
	if req.Channel == "" {
		req.Channel = ChannelInPerson
	}
	if !validChannel(req.Channel) {
		return Registered{}, queue.Errorf(queue.EINVALID, "来访渠道无效：%q (channel must be in_person, letter, phone, online, grid, transfer or fax)", req.Channel)
	}
	if err := checkText("summary", req.Summary, 2000); err != nil {
		return Registered{}, err
	}
	req.Major = strings.TrimSpace(req.Major)
	if err := checkText("major", req.Major, 500); err != nil {
		return Registered{}, err
	}
	req.AccusedUnit, req.AccusedStaff = strings.TrimSpace(req.AccusedUnit), strings.TrimSpace(req.AccusedStaff)
	if err := checkText("accused_unit", req.AccusedUnit, 80); err != nil {
		return Registered{}, err
	}
	if err := checkText("accused_staff", req.AccusedStaff, 80); err != nil {
		return Registered{}, err
	}
	if err := checkKey(req.IdempotencyKey); err != nil {
		return Registered{}, err
	}
	persons, err := b.cleanPersons(req.Persons, partyCap(caseType, req.Channel))
	if err != nil {
		return Registered{}, err
	}
	unit := b.homeUnit(sv.ID)
	if req.CounterID != "" {
		c, ok := b.hall.Counter(req.CounterID)
		if !ok {
			return Registered{}, queue.Errorf(queue.ENOTFOUND, "没有这个窗口：%q (unknown counter)", req.CounterID)
		}
		if !p.CanOperate(c.ID) {
			return Registered{}, queue.Errorf(queue.EFORBIDDEN, "不能以%s的名义登记 (not your counter)", c.Name)
		}
		if c.Unit != "" {
			unit = c.Unit
		}
	}
	idem := hashKey(p.Actor() + "|" + req.IdempotencyKey)
	r, err := run(ctx, b, func(tx *queue.Tx) (Registered, error) {
		code, err := b.store.CodeByIdem(ctx, idem)
		if v, ok := tx.Pending(idemKey(idem)); ok {
			code = v.(string) // the same request, earlier in this batch
		}
		if err != nil {
			return Registered{}, err
		} else if code != "" {
			c, err := b.get(ctx, tx, code)
			if err != nil {
				return Registered{}, err
			}
			if c.ServiceID != sv.ID {
				return Registered{}, queue.Errorf(queue.ECONFLICT, "idempotency key reused for a different request")
			}
			url, err := b.urlOf(c)
			if err != nil {
				return Registered{}, err
			}
			return Registered{Case: b.view(c), URL: url, Replayed: true}, nil
		}
		c, token, err := b.open(ctx, tx, p, opening{service: sv, caseType: caseType, unit: unit, channel: req.Channel,
			summary: req.Summary, persons: persons, size: len(persons)})
		if err != nil {
			return Registered{}, err
		}
		if req.Major != "" {
			c.Major = &Flag{Reason: req.Major, At: tx.Now(), By: p.Actor()}
			c.step(tx.Now(), StepMajor, p.Actor(), "")
		}
		if req.AccusedUnit != "" || req.AccusedStaff != "" {
			c.Accused = &Accusation{Unit: req.AccusedUnit, Staff: req.AccusedStaff, At: tx.Now(), By: p.Actor()}
			if c.Unit == req.AccusedUnit {
				c.Unit = ""
			}
			c.step(tx.Now(), StepAccusation, p.Actor(), "")
		}
		b.save(tx, &Write{Case: c, New: true, IdemKey: idem})
		tx.Keep(idemKey(idem), c.Code)
		return Registered{Case: b.view(c), URL: b.InquiryURL(token)}, nil
	})
	if err != nil {
		return Registered{}, err
	}
	if !r.Replayed {
		b.log.Info("case registered", "case", r.Case.Code, "type", caseType, "persons", len(persons), "actor", p.Actor())
	}
	return r, nil
}

// opening is what a new case starts from.
type opening struct {
	service  queue.Service
	caseType string
	unit     string
	channel  Channel
	summary  string
	persons  []Person // cleaned: cleanPersons
	size     int      // persons who came (人次), ≥ 1
}

// open numbers and opens a case in the command's transaction, its persons
// sealed and its deadlines set; the caller saves it. It returns the
// inquiry token.
func (b *Book) open(ctx context.Context, tx *queue.Tx, p queue.Principal, o opening) (*Case, string, error) {
	now := tx.Now()
	day := DateOf(now, b.hall.Location)
	last, err := b.lastSeq(ctx, tx, day)
	if err != nil {
		return nil, "", err
	}
	if last >= MaxSeq {
		return nil, "", queue.Errorf(queue.ECONFLICT, "今日案件编号已用完（%d件）(the day's %d case codes are used up)", MaxSeq, MaxSeq)
	}
	tx.Keep(seqKey(day), last+1)
	region := b.hall.RegionCode
	if !ValidRegion(region) {
		region = "000000"
	}
	code := Code{Region: region, Day: day, Seq: last + 1}.String()
	token, tokenHash, err := newToken(b.rand)
	if err != nil {
		return nil, "", err
	}
	lim, limKey := b.limits.For(o.caseType)
	c := &Case{
		Code:         code,
		TokenHash:    tokenHash,
		SealedToken:  b.keys.Seal([]byte(token), label(code, -1, "token")),
		Type:         o.caseType,
		ServiceID:    o.service.ID,
		Unit:         o.unit,
		Channel:      o.channel,
		Summary:      strings.TrimSpace(o.summary),
		Status:       StatusRegistered,
		Registered:   now,
		RegisteredBy: p.Actor(),
		Day:          day,
		Limit:        lim,
		LimitKey:     limKey,
		AcceptDue:    b.cal().Due(day, lim.Accept),
	}
	if !lim.HandleFromAccept {
		c.HandleDue = b.cal().Due(day, lim.Handle)
	}
	for i, ps := range o.persons {
		c.Persons = append(c.Persons, b.seal(code, i, ps))
		if ps.IDNumber != "" {
			tx.Keep(visitorKey(c.Persons[i].VisitorKey), code)
		}
	}
	size := max(1, o.size)
	c.Visits = []Visit{{At: now, Persons: size}}
	st := c.step(now, StepRegistered, p.Actor(), fmt.Sprintf("%s，%d人", o.channel.Name(), size))
	st.Persons = size
	return c, token, nil
}

// seqKey, visitorKey and idemKey name what a batch keeps for its later
// commands: the last case sequence number of a day, a visitor's newest
// case, the case a registration's idempotency key made.
func seqKey(d Date) string       { return "case-seq " + d.String() }
func visitorKey(k string) string { return "case-visitor " + k }
func idemKey(k string) string    { return "case-idem " + k }

// lastSeq is the last sequence number of the day's case codes, counting
// the cases registered earlier in the same batch.
func (b *Book) lastSeq(ctx context.Context, tx *queue.Tx, day Date) (int, error) {
	if v, ok := tx.Pending(seqKey(day)); ok {
		return v.(int), nil
	}
	return b.store.LastSeq(ctx, day)
}

// cleanPersons checks the parties of a registration: at least one, at
// most MaxPersons, no one twice.
func (b *Book) cleanPersons(in []Person, most int) ([]Person, error) {
	if len(in) == 0 {
		return nil, queue.Errorf(queue.EINVALID, "请填写来访人 (at least one person is required)")
	}
	switch {
	case len(in) > most && most == MaxPersons:
		return nil, queue.Errorf(queue.EINVALID,
			"多人走访请推选代表，每次登记不超过%d人（《信访工作条例》第二十条），本次%d人 (a group petitioning in person sends at most %d representatives: 信访工作条例 Art. 20)",
			MaxPersons, len(in), MaxPersons)
	case len(in) > most:
		return nil, queue.Errorf(queue.EINVALID, "每件最多登记%d名当事人，本次%d人 (at most %d parties)", most, len(in), most)
	}
	persons := make([]Person, len(in))
	keys := map[string]bool{}
	for i, ps := range in {
		ps, err := CleanPerson(i, ps)
		if err != nil {
			return nil, err
		}
		if ps.IDNumber != "" {
			k := b.keys.VisitorKey(ps.IDNumber)
			if keys[k] {
				return nil, queue.Errorf(queue.EINVALID, "第%d位来访人与前面的人证件号码相同 (person %d is listed twice)", i+1, i+1)
			}
			keys[k] = true
		}
		persons[i] = ps
	}
	return persons, nil
}

func checkKey(k string) error {
	if k == "" || len(k) > 128 || !utf8.ValidString(k) {
		return queue.Errorf(queue.EINVALID, "idempotency key: required, at most 128 characters")
	}
	return nil
}

// label binds a sealed value to its case, party and field.
func label(code string, party int, field string) string {
	return fmt.Sprintf("yiting case %s party %d %s", code, party, field)
}

func (b *Book) seal(code string, i int, ps Person) Party {
	pt := Party{
		CardType:      ps.CardType,
		MaskedName:    personal.MaskName(ps.Name),
		MaskedID:      personal.MaskID(ps.IDNumber),
		MaskedAddress: personal.MaskAddress(ps.Address),
		MaskedPhone:   personal.MaskPhone(ps.Phone),
	}
	if ps.IDNumber != "" {
		pt.VisitorKey = b.keys.VisitorKey(ps.IDNumber)
	}
	sealIf := func(v, field string) []byte {
		if v == "" {
			return nil
		}
		return b.keys.Seal([]byte(v), label(code, i, field))
	}
	pt.SealedID = sealIf(ps.IDNumber, "id")
	pt.SealedName = sealIf(ps.Name, "name")
	pt.SealedAddress = sealIf(ps.Address, "address")
	pt.SealedPhone = sealIf(ps.Phone, "phone")
	return pt
}

// urlOf opens the sealed token of a case for a reprint of its QR code.
func (b *Book) urlOf(c *Case) (string, error) {
	if len(c.SealedToken) == 0 {
		return "", queue.Errorf(queue.ECONFLICT, "案件已匿名化，无法补打二维码 (case anonymised: no QR code)")
	}
	tok, err := b.keys.Open(c.SealedToken, label(c.Code, -1, "token"))
	if err != nil {
		return "", fmt.Errorf("cases: %s: inquiry token: %w", c.Code, err)
	}
	return b.InquiryURL(string(tok)), nil
}

// homeUnit is the unit of the counter that serves the service at the
// highest weight (the first such counter in the configuration).
func (b *Book) homeUnit(serviceID string) string {
	unit, best := "", 0
	for _, c := range b.hall.Counters {
		if w, ok := c.Serves(serviceID); ok && w > best && c.Unit != "" {
			unit, best = c.Unit, w
		}
	}
	return unit
}

// CleanPerson checks and trims the i-th person (0-based) of a request: a
// name, a checked ID or permit number if any, a phone of digits; the birth
// date read from the ID number. The appointment diary checks its visitors
// with it too.
func CleanPerson(i int, ps Person) (Person, error) {
	n := i + 1
	ps.Name = strings.TrimSpace(ps.Name)
	ps.IDNumber = personal.NormalizeID(ps.IDNumber)
	ps.Address = strings.TrimSpace(ps.Address)
	ps.Phone = strings.TrimSpace(ps.Phone)
	ps.CardType = strings.TrimSpace(ps.CardType)
	if ps.Name == "" {
		return ps, queue.Errorf(queue.EINVALID, "第%d位来访人缺少姓名 (person %d: name is required)", n, n)
	}
	if !personName(ps.Name) {
		return ps, queue.Errorf(queue.EINVALID, "第%d位来访人的姓名只能含文字、空格和“·” (person %d: a name has letters, spaces and middle dots only)", n, n)
	}
	for _, f := range []struct {
		v   string
		max int
	}{{ps.Name, 50}, {ps.Address, 200}, {ps.CardType, 40}} {
		if utf8.RuneCountInString(f.v) > f.max || !printable(f.v) {
			return ps, queue.Errorf(queue.EINVALID, "第%d位来访人的姓名、地址或证件类型过长或含控制字符 (person %d: a field is too long or has control characters)", n, n)
		}
	}
	if err := checkIDNumber(ps.IDNumber); err != nil {
		return ps, queue.Errorf(queue.EINVALID, "第%d位来访人的证件号码%s (person %d: %s)", n, err.zh, n, err.en)
	}
	if len(ps.Phone) > 20 || strings.IndexFunc(ps.Phone, func(r rune) bool { return !strings.ContainsRune("0123456789+- ", r) }) >= 0 {
		return ps, queue.Errorf(queue.EINVALID, "第%d位来访人的电话号码无效 (person %d: phone must be digits)", n, n)
	}
	if ps.Birth.IsZero() {
		ps.Birth = birthOf(ps.IDNumber)
	}
	return ps, nil
}

// personName reports whether s can be a person's name as a card or a
// clerk writes it: letters (Han, Latin, the scripts of China's peoples),
// combining marks, spaces and the separators of transcribed and foreign
// names (·, ., ",", -, '). Digits, symbols, control and bidi characters are
// refused: a name is masked on every screen, and "*421224…" is no name.
func personName(s string) bool {
	for _, r := range s {
		switch {
		case unicode.IsLetter(r), unicode.IsMark(r), r == ' ', r == '·', r == '.', r == ',', r == '-', r == '\'':
		default:
			return false
		}
	}
	return true
}

// birthOf reads the birth date of an 18-digit ID number (GB 11643:
// characters 7–14, YYYYMMDD); zero for other numbers.
func birthOf(id string) time.Time {
	if len(id) != 18 {
		return time.Time{}
	}
	t, err := time.Parse("20060102", id[6:14])
	if err != nil {
		return time.Time{}
	}
	return t
}

type idError struct{ zh, en string }

// checkIDNumber accepts "", an 18-character number with a right MOD 11-2
// check character (GB 11643), or a permit number of 5–20 letters and
// digits (the 2017 foreign card has 15 characters).
func checkIDNumber(id string) *idError {
	if id == "" {
		return nil
	}
	if len(id) == 18 && strings.Trim(id[:17], "0123456789") == "" {
		if checkChar(id[:17]) != id[17] {
			return &idError{"校验码不符，请核对", "the check character is wrong"}
		}
		return nil
	}
	if len(id) < 5 || len(id) > 20 || strings.IndexFunc(id, func(r rune) bool { return !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z') }) >= 0 {
		return &idError{"格式无效", "not an ID or permit number"}
	}
	return nil
}

// printable reports whether s is valid text without control or format
// characters (a bidi override turns 张*三 into something else on screen);
// newlines and tabs are allowed.
func printable(s string) bool {
	for _, r := range s {
		if (unicode.IsControl(r) && r != '\n' && r != '\t') || unicode.Is(unicode.Cf, r) {
			return false
		}
	}
	return utf8.ValidString(s)
}

// checkText bounds a free-text field.
func checkText(field, s string, maxRunes int) error {
	if utf8.RuneCountInString(s) > maxRunes || !printable(s) {
		return queue.Errorf(queue.EINVALID, "%s：最多%d字，不能含控制字符 (%s: at most %d characters, no control characters)", field, maxRunes, field, maxRunes)
	}
	return nil
}
