package county

import (
	"fmt"
	"log/slog"
)

// natsLog passes an embedded NATS server's log to slog: its notices at
// Debug (a start-up says twenty lines of them), its warnings and errors
// (a refused site, a link that failed) as they are.
type natsLog struct{ log *slog.Logger }

func (l natsLog) Noticef(format string, v ...any) { l.log.Debug("nats: " + fmt.Sprintf(format, v...)) }
func (l natsLog) Warnf(format string, v ...any)   { l.log.Warn("nats: " + fmt.Sprintf(format, v...)) }
func (l natsLog) Fatalf(format string, v ...any)  { l.log.Error("nats: " + fmt.Sprintf(format, v...)) }
func (l natsLog) Errorf(format string, v ...any)  { l.log.Error("nats: " + fmt.Sprintf(format, v...)) }
func (l natsLog) Debugf(format string, v ...any)  {}
func (l natsLog) Tracef(format string, v ...any)  {}
