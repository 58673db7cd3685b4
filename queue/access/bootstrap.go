package access

import (
	"context"

	"yiting/queue"
)

// BootstrapAdmin is the name of the first administrator.
const BootstrapAdmin = "admin"

// Bootstrap makes sure the hall has an administrator. When no admin
// account exists (enabled or not), it creates user "admin" with
// adminPassword — which cmd/ takes from YITING_ADMIN_PASSWORD — or, when
// adminPassword is empty, with a random password that it returns for
// cmd/ to print once (23 characters, four groups of five). When an admin
// exists it does nothing and returns "": adminPassword does not reset a
// password. The password is never logged. EINVALID when adminPassword
// breaks the password rules; ECONFLICT when a non-admin account is
// already called "admin".
func (s *Service) Bootstrap(ctx context.Context, adminPassword string) (generated string, err error) {
	s.cmu.RLock()
	exists := false
	for _, u := range s.users {
		exists = exists || u.rec.Role == queue.RoleAdmin
	}
	s.cmu.RUnlock()
	if exists {
		if adminPassword != "" {
			s.log.Info("bootstrap password ignored: an administrator exists; change passwords on the admin page")
		}
		return "", nil
	}
	pw := adminPassword
	if pw == "" {
		pw = newPassword()
	}
	rec, err := s.newUserRecord(NewUser{Name: BootstrapAdmin, DisplayName: "管理员", Role: queue.RoleAdmin, Password: pw}, "")
	if err != nil {
		return "", err
	}
	rec.MustChange = adminPassword == "" // the printed password works once
	if err := s.addUser(ctx, rec); err != nil {
		return "", err
	}
	s.log.Info("administrator created", "user", BootstrapAdmin, "generated_password", adminPassword == "")
	if adminPassword == "" {
		return pw, nil
	}
	return "", nil
}
