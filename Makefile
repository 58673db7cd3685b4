# yiting: the few commands worth a name. The real work is in the scripts;
# nothing here is needed to build or test (go build / go test ./... do).

.PHONY: all dist arm64 armv7 armv6 test clean

all: dist

# The Raspberry Pi binaries and release bundles in dist/ (deploy/build.sh).
dist:
	deploy/build.sh

arm64 armv7 armv6:
	deploy/build.sh $@

test:
	go vet ./...
	go test -race ./...

clean:
	rm -rf dist
