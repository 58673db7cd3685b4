package access

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"yiting/queue"
)

// Password rules: at least minPasswordRunes characters; at most
// maxPasswordBytes bytes because bcrypt ignores the rest.
const (
	minPasswordRunes = 10
	maxPasswordBytes = 72
)

// NewUser is an account to create.
type NewUser struct {
	Name        string     // login name: 2–32 of a–z 0–9 . _ -, starting with a letter; upper case is folded
	DisplayName string     // shown on pages, e.g. 张三; defaults to Name
	Role        queue.Role // admin, supervisor or staff
	Counters    []string   // staff: counter ids; others: none
	Units       []string   // staff: units they belong to without a counter of theirs; staff need a counter or a unit
	Password    string     // at least 8 characters, at most 72 bytes
}

// UserInfo is an account as ListUsers shows it: never a password hash.
type UserInfo struct {
	Name        string     `json:"name"`
	DisplayName string     `json:"display_name"`
	Role        queue.Role `json:"role"`
	Counters    []string   `json:"counters,omitempty"`
	Units       []string   `json:"units,omitempty"`
	Disabled    bool       `json:"disabled"`
	Created     time.Time  `json:"created"`
	CreatedBy   string     `json:"created_by,omitempty"`
	PasswordSet time.Time  `json:"password_set"`
	Sessions    int        `json:"sessions"` // live sessions now
}

// CreateUser creates an account. Only an enabled admin may (EFORBIDDEN).
// Returns EINVALID for a bad name, role, counter, display name or
// password, ECONFLICT when the name is taken.
func (s *Service) CreateUser(ctx context.Context, actor queue.Principal, nu NewUser) (UserInfo, error) {
	if err := s.requireAdmin(actor); err != nil {
		return UserInfo{}, err
	}
	rec, err := s.newUserRecord(nu, actor.ID)
	if err != nil {
		return UserInfo{}, err
	}
	if err := s.addUser(ctx, rec); err != nil {
		return UserInfo{}, err
	}
	s.log.Info("user created", "actor", actor.Actor(), "user", rec.Name, "role", rec.Role, "counters", rec.Counters, "units", rec.Units)
	return userInfo(rec, 0), nil
}

// newUserRecord validates nu and hashes its password (slow: bcrypt).
func (s *Service) newUserRecord(nu NewUser, by string) (UserRecord, error) {
	name := strings.ToLower(strings.TrimSpace(nu.Name))
	if err := checkUserName(name); err != nil {
		return UserRecord{}, err
	}
	display, err := cleanName(nu.DisplayName, name)
	if err != nil {
		return UserRecord{}, err
	}
	counters, units, err := s.checkBinding(nu.Role, nu.Counters, nu.Units)
	if err != nil {
		return UserRecord{}, err
	}
	hash, err := s.hashPassword(nu.Password)
	if err != nil {
		return UserRecord{}, err
	}
	now := s.now()
	return UserRecord{
		Name: name, DisplayName: display, Role: nu.Role, Counters: counters, Units: units,
		PasswordHash: hash, Created: now, CreatedBy: by, PasswordSet: now,
	}, nil
}

// addUser stores a new account unless the name is taken.
func (s *Service) addUser(ctx context.Context, rec UserRecord) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch _, err := s.store.GetUser(ctx, rec.Name); {
	case err == nil:
		return queue.Errorf(queue.ECONFLICT, "用户名 %s 已存在 (user name taken)", rec.Name)
	case !errors.Is(err, queue.ErrNotFound):
		return storageError("read user", err)
	}
	if err := s.store.PutUser(ctx, rec); err != nil {
		return storageError("save user", err)
	}
	s.cmu.Lock()
	s.users[rec.Name] = newUserEntry(rec)
	s.cmu.Unlock()
	return nil
}

