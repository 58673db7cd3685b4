package countyview

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"yiting/queue/cases"
)

// SchemaVersion is the layout this code writes; Open refuses a newer one.
const SchemaVersion = 1

// Buckets. Keys join a site id and what follows with a 0 byte (site ids
// have none); integers in keys are big-endian, so scans run in order.
var (
	bucketMeta    = []byte("meta")    // "schema", "stream" (the last stream sequence applied)
	bucketSites   = []byte("sites")   // site → JSON SiteLink
	bucketTickets = []byte("tickets") // site 0 day 0 ticket id → JSON queue.Ticket (no visitor, no note)
	bucketCases   = []byte("cases")   // site 0 code → JSON caseRec
	bucketOpen    = []byte("open")    // site 0 code → nothing: the cases not closed
	bucketSteps   = []byte("steps")   // site 0 code 0 event seq → JSON Step
	bucketTokens  = []byte("tokens")  // a case's inquiry token hash → site 0 code
	// The commands the sites refused, with why (commands.go).
	bucketRefusals = []byte("refusals") // site 0 command id → JSON refusal
)

// SiteName names a site for the county's pages.
type SiteName struct {
	ID   string // the site id, as in its subject yiting.<site>.events
	Name string // "南林桥镇综治中心"
}

// Options configure a Model. Location is required.
type Options struct {
	// Sites names the sites the county expects, in the order its pages
	// list them; a site that sends events without being named here is
	// listed after them under its id.
	Sites []SiteName
	// Location is the county's time zone: business days and due days
	// end at its midnight.
	Location *time.Location
	// Calendar counts working days to a due day (the built-in holiday
	// files, cases.DefaultHolidays, if nil); the sites count their
	// deadlines with their own.
	Calendar *cases.Calendar
	// Notices are the supervision levels, most urgent first, that name
	// the sites' levels (cases.DefaultNotices if nil).
	Notices []cases.NoticeLevel
	Now     func() time.Time // time.Now if nil
	Logger  *slog.Logger     // slog.Default() if nil
	// Batch is the most messages applied in one transaction (one fsync);
	// 512 if 0.
	Batch int
}

// Model is the county's read model on its own bbolt file. Run fills it
// from the hub's stream; its queries are safe for concurrent use with Run
// and with each other.
type Model struct {
	db      *bolt.DB
	sites   atomic.Pointer[[]SiteName] // Options.Sites, then SetSites
	loc     *time.Location
	now     func() time.Time
	log     *slog.Logger
	batch   int
	cal     *cases.Calendar
	notices []cases.NoticeLevel
	soon    int // working days before a due day that are "soon"

	pending atomic.Uint64 // Pending
}

// ErrLocked is returned by Open when another process holds the file.
var ErrLocked = errors.New("countyview: the read model's file is in use by another process")

// Open opens (creating if needed) the read model's file at path. A second
// process on the same file fails within a second with ErrLocked.
func Open(path string, o Options) (*Model, error) {
	if o.Location == nil {
		return nil, errors.New("countyview: Options.Location is required")
	}
	if err := checkNames(o.Sites); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("countyview: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, FreelistType: bolt.FreelistMapType})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("%w (%s)", ErrLocked, path)
	}
	if err != nil {
		return nil, fmt.Errorf("countyview: open %s: %w", path, err)
	}
	m := &Model{db: db, loc: o.Location, now: o.Now, log: o.Logger, batch: o.Batch,
		cal: o.Calendar, notices: o.Notices, soon: cases.DefaultAuto().SoonWithin}
	names := slices.Clone(o.Sites)
	m.sites.Store(&names)
	if m.now == nil {
		m.now = time.Now
	}
	if m.log == nil {
		m.log = slog.Default()
	}
	if m.batch <= 0 {
		m.batch = 512
	}
	if m.notices == nil {
		m.notices = cases.DefaultNotices()
	}
	if m.cal == nil {
		if m.cal, err = cases.LoadCalendar(cases.DefaultHolidays()); err != nil {
			db.Close()
			return nil, fmt.Errorf("countyview: the holiday calendar: %w", err)
		}
	}
	if err := m.init(); err != nil {
		db.Close()
		return nil, err
	}
	return m, nil
}

func (m *Model) init() error {
	return m.db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketMeta, bucketSites, bucketTickets, bucketCases, bucketOpen, bucketSteps, bucketTokens, bucketCommands, bucketRefusals} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return fmt.Errorf("countyview: bucket %s: %w", b, err)
			}
		}
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get([]byte("schema")); v != nil {
			if n := binary.BigEndian.Uint64(v); n > SchemaVersion {
				return fmt.Errorf("countyview: the read model has schema %d, newer than this program's %d: install the newer yiting, or delete the file to rebuild it from the stream", n, SchemaVersion)
			}
		}
		return meta.Put([]byte("schema"), be64(SchemaVersion))
	})
}

// Close closes the file. Run must have returned.
func (m *Model) Close() error { return m.db.Close() }

// Check verifies the file's consistency (bbolt's own check).
func (m *Model) Check() error {
	return m.db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	})
}

// StreamSeq is the last sequence of the hub's stream the model holds.
func (m *Model) StreamSeq() (uint64, error) {
	var seq uint64
	err := m.db.View(func(tx *bolt.Tx) error {
		seq = streamSeq(tx)
		return nil
	})
	return seq, err
}

func streamSeq(tx *bolt.Tx) uint64 {
	if v := tx.Bucket(bucketMeta).Get([]byte("stream")); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func be64(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

// key joins parts with a 0 byte.
func key(parts ...[]byte) []byte {
	var k []byte
	for i, p := range parts {
		if i > 0 {
			k = append(k, 0)
		}
		k = append(k, p...)
	}
	return k
}

// Notices are the supervision levels, most urgent first.
func (m *Model) Notices() []cases.NoticeLevel { return m.notices }

// Location is the county's time zone.
func (m *Model) Location() *time.Location { return m.loc }
