package queue

// CounterStatus is whether a counter takes calls.
type CounterStatus string

// Counter statuses. Counters start closed each business day.
const (
	CounterOpen   CounterStatus = "open"
	CounterPaused CounterStatus = "paused"
	CounterClosed CounterStatus = "closed"
)

// CounterState is the live state of one counter.
type CounterState struct {
	ID          string        `json:"id"`
	Status      CounterStatus `json:"status"`
	PauseReason string        `json:"pause_reason,omitempty"`
	StaffID     string        `json:"staff,omitempty"`   // who opened it
	Current     uint64        `json:"current,omitempty"` // ticket called or being served
	// Streak counts priority tickets called in a row, for the fairness ratio.
	Streak int    `json:"streak,omitempty"`
	Served int    `json:"served"` // tickets completed this business day
	Day    string `json:"day"`    // business day Served counts
}
