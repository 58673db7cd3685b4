#!/usr/bin/env bash
# Install yiting on a Raspberry Pi (Raspberry Pi OS / Debian), or into a
# directory tree. Run it from the unpacked release (or the repository):
#
#   sudo deploy/install.sh [options]
#
#   --binary FILE     the yiting binary (default: ./yiting beside deploy/,
#                     as in a release tarball)
#   --kiosk           also install the screen session (Chromium in cage on
#                     tty1) for a kiosk, display board or pad; its page is
#                     chosen in /etc/yiting/kiosk.env
#   --no-server       do not install the hall server (a Pi that only shows
#                     a page served by another Pi; use with --kiosk)
#   --no-boot-config  leave config.txt and cmdline.txt alone
#   --start           (re)start the services at the end
#   --root DIR        install into DIR instead of / (or DESTDIR=DIR): for a
#                     test, or an SD card's root file system mounted on a PC.
#                     Users and groups are written to DIR/etc with
#                     useradd --prefix, units are enabled with systemctl
#                     --root; nothing is started and udev is not told
#
# It is idempotent: run it again after changing /etc/yiting/devices.list,
# or to repair an installation; a second run changes nothing. Files you
# edit (/etc/yiting/hall.toml, env, devices.list, kiosk.env and
# /etc/chrony/conf.d/yiting.conf) are created once and never overwritten.
# What it does, and the rest of the setup, is in deploy/README.md.
set -euo pipefail
umask 022

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/.." && pwd)

root=${DESTDIR:-}
binary=''
server=1
kiosk=0
boot=1
start=0

die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }
say() { printf 'install.sh: %s\n' "$*"; }

while [ $# -gt 0 ]; do
	case $1 in
	--root) [ $# -ge 2 ] || die "--root needs a directory"; root=$2; shift 2 ;;
	--root=*) root=${1#--root=}; shift ;;
	--binary) [ $# -ge 2 ] || die "--binary needs a file"; binary=$2; shift 2 ;;
	--binary=*) binary=${1#--binary=}; shift ;;
	--kiosk) kiosk=1; shift ;;
	--no-server) server=0; shift ;;
	--no-boot-config) boot=0; shift ;;
	--start) start=1; shift ;;
	-h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*) die "unknown option: $1 (see --help)" ;;
	esac
done
[ "$server" = 1 ] || [ "$kiosk" = 1 ] || die "--no-server without --kiosk installs nothing"

live=1
if [ -n "$root" ]; then
	[ -d "$root" ] || die "--root $root: no such directory"
	root=$(cd "$root" && pwd)
	[ "$root" != / ] || root=''
fi
[ -z "$root" ] || live=0
if [ "$live" = 1 ] && [ "$(id -u)" -ne 0 ]; then
	die "run it as root: sudo $0 $*"
fi
# Only root can create users and give files to them; a test run into a
# directory as another user skips both and says so.
owners=1
[ "$(id -u)" -eq 0 ] || owners=0

if [ "$server" = 1 ]; then
	[ -n "$binary" ] || binary=$src/yiting
	[ -f "$binary" ] || die "no yiting binary at $binary: give --binary FILE (from deploy/build.sh: dist/yiting-linux-arm64 …)"
	if [ "$live" = 1 ] && ! "$binary" -version >/dev/null 2>&1; then
		die "$binary does not run on this Pi: is it the right one? (64-bit OS: arm64; 32-bit: armv7, Pi Zero/1: armv6; \`uname -m\` and \`getconf LONG_BIT\` tell)"
	fi
fi

changes=0
changed() { changes=$((changes + 1)); say "$*"; }

# mode_of prints a file's permission bits as stat does (644, 600, 755).
mode_of() { stat -c %a "$1"; }

# put SRC DST MODE installs SRC as DST (under the root) unless DST already
# has that content and mode.
put() {
	local s=$1 d=$root$2 m=$3
	if [ -f "$d" ] && cmp -s "$s" "$d" && [ "$(mode_of "$d")" = "${m#0}" ]; then
		return 0
	fi
	install -D -m "$m" "$s" "$d"
	changed "installed $2"
}

