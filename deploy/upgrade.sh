#!/usr/bin/env bash
# Upgrade yiting to a new binary, and put the old one back if the new one
# does not come up. install.sh installs this as /usr/local/sbin/yiting-upgrade.
#
#   sudo yiting-upgrade [options] NEW_BINARY
#
#   --bin PATH         the installed binary (default /usr/local/bin/yiting)
#   --data DIR         the data directory (default /var/lib/yiting)
#   --health-url URL   answers 200 when the server works
#                      (default http://127.0.0.1:8080/healthz)
#   --timeout SECONDS  how long a start may take to answer 200 (default 60)
#   --stop-cmd CMD     how to stop the server (default: systemctl stop yiting.service)
#   --start-cmd CMD    how to start it (default: systemctl start yiting.service)
#   --force            upgrade even though the running server answers, but not 200
#
# Steps: check that NEW_BINARY runs here (NEW_BINARY -version); copy it
# beside the old one; stop the server; copy the database aside
# (DATA/yiting.db.pre-upgrade: a new version may migrate it to a schema the
# old one refuses); keep the old binary as BIN.prev; move the new one into
# place; start; wait for /healthz to answer 200.
#
# If it does not within the timeout (or the start fails), roll back: stop,
# put BIN.prev back (the failed binary is kept as BIN.failed), start, wait.
# If the old binary does not come up on the database the new one left
# (a migrated schema), the database is put back from the copy too; the one
# the new binary left is kept as DATA/yiting.db.failed-upgrade-TIME, since
# it may hold tickets issued in the meantime.
#
# Exit status: 0 upgraded (or already at that binary); 1 not upgraded, the
# old version is serving; 2 the rollback failed too: the hall is down.
# The data directory is never deleted. Run it outside opening hours: the
# server is down for the few seconds between stop and start.
set -euo pipefail

bin=/usr/local/bin/yiting
data=/var/lib/yiting
health=http://127.0.0.1:8080/healthz
timeout=60
stop_cmd='systemctl stop yiting.service'
start_cmd='systemctl start yiting.service'
new=''
force=0

say() { printf 'yiting-upgrade: %s\n' "$*"; }
die() { printf 'yiting-upgrade: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	--bin | --data | --health-url | --timeout | --stop-cmd | --start-cmd)
		[ $# -ge 2 ] || die "$1 needs a value"
		case $1 in
		--bin) bin=$2 ;;
		--data) data=$2 ;;
		--health-url) health=$2 ;;
		--timeout) timeout=$2 ;;
		--stop-cmd) stop_cmd=$2 ;;
		--start-cmd) start_cmd=$2 ;;
		esac
		shift 2
		;;
	--force) force=1; shift ;;
	-h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	-*) die "unknown option: $1 (see --help)" ;;
	*)
		[ -z "$new" ] || die "one new binary, please"
		new=$1
		shift
		;;
	esac
done
[ -n "$new" ] || die "usage: yiting-upgrade [options] NEW_BINARY (see --help)"
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die "--timeout takes whole seconds"
[ -f "$new" ] || die "$new: no such file"
[ -f "$bin" ] || die "$bin is not there: install yiting first (deploy/install.sh)"
command -v curl >/dev/null || die "curl is not installed: sudo apt install curl"

new_version=$("$new" -version 2>&1) ||
	die "$new does not run on this machine (wrong architecture: arm64, armv7 or armv6? or a damaged copy): $new_version"
old_version=$("$bin" -version 2>&1) || old_version='(unknown version)'
if cmp -s "$new" "$bin"; then
	say "$bin is already $new_version"
	exit 0
fi

db=$data/yiting.db
snapshot=$data/yiting.db.pre-upgrade

# A server that answers but is not healthy (a full disk answers 503) would
# stay unhealthy after the upgrade and be rolled back for nothing.
code=$(curl --silent --output /dev/null --max-time 2 --write-out '%{http_code}' "$health" || true)
if [ "$code" != 200 ] && [ "$code" != 000 ] && [ "$force" = 0 ]; then
	die "the running server answers HTTP $code on $health, not 200: find out why first (journalctl -u yiting; a full disk?), or upgrade anyway with --force"
fi

# healthy waits until the health URL answers 200, for at most timeout seconds.
healthy() {
	local deadline=$((SECONDS + timeout)) code
	while :; do
		code=$(curl --silent --output /dev/null --max-time 2 --write-out '%{http_code}' "$health" || true)
		[ "$code" != 200 ] || return 0
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.5
	done
}

run() { sh -c "$1"; }

say "upgrading $old_version → $new_version"
install -m 0755 "$new" "$bin.new"
sync

say "stopping the server"
run "$stop_cmd" || die "could not stop the server ($stop_cmd); nothing was changed (the new binary waits in $bin.new)"

# From here on the server is stopped: a step that fails must start the
# old version again before giving up.
abort() {
	rm -f "$snapshot.tmp" "$bin.new" 2>/dev/null || true
	if run "$start_cmd" && healthy; then
		die "$1: not upgraded; $old_version is serving again"
	fi
	say "$1; and $old_version does not answer after starting it again: see journalctl -u yiting" >&2
	exit 2
}
if [ -f "$db" ]; then
	{ cp -p "$db" "$snapshot.tmp" && sync && mv -f "$snapshot.tmp" "$snapshot"; } ||
		abort "could not copy the database aside (disk full?)"
	say "database copied to $snapshot"
fi
{ cp -p "$bin" "$bin.prev" && mv -f "$bin.new" "$bin" && sync; } ||
	abort "could not put the new binary in place"

say "starting $new_version"
if run "$start_cmd" && healthy; then
	say "upgraded to $new_version; the previous binary is kept as $bin.prev"
	exit 0
fi

# --- rollback ---------------------------------------------------------------
say "$new_version did not answer 200 on $health within ${timeout}s: rolling back to $old_version" >&2
run "$stop_cmd" || say "stopping the failed version failed ($stop_cmd); going on" >&2
mv -f "$bin" "$bin.failed"
cp -p "$bin.prev" "$bin"
sync
if run "$start_cmd" && healthy; then
	say "rolled back: $old_version is serving again; the failed binary is kept as $bin.failed" >&2
	exit 1
fi
if [ -f "$snapshot" ]; then
	say "$old_version does not come up on the database the new version left (migrated?): putting the copy from before the upgrade back" >&2
	run "$stop_cmd" || true
	aside=$db.failed-upgrade-$(date +%Y%m%d-%H%M%S)
	[ ! -f "$db" ] || mv -f "$db" "$aside"
	cp -p "$snapshot" "$db"
	sync
	if run "$start_cmd" && healthy; then
		say "rolled back binary and database: $old_version is serving again. The database the failed version left is kept as $aside: tickets issued through it, if any, are only there." >&2
		exit 1
	fi
fi
say "ROLLBACK FAILED: $old_version does not answer on $health either. The hall is down: see journalctl -u yiting, and deploy/README.md (when something fails)." >&2
exit 2