// SetPassword sets the password of the user name. A user changing their
// own password must give the current one (EFORBIDDEN when wrong; these
// attempts count against the login limit, ETOOMANY when locked); an
// enabled admin may set anyone else's without it. Every session of the
// user ends, including the caller's own: log in again with the new
// password. Returns ENOTFOUND for no such user, EINVALID for a password
// that breaks the rules.
func (s *Service) SetPassword(ctx context.Context, actor queue.Principal, name, oldPassword, newPassword string) error {
	name = strings.ToLower(strings.TrimSpace(name))
	self := !actor.Role.IsDevice() && actor.ID == name
	if self {
		if err := s.checkOwnPassword(name, oldPassword); err != nil {
			return err
		}
	} else if err := s.requireAdmin(actor); err != nil {
		return err
	}
	hash, err := s.hashPassword(newPassword)
	if err != nil {
		return err
	}
	err = s.changeUser(ctx, name, func(u *UserRecord) error {
		// A password someone else set works only to set one's own.
		u.PasswordHash, u.PasswordSet, u.MustChange = hash, s.now(), !self
		return nil
	}, true)
	if err != nil {
		return err
	}
	s.log.Info("password set", "actor", actor.Actor(), "user", name)
	return nil
}

// checkOwnPassword verifies a user's current password under the per-user
// login limit, so SetPassword is no way around it.
func (s *Service) checkOwnPassword(name, password string) error {
	key := limitKey{name: "user:" + truncate(name, 64), lim: s.userLimit}
	if retry, ok := s.lim.admit(s.now(), key); !ok {
		return errLocked(retry)
	}
	s.cmu.RLock()
	u := s.users[name]
	s.cmu.RUnlock()
	hash := s.dummyHash
	if u != nil {
		hash = []byte(u.rec.PasswordHash)
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || u == nil || u.rec.Disabled {
		s.lim.fail(s.now(), key)
		return queue.Errorf(queue.EFORBIDDEN, "当前密码不正确 (current password is wrong)")
	}
	s.lim.done([]limitKey{key})
	return nil
}

// DisableUser disables the account name and ends its sessions at once.
// Only an enabled admin may. Returns ENOTFOUND for no such user and
// ECONFLICT for the last enabled admin. Disabling a disabled account does
// nothing.
func (s *Service) DisableUser(ctx context.Context, actor queue.Principal, name string) error {
	if err := s.requireAdmin(actor); err != nil {
		return err
	}
	name = strings.ToLower(strings.TrimSpace(name))
	err := s.changeUser(ctx, name, func(u *UserRecord) error {
		if u.Role == queue.RoleAdmin && !u.Disabled && s.enabledAdmins() <= 1 {
			return queue.Errorf(queue.ECONFLICT, "不能停用最后一个管理员账号 (cannot disable the last admin)")
		}
		u.Disabled = true
		return nil
	}, true)
	if err != nil {
		return err
	}
	s.log.Info("user disabled", "actor", actor.Actor(), "user", name)
	return nil
}

// EnableUser enables a disabled account again. Only an enabled admin may;
// ENOTFOUND for no such user.
func (s *Service) EnableUser(ctx context.Context, actor queue.Principal, name string) error {
	if err := s.requireAdmin(actor); err != nil {
		return err
	}
	name = strings.ToLower(strings.TrimSpace(name))
	err := s.changeUser(ctx, name, func(u *UserRecord) error {
		u.Disabled = false
		return nil
	}, false)
	if err != nil {
		return err
	}
	s.log.Info("user enabled", "actor", actor.Actor(), "user", name)
	return nil
}

// SetCounters binds a staff account to counters, replacing its binding;
// live sessions see the change on their next request. Only an enabled
// admin may. ENOTFOUND for no such user; EINVALID when the user is not
// staff, a counter is unknown, or the user would have neither a counter
// nor a unit.
func (s *Service) SetCounters(ctx context.Context, actor queue.Principal, name string, counters []string) error {
	return s.setBinding(ctx, actor, name, func(u *UserRecord) { u.Counters = counters })
}

// SetUnits sets the units a staff account belongs to besides its
// counters' (a liaison of a unit without a window), replacing them; as
// SetCounters otherwise.
func (s *Service) SetUnits(ctx context.Context, actor queue.Principal, name string, units []string) error {
	return s.setBinding(ctx, actor, name, func(u *UserRecord) { u.Units = units })
}

// UserUnits returns the units an enabled staff account belongs to
// directly (not through its counters): the unit a case received at a
// shared window goes to (cases.Options.StaffUnits).
func (s *Service) UserUnits(name string) []string {
	s.cmu.RLock()
	defer s.cmu.RUnlock()
	u := s.users[name]
	if u == nil || u.rec.Disabled {
		return nil
	}
	return slices.Clone(u.rec.Units)
}

func (s *Service) setBinding(ctx context.Context, actor queue.Principal, name string, set func(*UserRecord)) error {
	if err := s.requireAdmin(actor); err != nil {
		return err
	}
	name = strings.ToLower(strings.TrimSpace(name))
	var rec UserRecord
	err := s.changeUser(ctx, name, func(u *UserRecord) error {
		set(u)
		cs, us, err := s.checkBinding(u.Role, u.Counters, u.Units)
		u.Counters, u.Units, rec = cs, us, *u
		return err
	}, false)
	if err != nil {
		return err
	}
	s.log.Info("user binding set", "actor", actor.Actor(), "user", name, "counters", rec.Counters, "units", rec.Units)
	return nil
}

// changeUser applies change to the stored account name. With revoke, the
// user's sessions end: in memory first, then in the store, and until the
// account is saved memory holds it disabled, so a storage failure leaves
// the account locked rather than open.
func (s *Service) changeUser(ctx context.Context, name string, change func(*UserRecord) error, revoke bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, err := s.store.GetUser(ctx, name)
	if errors.Is(err, queue.ErrNotFound) {
		return queue.Errorf(queue.ENOTFOUND, "没有用户 %s (no such user)", name)
	}
	if err != nil {
		return storageError("read user", err)
	}
	rec.Counters, rec.Units = slices.Clone(rec.Counters), slices.Clone(rec.Units)
	if err := change(&rec); err != nil {
		return err
	}
	if revoke {
		s.dropSessions(name)
		s.setUser(revokedEntry(rec))
	}
	if err := s.store.PutUser(ctx, rec); err != nil {
		return storageError("save user", err)
	}
	s.setUser(newUserEntry(rec))
	if revoke {
		s.revoked(name)
		// Should this fail, the sessions stay refused after a restart
		// too: New skips sessions of disabled users and sessions older
		// than the password.
		if _, err := s.store.DeleteUserSessions(ctx, name); err != nil {
			return storageError("delete sessions", err)
		}
	}
	return nil
}

// revokedEntry is what memory holds for a user while a revoking change is
// being written: disabled, so that no session or login gets through.
func revokedEntry(rec UserRecord) *userEntry {
	rec.Disabled = true
	return newUserEntry(rec)
}

func (s *Service) setUser(e *userEntry) {
	s.cmu.Lock()
	s.users[e.rec.Name] = e
	s.cmu.Unlock()
}

func (s *Service) enabledAdmins() int {
	s.cmu.RLock()
	defer s.cmu.RUnlock()
	n := 0
	for _, u := range s.users {
		if u.rec.Role == queue.RoleAdmin && !u.rec.Disabled {
			n++
		}
	}
	return n
}

// ListUsers returns every account sorted by name, without password
// hashes. Only an enabled admin may.
func (s *Service) ListUsers(ctx context.Context, actor queue.Principal) ([]UserInfo, error) {
	if err := s.requireAdmin(actor); err != nil {
		return nil, err
	}
	now := s.now().UnixNano()
	s.cmu.RLock()
	sessions := make(map[string]int)
	for _, c := range s.creds {
		if c.session && c.expires.Load() > now {
			sessions[c.user]++
		}
	}
	out := make([]UserInfo, 0, len(s.users))
	for _, u := range s.users {
		out = append(out, userInfo(u.rec, sessions[u.rec.Name]))
	}
	s.cmu.RUnlock()
	slices.SortFunc(out, func(a, b UserInfo) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func userInfo(r UserRecord, sessions int) UserInfo {
	return UserInfo{
		Name: r.Name, DisplayName: r.DisplayName, Role: r.Role, Counters: slices.Clone(r.Counters), Units: slices.Clone(r.Units),
		Disabled: r.Disabled, Created: r.Created, CreatedBy: r.CreatedBy, PasswordSet: r.PasswordSet,
		Sessions: sessions,
	}
}

func (s *Service) hashPassword(pw string) (string, error) {
	if err := checkPassword(pw); err != nil {
		return "", err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), s.cost)
	if err != nil {
		return "", fmt.Errorf("access: hash password: %w", err)
	}
	return string(h), nil
}

func checkPassword(pw string) error {
	switch {
	case !utf8.ValidString(pw):
		return queue.Errorf(queue.EINVALID, "密码含有无效字符 (password is not valid text)")
	case utf8.RuneCountInString(pw) < minPasswordRunes:
		return queue.Errorf(queue.EINVALID, "密码至少需要 %d 个字符 (password too short)", minPasswordRunes)
	case commonPassword(pw):
		return queue.Errorf(queue.EINVALID, "这个密码太常见，容易被猜中，请换一个 (a common password)")
	case len(pw) > maxPasswordBytes:
		return queue.Errorf(queue.EINVALID, "密码过长，最多 %d 字节 (password too long)", maxPasswordBytes)
	}
	return nil
}

func checkUserName(name string) error {
	bad := len(name) < 2 || len(name) > 32 || name[0] < 'a' || name[0] > 'z'
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			bad = true
		}
	}
	if bad {
		return queue.Errorf(queue.EINVALID, "用户名须为 2–32 位小写字母、数字或 . _ -，以字母开头 (invalid user name)")
	}
	return nil
}