# put_once SRC DST MODE installs SRC as DST only if DST does not exist: a
# file the installer edits.
put_once() {
	if [ -e "$root$2" ]; then
		return 0
	fi
	install -D -m "$3" "$1" "$root$2"
	changed "created $2 (edit it)"
}

# dir DIR MODE [USER] makes a directory with that mode (and owner).
dir() {
	local d=$root$1 m=$2 u=${3:-}
	if [ ! -d "$d" ]; then
		install -d -m "$m" "$d"
		changed "created $1/"
	elif [ "$(mode_of "$d")" != "${m#0}" ]; then
		chmod "$m" "$d"
		changed "set the mode of $1/ to $m"
	fi
	if [ -n "$u" ] && [ "$owners" = 1 ]; then
		local ids
		ids=$(ids_of "$u")
		if [ "$(stat -c %u:%g "$d")" != "$ids" ]; then
			chown "$ids" "$d"
			changed "gave $1/ to $u"
		fi
	fi
}

# Users and groups, in $root/etc (useradd --prefix writes there).
shadow=()
[ -z "$root" ] || shadow=(--prefix "$root")
have_group() { grep -q "^$1:" "$root/etc/group"; }
have_user() { grep -q "^$1:" "$root/etc/passwd"; }
in_group() { awk -F: -v g="$2" -v u="$1" '$1 == g { n = split($4, m, ","); for (i = 1; i <= n; i++) if (m[i] == u) found = 1 } END { exit !found }' "$root/etc/group"; }
ids_of() { awk -F: -v u="$1" '$1 == u { print $3 ":" $4 }' "$root/etc/passwd"; }

ensure_group() {
	have_group "$1" && return 0
	groupadd "${shadow[@]}" --system "$1"
	changed "created the group $1"
}

