# yiting: the few commands worth a name. The real work is in the scripts;
# nothing here is needed to build (go build does).

.PHONY: all dist arm64 armv7 armv6 test testdeps clean

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
# espeak-ng speaks the board. npm (Debian's package, or the one that comes
# with Node.js: either will do, so it is not in this list) fetches axe-core,
# which checks the pages' accessibility in Chromium.
TEST_PACKAGES = zbar-tools fonts-droid-fallback fonts-dejavu-core shellcheck systemd curl chromium espeak-ng

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
		command -v npm >/dev/null || { echo "make test: the tests need npm for axe-core: sudo apt-get install npm"; exit 1; }; \
		npm install --prefix "$$axe" --no-save --no-package-lock --no-audit --no-fund axe-core@$(AXE_VERSION); }

clean:
	rm -rf dist
