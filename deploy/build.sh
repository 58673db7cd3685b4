#!/usr/bin/env bash
# Cross-compile yiting for the Raspberry Pi and pack what the installer
# copies to the Pi.
#
#   deploy/build.sh [-o DIR] [TARGET...]     (or: make dist)
#
# TARGET is arm64, armv7 or armv6 (default: all three):
#   arm64  Pi 3, 4, 5, Zero 2 W with a 64-bit OS (Raspberry Pi OS Lite 64-bit: the recommended one)
#   armv7  Pi 2, 3, 4, Zero 2 W with a 32-bit OS
#   armv6  Pi 1, Zero, Zero W (32-bit OS; ARMv6 instructions only)
#
# For each target DIR (default dist/) receives:
#   yiting-linux-ARCH                      the binary (CGO_ENABLED=0, static, stripped)
#   yiting-VERSION-linux-ARCH.tar.gz       the binary with deploy/ and firmware-config/
#                                          files: unpack it on the Pi and run deploy/install.sh
# and SHA256SUMS over the files of this run.
#
# The version comes from `git describe --tags --always --dirty` (VERSION=...
# overrides it; "dev" outside a git checkout) and is stamped into the binary
# with -ldflags "-X main.version=..." (`yiting -version` prints it).
# `deploy/build.sh --print-version` prints it and exits.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
out=$repo/dist

die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

version() {
	if [ -n "${VERSION:-}" ]; then
		printf '%s\n' "$VERSION"
	elif v=$(git -C "$repo" describe --tags --always --dirty 2>/dev/null) && [ -n "$v" ]; then
		printf '%s\n' "$v"
	else
		printf 'dev\n'
	fi
}

targets=()
while [ $# -gt 0 ]; do
	case $1 in
	-o) [ $# -ge 2 ] || die "-o needs a directory"; out=$2; shift 2 ;;
	--print-version) version; exit 0 ;;
	-h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	arm64 | armv7 | armv6) targets+=("$1"); shift ;;
	*) die "unknown argument: $1 (targets: arm64 armv7 armv6)" ;;
	esac
done
[ ${#targets[@]} -gt 0 ] || targets=(arm64 armv7 armv6)
command -v go >/dev/null || die "go is not installed"

ver=$(version)
mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# The files install.sh needs beside the binary, in the repository's layout.
bundle_files=(
	deploy/README.md
	deploy/install.sh
	deploy/upgrade.sh
	deploy/udev-rules.sh
	deploy/yiting.service
	deploy/yiting-kiosk.service
	deploy/yiting-kiosk-watchdog.service
	deploy/kiosk-session
	deploy/kiosk-watchdog
	deploy/kiosk.env
	deploy/chrony-yiting.conf
	deploy/chrony-wait-yiting.conf
	firmware-config/default.toml
	firmware-config/pi/config.txt.fragment
	firmware-config/pi/devices.list
	firmware-config/pi/99-yiting.rules
)

built=()
for t in "${targets[@]}"; do
	case $t in
	arm64) goarch=arm64 goarm= ;;
	armv7) goarch=arm goarm=7 ;;
	armv6) goarch=arm goarm=6 ;;
	esac
	bin=$out/yiting-linux-$t
	printf 'build.sh: %s (GOARCH=%s%s) version %s\n' "$t" "$goarch" "${goarm:+ GOARM=$goarm}" "$ver"
	# GOARM is set explicitly: left empty it defaults to 7 when
	# cross-compiling, and an armv7 binary dies with SIGILL on a Pi Zero.
	(cd "$repo" && env CGO_ENABLED=0 GOOS=linux GOARCH="$goarch" GOARM="$goarm" \
		go build -trimpath -ldflags "-s -w -X main.version=$ver" -o "$bin" ./cmd/yiting)

	name=yiting-$ver-linux-$t
	rm -rf "${stage:?}/$name"
	mkdir -p "$stage/$name"
	cp "$bin" "$stage/$name/yiting"
	chmod 0755 "$stage/$name/yiting"
	for f in "${bundle_files[@]}"; do
		[ -f "$repo/$f" ] || die "missing $f"
		mkdir -p "$(dirname "$stage/$name/$f")"
		cp -p "$repo/$f" "$stage/$name/$f" # -p: the scripts stay executable
	done
	if tar --version 2>/dev/null | grep -q 'GNU tar'; then
		# The same inputs give the same tarball.
		tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -czf "$out/$name.tar.gz" "$name"
	else
		tar -C "$stage" -czf "$out/$name.tar.gz" "$name"
	fi
	built+=("${bin##*/}" "$name.tar.gz")
done

if command -v sha256sum >/dev/null; then
	(cd "$out" && sha256sum "${built[@]}" >SHA256SUMS)
else
	(cd "$out" && shasum -a 256 "${built[@]}" >SHA256SUMS)
fi
printf 'build.sh: done: %s\n' "$out"
