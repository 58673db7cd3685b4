package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"yiting/queue/boltstore"
)

// Backups of the hall's database: taken by the running server on a
// schedule (startBackups), by hand while it is stopped (yiting backup),
// and put back with yiting restore. The procedures are in deploy/README.md.

// backupLayout names scheduled backups: yiting-YYYYMMDD-HHMMSS.db, local time.
const (
	backupPrefix = "yiting-"
	backupLayout = "20060102-150405"
	backupSuffix = ".db"
)

func backupName(t time.Time) string { return backupPrefix + t.Format(backupLayout) + backupSuffix }

// backupTime parses a backup file name; ok is false for other files.
func backupTime(name string, loc *time.Location) (time.Time, bool) {
	s, ok := strings.CutPrefix(name, backupPrefix)
	if !ok {
		return time.Time{}, false
	}
	s, ok = strings.CutSuffix(s, backupSuffix)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.ParseInLocation(backupLayout, s, loc)
	return t, err == nil
}

// backupSource is what the schedule needs of the store.
type backupSource interface {
	// BackupFile writes a consistent, checked copy of the database to
	// path atomically (boltstore.Store.BackupFile).
	BackupFile(path string) error
}

var _ backupSource = (*boltstore.Store)(nil)

// backupSchedule takes backups into dir and prunes old ones.
type backupSchedule struct {
	src   backupSource
	dir   string
	every time.Duration
	keep  int // days; ≤ 0 keeps every backup
	log   *slog.Logger
}

// startBackups starts the server's scheduled backups: one into dir at
// start unless one was taken less than every ago, then one every every,
// each named yiting-YYYYMMDD-HHMMSS.db; after each, backups older than
// keep days are deleted, though never the keep newest (a clock that jumps
// ahead must not delete them all). dir "" means "backups" beside the
// database; every ≤ 0 turns scheduled backups off. A failed backup is
// logged and retried at the next tick: it never stops the hall.
//
// stop ends the schedule and waits for a backup in progress to finish:
// call it before closing the store.
func startBackups(ctx context.Context, store *boltstore.Store, dir string, every time.Duration, keep int, log *slog.Logger) (stop func()) {
	if every <= 0 {
		log.Info("scheduled backups are off (-backup-every 0)")
		return func() {}
	}
	if dir == "" {
		dir = filepath.Join(filepath.Dir(store.Path()), "backups")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		log.Error("scheduled backups are off: cannot create the backup directory", "dir", dir, "err", err)
		return func() {}
	}
	s := &backupSchedule{src: store, dir: dir, every: every, keep: keep, log: log}
	ctx, cancel := context.WithCancel(ctx)
	ticker := time.NewTicker(every)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer ticker.Stop()
		s.run(ctx, time.Now(), ticker.C)
	}()
	log.Info("scheduled backups", "dir", dir, "every", every, "keep_days", keep)
	return func() {
		cancel()
		wg.Wait()
	}
}

// run removes what an interrupted backup left, takes a backup at start if
// none is recent, then one at every tick (the tick's time names it) until
// ctx ends or ticks is closed.
func (s *backupSchedule) run(ctx context.Context, start time.Time, ticks <-chan time.Time) {
	s.removeTemp()
	if s.due(start) {
		s.take(start)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case now, ok := <-ticks:
			if !ok {
				return
			}
			s.take(now)
		}
	}
}

// due reports whether no backup was taken within every of now, either
// way: a server restarting in a loop must not write a backup each time,
// also when the clock was set back.
func (s *backupSchedule) due(now time.Time) bool {
	for _, b := range s.list(now.Location()) {
		if d := now.Sub(b.at); d < s.every && d > -s.every {
			return false
		}
	}
	return true
}

func (s *backupSchedule) take(now time.Time) {
	path := filepath.Join(s.dir, backupName(now))
	start := time.Now()
	if err := s.src.BackupFile(path); err != nil {
		s.log.Error("scheduled backup failed", "path", path, "err", err)
		return
	}
	var size int64
	if fi, err := os.Stat(path); err == nil {
		size = fi.Size()
	}
	s.log.Info("backup taken", "path", path, "bytes", size, "took", time.Since(start).Round(time.Millisecond))
	s.prune(now)
}