// cleanName checks a display name (of a person or a device): at most 32
// characters, no control characters; empty means def.
func cleanName(s, def string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		s = def
	}
	if s == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) > 32 || strings.ContainsFunc(s, unicode.IsControl) {
		return "", queue.Errorf(queue.EINVALID, "名称须为 1–32 个字符，不含控制字符 (invalid display name)")
	}
	return s, nil
}

// checkBinding validates what a person works at for their role: staff
// need at least one counter or unit, others none (they see every
// counter and unit). Duplicates are dropped.
func (s *Service) checkBinding(role queue.Role, counters, units []string) ([]string, []string, error) {
	switch role {
	case queue.RoleStaff:
		if len(counters) == 0 && len(units) == 0 {
			return nil, nil, queue.Errorf(queue.EINVALID, "工作人员至少要绑定一个窗口或所属单位 (staff need a counter or a unit)")
		}
	case queue.RoleAdmin, queue.RoleSupervisor:
		if len(counters) > 0 || len(units) > 0 {
			return nil, nil, queue.Errorf(queue.EINVALID, "管理员和督导可操作所有窗口、查看所有单位，不绑定窗口或单位 (only staff are bound to counters and units)")
		}
		return nil, nil, nil
	default:
		return nil, nil, queue.Errorf(queue.EINVALID, "账号角色须为 admin、supervisor 或 staff (invalid role %q)", role)
	}
	cs, err := distinct(counters, s.checkCounter)
	if err != nil {
		return nil, nil, err
	}
	us, err := distinct(units, s.checkUnit)
	return cs, us, err
}

// distinct trims each of list, checks it and drops repeats.
func distinct(list []string, check func(string) error) ([]string, error) {
	var out []string
	for _, v := range list {
		v = strings.TrimSpace(v)
		if err := check(v); err != nil {
			return nil, err
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out, nil
}

func (s *Service) checkUnit(name string) error {
	if name == "" || utf8.RuneCountInString(name) > 80 || strings.ContainsFunc(name, func(r rune) bool { return unicode.IsControl(r) }) ||
		(s.unitExists != nil && !s.unitExists(name)) {
		return queue.Errorf(queue.EINVALID, "没有单位 %q (no such unit)", name)
	}
	return nil
}

func (s *Service) checkCounter(id string) error {
	if id == "" || len(id) > 64 || strings.ContainsFunc(id, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) ||
		(s.counterExists != nil && !s.counterExists(id)) {
		return queue.Errorf(queue.EINVALID, "没有窗口 %q (no such counter)", id)
	}
	return nil
}
