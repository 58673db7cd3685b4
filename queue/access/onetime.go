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
	nu.Password = newPassword()
	if info, err = s.CreateUser(ctx, actor, nu); err != nil {
		return "", UserInfo{}, err
	}
	// Set by someone else: the account must change it at its first login.
	if err := s.SetPassword(ctx, actor, info.Name, "", nu.Password); err != nil {
		return "", UserInfo{}, err
	}
	return nu.Password, info, nil
}
