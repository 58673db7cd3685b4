package queue

// Role is what a person or device may do in the hall.
type Role string

// Roles. Staff are bound to counters; pads to one counter.
const (
	RoleAdmin      Role = "admin"      // accounts, devices, configuration
	RoleSupervisor Role = "supervisor" // every counter, statistics, overdue matters
	RoleStaff      Role = "staff"      // the counters they are bound to
	RoleKiosk      Role = "kiosk"      // issues tickets
	RoleDisplay    Role = "display"    // reads the board stream
	RolePad        Role = "pad"        // rates the tickets of one counter
)

// ValidRole reports whether r is one of the roles above.
func ValidRole(r Role) bool {
	switch r {
	case RoleAdmin, RoleSupervisor, RoleStaff, RoleKiosk, RoleDisplay, RolePad:
		return true
	}
	return false
}

// IsDevice reports whether the role belongs to a device token rather
// than a person.
func (r Role) IsDevice() bool { return r == RoleKiosk || r == RoleDisplay || r == RolePad }

// Principal is who makes a request: a logged-in person or a device.
type Principal struct {
	ID       string   // user name or device token id
	Name     string   // display name
	Role     Role     //
	Counters []string // staff: the counters they may operate; pad: its one counter
	// Units: staff: the units they belong to besides their counters'
	// (a dispatched unit's liaison who has no window of their own).
	Units []string
	// MustChangePassword: a person logged in with a password someone
	// else set (the generated first one, an admin's reset) may do nothing
	// but set their own.
	MustChangePassword bool
}

// Actor is how events name the principal.
func (p Principal) Actor() string {
	if p.Role.IsDevice() {
		return string(p.Role) + ":" + p.ID
	}
	return p.ID
}

// CanOperate reports whether p may run counter commands at the counter:
// supervisors and admins anywhere, staff at their own counters.
func (p Principal) CanOperate(counterID string) bool {
	switch p.Role {
	case RoleAdmin, RoleSupervisor:
		return true
	case RoleStaff:
		return p.bound(counterID)
	}
	return false
}

// CanIssue reports whether p may issue tickets: kiosks, and staff or
// supervisors issuing for a visitor without a card.
func (p Principal) CanIssue() bool {
	switch p.Role {
	case RoleKiosk, RoleStaff, RoleSupervisor, RoleAdmin:
		return true
	}
	return false
}

// CanWatch reports whether p may read the live event stream and the
// queue state: every role. The stream carries ticket numbers, counters
// and masked names only, never personal data.
func (p Principal) CanWatch() bool { return ValidRole(p.Role) }

func (p Principal) bound(counterID string) bool {
	for _, c := range p.Counters {
		if c == counterID {
			return true
		}
	}
	return false
}
