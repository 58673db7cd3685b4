package access

import (
	"context"

	"yiting/queue"
)

// CreateUserOneTime creates an account with a generated password that
// works once (the first login must set the person's own), and returns the
// password: for an admin who hands it over on paper or by phone, and for
// the county hub's command line (yiting -role hub -add-user).
func (s *Service) CreateUserOneTime(ctx context.Context, actor queue.Principal, nu NewUser) (password string, info UserInfo, err error) {
	if err := s.requireAdmin(actor); err != nil {
		return "", UserInfo{}, err
	}
	nu.Password = newPassword()
	rec, err := s.newUserRecord(nu, actor.ID)
	if err != nil {
		return "", UserInfo{}, err
	}
	rec.MustChange = true // set by someone else: the first login sets the person's own
	if err := s.addUser(ctx, rec); err != nil {
		return "", UserInfo{}, err
	}
	s.log.Info("user created with a one-time password", "actor", actor.Actor(), "user", rec.Name, "role", rec.Role)
	return nu.Password, userInfo(rec, 0), nil
}