# ensure_user NAME GROUPS USERADD-OPTIONS… creates the user if missing and
# adds it to those of GROUPS (comma-separated) that exist.
ensure_user() {
	local u=$1 groups=$2
	shift 2
	if ! have_user "$u"; then
		useradd "${shadow[@]}" "$@" "$u"
		changed "created the user $u"
	fi
	local g
	for g in ${groups//,/ }; do
		if have_group "$g" && ! in_group "$u" "$g"; then
			usermod "${shadow[@]}" -a -G "$g" "$u"
			changed "added $u to the group $g"
		fi
	done
}

users_ok=1
if [ "$owners" = 0 ]; then
	users_ok=0
	say "not root: users, groups and file owners are left out"
elif [ ! -f "$root/etc/passwd" ] || [ ! -f "$root/etc/group" ]; then
	users_ok=0
	say "no $root/etc/passwd: users and groups are left out"
fi

sysctl=(systemctl)
[ -z "$root" ] || sysctl=(systemctl --root="$root")
have_systemctl=1
command -v systemctl >/dev/null || have_systemctl=0

# enable UNIT enables a unit unless it is enabled.
enable() {
	if [ "$have_systemctl" = 0 ]; then
		say "systemctl is missing: enable $1 by hand"
		return 0
	fi
	if ! "${sysctl[@]}" is-enabled --quiet "$1" 2>/dev/null; then
		"${sysctl[@]}" enable --quiet "$1"
		changed "enabled $1"
	fi
}

# disable UNIT disables a unit if it exists and is enabled.
disable() {
	[ "$have_systemctl" = 1 ] || return 0
	if "${sysctl[@]}" is-enabled --quiet "$1" 2>/dev/null; then
		"${sysctl[@]}" disable --quiet "$1"
		changed "disabled $1"
	fi
}

unit_exists() { [ -f "$root/lib/systemd/system/$1" ] || [ -f "$root/usr/lib/systemd/system/$1" ] || [ -f "$root/etc/systemd/system/$1" ]; }

# ---------------------------------------------------------------------------
# Users and groups

if [ "$users_ok" = 1 ]; then
	for g in dialout lp gpio; do
		ensure_group "$g" # gpio exists on Raspberry Pi OS only; the unit needs it
	done
	if [ "$server" = 1 ]; then
		ensure_user yiting dialout,gpio,lp --system --user-group --home-dir /var/lib/yiting --no-create-home \
			--shell /usr/sbin/nologin --comment "yiting hall server"
	fi
	if [ "$kiosk" = 1 ]; then
		ensure_user kiosk video,render,input,audio --user-group --create-home --home-dir /home/kiosk \
			--shell /usr/sbin/nologin --comment "yiting kiosk screen"
	fi
fi

# ---------------------------------------------------------------------------
# The hall server

dir /etc/yiting 0755
if [ "$server" = 1 ]; then
	put "$binary" /usr/local/bin/yiting 0755
	put "$here/yiting.service" /etc/systemd/system/yiting.service 0644
	put "$here/upgrade.sh" /usr/local/sbin/yiting-upgrade 0755
	put "$here/README.md" /usr/local/share/doc/yiting/README.md 0644
	put_once "$src/firmware-config/default.toml" /etc/yiting/hall.toml 0644
	put_once "$src/firmware-config/pi/devices.list" /etc/yiting/devices.list 0644
	if [ ! -e "$root/etc/yiting/env" ]; then
		raw=''
		while [ ${#raw} -lt 20 ]; do
			raw=$(head -c 600 /dev/urandom | LC_ALL=C tr -dc 'abcdefghjkmnpqrstuvwxyz23456789')
		done
		pw=${raw:0:5}-${raw:5:5}-${raw:10:5}-${raw:15:5}
		(
			umask 077
			cat >"$root/etc/yiting/env" <<-EOF
				# yiting: environment of yiting.service. Mode 0600: systemd reads it as root.
				# YITING_ADMIN_PASSWORD is the password of the first administrator, "admin",
				# used only when yiting starts without any administrator (the first start).
				# Log in with it and change it; after that this line no longer matters.
				YITING_ADMIN_PASSWORD=$pw
			EOF
		)
		changed "created /etc/yiting/env with a generated admin password (sudo cat /etc/yiting/env)"
	fi
	if [ "$users_ok" = 1 ]; then
		dir /var/lib/yiting 0700 yiting
	else
		dir /var/lib/yiting 0700
	fi

	# Stable device names from the device list.
	rules=$(mktemp)
	if ! bash "$here/udev-rules.sh" "$root/etc/yiting/devices.list" >"$rules"; then
		rm -f "$rules"
		die "fix /etc/yiting/devices.list (see the message above) and run install.sh again"
	fi
	put "$rules" /etc/udev/rules.d/99-yiting.rules 0644
	rm -f "$rules"

	# Time: chrony's source, and a bounded wait for it at boot.
	put_once "$here/chrony-yiting.conf" /etc/chrony/conf.d/yiting.conf 0644
	put "$here/chrony-wait-yiting.conf" /etc/systemd/system/chrony-wait.service.d/yiting.conf 0644
	if unit_exists chrony-wait.service; then
		enable chrony-wait.service
	fi
	enable yiting.service
fi

# ---------------------------------------------------------------------------
# The screen

if [ "$kiosk" = 1 ]; then
	put "$here/kiosk-session" /usr/local/lib/yiting/kiosk-session 0755
	put "$here/kiosk-watchdog" /usr/local/lib/yiting/kiosk-watchdog 0755
	put "$here/yiting-kiosk.service" /etc/systemd/system/yiting-kiosk.service 0644
	put "$here/yiting-kiosk-watchdog.service" /etc/systemd/system/yiting-kiosk-watchdog.service 0644
	put_once "$here/kiosk.env" /etc/yiting/kiosk.env 0600
	disable getty@tty1.service # the session takes tty1
	enable yiting-kiosk.service
	enable yiting-kiosk-watchdog.service
fi

# ---------------------------------------------------------------------------
# Boot configuration: the GPIO UART for a wired reader, no serial console
# on it, and (for a screen) no console blanking.

boot_dir=''
for d in /boot/firmware /boot; do
	if [ -f "$root$d/config.txt" ]; then
		boot_dir=$d
		break
	fi
done
if [ "$boot" = 1 ] && [ -z "$boot_dir" ]; then
	say "no config.txt in /boot/firmware or /boot: not a Raspberry Pi boot partition; boot configuration left out"
elif [ "$boot" = 1 ]; then
	cfg=$root$boot_dir/config.txt
	cmdline=$root$boot_dir/cmdline.txt
	for f in "$cfg" "$cmdline"; do
		if [ -f "$f" ] && [ ! -e "$f.before-yiting" ]; then
			cp -p "$f" "$f.before-yiting"
			changed "kept the original as ${f#"$root"}.before-yiting"
		fi
	done
	if [ "$server" = 1 ]; then
		new=$(mktemp)
		awk -v frag="$src/firmware-config/pi/config.txt.fragment" '
			function block() {
				print "# >>> yiting: managed by deploy/install.sh from firmware-config/pi/config.txt.fragment"
				while ((getline l < frag) > 0) print l
				close(frag)
				print "# <<< yiting"
			}
			/^# >>> yiting/ { block(); skip = 1; found = 1; next }
			/^# <<< yiting/ { skip = 0; next }
			!skip { print }
			END { if (!found) { print ""; block() } }
		' "$cfg" >"$new"
		if ! cmp -s "$new" "$cfg"; then
			cat "$new" >"$cfg"
			changed "updated the yiting block in ${cfg#"$root"} (reboot to apply)"
		fi
		rm -f "$new"
		if unit_exists hciuart.service; then
			disable hciuart.service # Bluetooth's UART is the reader's now (disable-bt)
		fi
	fi
	if [ -f "$cmdline" ]; then
		read -r -a args <"$cmdline" || true
		kept=()
		for a in "${args[@]}"; do
			case $a in
			console=serial0,* | console=ttyAMA0,* | console=ttyS0,* | console=serial0 | console=ttyAMA0 | console=ttyS0)
				# The reader's port: no kernel console or login on it.
				if [ "$server" = 0 ]; then kept+=("$a"); fi
				;;
			consoleblank=*)
				if [ "$kiosk" = 0 ]; then kept+=("$a"); fi
				;;
			*) kept+=("$a") ;;
			esac
		done
		[ "$kiosk" = 0 ] || kept+=(consoleblank=0)
		if [ "$(printf '%s\n' "${kept[*]}")" != "$(cat "$cmdline")" ]; then
			printf '%s\n' "${kept[*]}" >"$cmdline"
			changed "updated ${cmdline#"$root"}: ${kept[*]}"
		fi
	fi