type backupFile struct {
	name string
	at   time.Time
}

// list returns the scheduled backups in dir, newest first.
func (s *backupSchedule) list(loc *time.Location) []backupFile {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		s.log.Warn("list backups", "dir", s.dir, "err", err)
		return nil
	}
	var bs []backupFile
	for _, e := range entries {
		if t, ok := backupTime(e.Name(), loc); ok && e.Type().IsRegular() {
			bs = append(bs, backupFile{e.Name(), t})
		}
	}
	sort.Slice(bs, func(i, j int) bool { return bs[i].at.After(bs[j].at) })
	return bs
}

// prune deletes backups older than keep days, except the keep newest.
// Files whose names are not backup names are left alone.
func (s *backupSchedule) prune(now time.Time) {
	if s.keep <= 0 {
		return
	}
	limit := now.AddDate(0, 0, -s.keep)
	for i, b := range s.list(now.Location()) {
		if i < s.keep || !b.at.Before(limit) {
			continue
		}
		if err := os.Remove(filepath.Join(s.dir, b.name)); err != nil {
			s.log.Warn("remove an old backup", "name", b.name, "err", err)
			continue
		}
		s.log.Info("old backup removed", "name", b.name, "keep_days", s.keep)
	}
}

// removeTemp deletes the temporary files of backups interrupted by a crash
// or power cut (boltstore.Store.BackupFile names them ".NAME.tmp-*"). Only
// the server holding the database writes here, so any is stale.
func (s *backupSchedule) removeTemp() {
	stale, _ := filepath.Glob(filepath.Join(s.dir, "."+backupPrefix+"*"+backupSuffix+".tmp-*"))
	for _, p := range stale {
		if err := os.Remove(p); err == nil {
			s.log.Info("removed an interrupted backup", "path", p)
		}
	}
}

