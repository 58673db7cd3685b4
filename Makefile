# yiting: the few commands worth a name. The real work is in the scripts;
# nothing here is needed to build (go build does).

.PHONY: all dist arm64 armv7 armv6 test test-arm testdeps clean

all: dist

# The Raspberry Pi binaries and release bundles in dist/ (deploy/build.sh).
dist:
	deploy/build.sh

arm64 armv7 armv6:
	deploy/build.sh $@

# The Debian (Raspberry Pi OS) packages the tests use: zbarimg decodes the
# printed QR codes; a CJK font (with DejaVu for Latin) draws the simulated
# printer's tickets; shellcheck, systemd-analyze and curl check the Pi's
# scripts and units; Chromium runs the browser tests of the pages;
# espeak-ng speaks the board; qemu-user-static runs the ARM test binaries
# (test-arm). npm (Debian's package, or the one that comes with Node.js:
# either will do, so it is not in this list) fetches axe-core, which checks
# the pages' accessibility in Chromium; testdeps installs Debian's when
# there is none.
TEST_PACKAGES = zbar-tools fonts-droid-fallback fonts-dejavu-core shellcheck systemd curl chromium espeak-ng qemu-user-static

# axe-core is not vendored (560 KB of test tool): testdeps installs this
# version into the user's cache, where cmd/yiting's axe_test.go looks for
# it (and checks its SHA-256). Keep the two versions in step (a test does).
AXE_VERSION = 4.11.0

# test is the README's test command and what CI runs: it installs the
# packages the tests need when they are missing (as root; otherwise it
# says what to run), then runs every test with the race detector. No test
# skips because a tool is missing: it fails and says which.
test: testdeps
	go vet ./...
	go test -race -count=1 -timeout 30m ./...
	$(MAKE) --no-print-directory test-arm

# The packages whose tests also run on the Pi's processors: the domain,
# storage, the card reader, the kiosk and the printer's bytes.
ARM_PACKAGES = ./queue ./queue/access ./queue/boltstore ./queue/cases ./queue/personal ./queue/rota \
	./kiosk ./kiosk/idcard ./kiosk/idcard/idcardsim ./kiosk/local ./kiosk/panel ./printer/escpos ./printer/spool

# test-arm runs those tests built for the Pis' processors under qemu's user
# mode emulation (go test -exec, no binfmt needed): armv6 as the ARM1176 of
# a Pi 1 or Zero, armv7 as the Cortex-A7 of a Pi 2, arm64 as the Cortex-A53
# of a Pi 3. A 64-bit atomic on 32-bit ARM, an int that overflows at 32
# bits or byte order shows here, not in a hall. -short, no race detector
# (not on 32-bit ARM, and cgo is off when cross-building); YITING_EMULATED
# tells the one test that cannot run under emulation to say so and skip.
test-arm: testdeps
	GOARCH=arm GOARM=6 QEMU_CPU=arm1176 YITING_EMULATED=1 go test -short -count=1 -exec qemu-arm-static $(ARM_PACKAGES)
	GOARCH=arm GOARM=7 QEMU_CPU=cortex-a7 YITING_EMULATED=1 go test -short -count=1 -exec qemu-arm-static $(ARM_PACKAGES)
	GOARCH=arm64 QEMU_CPU=cortex-a53 YITING_EMULATED=1 go test -short -count=1 -exec qemu-aarch64-static $(ARM_PACKAGES)

testdeps:
	@missing=""; \
	for p in $(TEST_PACKAGES); do dpkg -s "$$p" >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "make test: installing$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
		else \
			echo "make test: the tests need these Debian packages:$$missing"; \
			echo "  run:  sudo apt-get install --no-install-recommends$$missing"; \
			echo "  then: make test"; \
			exit 1; \
		fi; \
	fi
	@axe="$${YITING_AXE_DIR:-$${XDG_CACHE_HOME:-$$HOME/.cache}/yiting/axe-core-$(AXE_VERSION)}"; \
	test -f "$$axe/node_modules/axe-core/axe.min.js" || { \
		command -v npm >/dev/null || { \
			if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
				echo "make test: installing npm (for axe-core)"; \
				apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null; \
			else \
				echo "make test: the tests need npm for axe-core"; echo "  run:  sudo apt-get install --no-install-recommends npm"; echo "  then: make test"; exit 1; \
			fi; }; \
		npm install --prefix "$$axe" --no-save --no-package-lock --no-audit --no-fund axe-core@$(AXE_VERSION); }

clean:
	rm -rf dist