fi

# ---------------------------------------------------------------------------
# What is missing, and telling the running system.

missing=()
if [ "$server" = 1 ]; then
	[ -x "$root/usr/bin/curl" ] || missing+=(curl)
	unit_exists chrony.service || missing+=(chrony)
fi
if [ "$kiosk" = 1 ]; then
	[ -x "$root/usr/bin/cage" ] || missing+=(cage)
	[ -x "$root/usr/bin/chromium" ] || [ -x "$root/usr/bin/chromium-browser" ] || missing+=(chromium)
fi
if [ ${#missing[@]} -gt 0 ]; then
	say "missing packages: ${missing[*]}: sudo apt install ${missing[*]}, then run install.sh again." \
		"(curl: the start-up check; chrony: the clock is set before yiting starts; chromium-browser on older Raspberry Pi OS)"
fi

if [ "$live" = 1 ]; then
	systemctl daemon-reload
	if [ "$server" = 1 ]; then
		udevadm control --reload
		udevadm trigger --action=add --subsystem-match=tty --subsystem-match=usbmisc
	fi
	if [ "$start" = 1 ]; then
		[ "$server" = 0 ] || systemctl restart yiting.service
		[ "$kiosk" = 0 ] || systemctl restart yiting-kiosk.service yiting-kiosk-watchdog.service
		say "started"
	elif [ "$changes" -gt 0 ] && [ "$server" = 1 ] && systemctl is-active --quiet yiting.service; then
		say "yiting is running the old setup: sudo systemctl restart yiting"
	fi
else
	say "--root: daemon-reload, udev and starting services left to the first boot"
fi

if [ "$changes" -eq 0 ]; then
	say "nothing changed"
else
	say "$changes changes"
fi
if [ "$server" = 1 ] && [ "$live" = 1 ] && [ "$start" = 0 ] && ! systemctl is-active --quiet yiting.service; then
	say "next: edit /etc/yiting/hall.toml, then: sudo systemctl start yiting (deploy/README.md)"
fi
