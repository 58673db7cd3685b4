// Package deploy holds what puts yiting on a Raspberry Pi: the
// cross-compiling script (build.sh), the systemd units of the hall server
// and of the kiosk screen, the install and upgrade scripts, the chrony
// fragments, and the installer's guide (README.md). The Pi's boot
// configuration and udev rules are in firmware-config/pi.
//
// The package has no Go code of its own: its tests check the scripts and
// units for real — shellcheck, systemd-analyze verify, an install into a
// temporary root run twice, upgrades that roll back, the cross-compiled
// binaries' ELF headers and build information.
package deploy