// runBackup is `yiting backup`: a backup taken by hand while the server is
// stopped (before an SD card swap, or to carry away). While the server
// runs it holds the database and takes backups itself: then this says
// where the newest one is.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("yiting backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "./yiting-data", "data directory of the hall")
	out := fs.String("o", "", "backup file to write (default: <backup-dir>/yiting-YYYYMMDD-HHMMSS.db)")
	dir := fs.String("backup-dir", "", "directory of the scheduled backups (default <data>/backups)")
	if goOn, err := parseSub(fs, args); !goOn {
		return err
	}
	if *dir == "" {
		*dir = filepath.Join(*data, "backups")
	}
	st, err := boltstore.OpenReadOnly(*data, nil)
	if errors.Is(err, boltstore.ErrLocked) {
		s := &backupSchedule{dir: *dir, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		newest := "（无 none）"
		if bs := s.list(time.Local); len(bs) > 0 {
			newest = filepath.Join(*dir, bs[0].name)
		}
		return fmt.Errorf("backup: 服务正在运行，它会按计划自动备份；最新的备份：%s。\n"+
			"The server is running and takes backups itself; the newest is %s.\n"+
			"Copy that file, or stop the server (systemctl stop yiting) and run this again: %w", newest, newest, err)
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer st.Close()
	path := *out
	if path == "" {
		if err := os.MkdirAll(*dir, 0o700); err != nil {
			return fmt.Errorf("backup: %w", err)
		}
		path = filepath.Join(*dir, backupName(time.Now()))
	}
	if err := st.BackupFile(path); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	info, err := boltstore.CheckFile(path)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(stdout, "备份完成 backup written: %s\n", path)
	printInfo(stdout, info)
	fmt.Fprintf(stdout, "另请保存一次数据目录中的 yiting.key（个人信息密钥，没有它无法读取备份中的个人信息）。\n"+
		"Also keep a copy of yiting.key from the data directory: without it the personal data in a backup cannot be read.\n")
	return nil
}

// runRestore is `yiting restore -from FILE -data DIR`: it checks the
// backup, refuses while the server runs, keeps the current database aside
// and puts the backup in its place. With -check it only checks the file.
func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("yiting restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "backup file to restore (required)")
	data := fs.String("data", "./yiting-data", "data directory of the hall (the server must be stopped)")
	check := fs.Bool("check", false, "only check the backup file; change nothing")
	owner := fs.String("owner", "", "give the restored file to this user (required when running as root: the service user, yiting)")
	if goOn, err := parseSub(fs, args); !goOn {
		return err
	}
	if *from == "" {
		fs.Usage()
		return errors.New("restore: -from FILE is required")
	}
	if *check {
		info, err := boltstore.CheckFile(*from)
		if err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		fmt.Fprintf(stdout, "备份完好 backup is sound: %s\n", *from)
		printInfo(stdout, info)
		return nil
	}
	uid, gid := -1, -1
	if *owner != "" {
		u, err := user.Lookup(*owner)
		if err != nil {
			return fmt.Errorf("restore: -owner: %w", err)
		}
		uid, _ = strconv.Atoi(u.Uid)
		gid, _ = strconv.Atoi(u.Gid)
	} else if os.Geteuid() == 0 {
		return errors.New("restore: 以 root 运行时请加 -owner yiting（服务运行所用的用户），否则服务无法打开恢复的文件。\n" +
			"Running as root: add -owner yiting (the user the service runs as), or the service cannot open the restored file")
	}
	now := time.Now()
	res, err := boltstore.Restore(*from, *data, now)
	if errors.Is(err, boltstore.ErrLocked) {
		return fmt.Errorf("restore: 服务正在运行，请先停止：systemctl stop yiting\nThe server is running: stop it first (systemctl stop yiting): %w", err)
	}
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	live := filepath.Join(*data, boltstore.FileName)
	if uid >= 0 {
		if err := os.Chown(live, uid, gid); err != nil {
			return fmt.Errorf("restore: the backup is in place but could not be given to %s: %w", *owner, err)
		}
	}
	fmt.Fprintf(stdout, "已恢复 restored: %s → %s\n", *from, live)
	printInfo(stdout, res.Backup)
	if res.Aside != "" {
		fmt.Fprintf(stdout, "原数据库已保留 the previous database is kept as: %s\n", res.Aside)
	}
	if res.OldErr != nil {
		fmt.Fprintf(stdout, "（原数据库无法打开 it could not be opened: %v）\n", res.OldErr)
	}
	if last := res.Backup.LastSeen.In(now.Location()); !last.IsZero() && last.Format(time.DateOnly) == now.Format(time.DateOnly) {
		fmt.Fprintf(stdout, "注意：此备份取自今天 %s。之后发出的号码不在其中，将被再次发放；请告知窗口工作人员。\n"+
			"Note: this backup is from today, %s. Tickets issued after it are not in it and their numbers will be issued again: tell the staff.\n",
			last.Format("15:04"), last.Format("15:04"))
	}
	if _, err := os.Stat(filepath.Join(*data, "yiting.key")); err != nil {
		fmt.Fprintf(stdout, "注意：数据目录中没有 yiting.key。请从备份处放回该密钥（除非 hall.toml 的 key_file 指向别处），否则个人信息无法读取。\n"+
			"Note: there is no yiting.key in the data directory. Put the hall's key back (unless hall.toml's key_file points elsewhere), or the personal data cannot be read.\n")
	}
	fmt.Fprintf(stdout, "下一步 next: systemctl start yiting\n")
	return nil
}

func printInfo(w io.Writer, info boltstore.FileInfo) {
	last := "—"
	if !info.LastSeen.IsZero() {
		last = info.LastSeen.Local().Format("2006-01-02 15:04:05")
	}
	size := fmt.Sprintf("%.1f MB", float64(info.Size)/1e6)
	if info.Size < 1e6 {
		size = fmt.Sprintf("%d KB", (info.Size+999)/1000)
	}
	fmt.Fprintf(w, "  %s, schema %d, %d tickets, %d events, latest activity %s\n",
		size, info.Schema, info.Tickets, info.Events, last)
}

// parseSub parses a subcommand's flags. goOn is false when the command
// should end, with err or without (after -h printed the usage).
func parseSub(fs *flag.FlagSet, args []string) (goOn bool, err error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return false, nil
		}
		return false, err
	}
	if fs.NArg() > 0 {
		return false, fmt.Errorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return true, nil
}
