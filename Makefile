# mediaup: `make run` sets up, builds and opens mediaup; `make test` runs every test.
SHELL := /bin/bash
DEB_PACKAGES := libcurl4-openssl-dev libncurses-dev libsqlite3-dev libssl-dev tmux curl
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BIN := .build/debug/mediaup
DEMO_DIR := .build/demo

.PHONY: setup build test run sandbox clean

# Installs the Debian packages mediaup builds and tests with; does nothing when present.
setup:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi
	@command -v swift >/dev/null || { echo "swift is not on PATH: install Swift 6 first (https://swift.org/install)"; exit 1; }

build: setup
	swift build

test: setup
	swift build --build-tests
	swift test --skip-build

# With D360_API_KEY set: uploads go to 360dialog (MEDIAUP_BASE_URL to change the host).
# Without it: a demo against the built-in sandbox, with a rate limit so progress shows.
run: build
	@if [ -n "$$D360_API_KEY" ]; then \
		$(BIN) --help; \
	else \
		mkdir -p $(DEMO_DIR); \
		head -c 3000000 /dev/urandom | { printf '\x89PNG\r\n\x1a\n'; cat; } > $(DEMO_DIR)/poster.png; \
		head -c 6000000 /dev/urandom | { printf '%%PDF-1.7\n'; cat; } > $(DEMO_DIR)/brochure.pdf; \
		$(BIN) sandbox --port 8361 --rate 2000000 --state-dir $(DEMO_DIR)/state > $(DEMO_DIR)/sandbox.log 2>&1 & pid=$$!; \
		trap "kill $$pid 2>/dev/null" EXIT; sleep 1; \
		MEDIAUP_BASE_URL=http://127.0.0.1:8361 D360_API_KEY=sandbox $(BIN) upload --state-dir $(DEMO_DIR)/state $(DEMO_DIR)/poster.png $(DEMO_DIR)/brochure.pdf; \
		echo; echo "sessions in the demo journal:"; $(BIN) sessions --state-dir $(DEMO_DIR)/state; \
	fi

# The built-in sandbox on 127.0.0.1:8360 (key: sandbox) until Ctrl-C.
sandbox: build
	$(BIN) sandbox

clean:
	rm -rf .build
