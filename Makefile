# mediaup: `make run` sets up, builds and opens mediaup; `make test` runs every test.
SHELL := /bin/bash
DEB_PACKAGES := libcurl4-openssl-dev libncurses-dev libsqlite3-dev libssl-dev tmux curl openssl
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BIN := .build/debug/mediaup
DEMO_DIR := .build/demo
FORMAT_PATHS := Sources Tests Package.swift

FFMPEG_FOR_TESTS = $$(command -v ffmpeg || python3 -c 'import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())')

.PHONY: setup build test ffmpeg-for-tests soak fuzz bench run sandbox screenshots format lint clean

include scripts/screenshots.mk

# Installs the Debian packages mediaup builds and tests with; does nothing when present.
setup:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi
	@command -v python3 >/dev/null || { echo "installing: python3"; $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3 >/dev/null; }
	@command -v swift >/dev/null || { echo "swift is not on PATH: install Swift 6 first (https://swift.org/install)"; exit 1; }

build: setup
	swift build

# The style check comes first: it takes two seconds, and `make format` fixes what it finds.
# The soak, the bench's smoke run and the transport's own tests run after the rest, on
# their own: beside a hundred other suites on two cores, a reused connection that dies
# mid-body (a retry the engine cannot make sooner) fails them for the machine's load.
LOAD_SENSITIVE_TESTS := SoakTests|BenchSmokeTests|CurlTransportTests

test: setup lint ffmpeg-for-tests
	swift build --build-tests
	MEDIAUP_TEST_FFMPEG=$(FFMPEG_FOR_TESTS) swift test --skip-build --skip '$(LOAD_SENSITIVE_TESTS)'
	MEDIAUP_TEST_FFMPEG=$(FFMPEG_FOR_TESTS) swift test --skip-build --filter '$(LOAD_SENSITIVE_TESTS)'

# An ffmpeg for `mediaup fix`'s tests and the bench: the one on PATH, else imageio-ffmpeg's
# (installed from PyPI when missing; from Debian where pip may not install).
ffmpeg-for-tests:
	@command -v ffmpeg >/dev/null || python3 -c 'import imageio_ffmpeg' 2>/dev/null \
		|| { echo "installing: imageio-ffmpeg (PyPI), an ffmpeg for the tests"; python3 -m pip install --quiet imageio-ffmpeg; } \
		|| { echo "pip could not install it; installing: ffmpeg (Debian)"; $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq ffmpeg >/dev/null; }

# The soak test at a bigger size (the CI-sized one runs in `make test`): 40 files through
# 503s, random resets, stalls and 429s. MEDIAUP_SOAK_SCALE (default 4) multiplies the file
# sizes, kept within WhatsApp's limits; MEDIAUP_SOAK_SEED picks the faults. Ends with one
# summary line: files, bytes, seconds, retries, bytes re-sent, refused offsets.
soak: setup
	swift build --build-tests
	@set -o pipefail; MEDIAUP_SOAK_SCALE=$${MEDIAUP_SOAK_SCALE:-4} swift test --skip-build --filter 'MediaupTests.SoakTests' 2>&1 \
		| grep -E '^soak:|✘|recorded an issue|Test run with'

# The media parsers' fuzz test, longer than in `make test`: MEDIAUP_FUZZ_ITERATIONS
# mutated corpus files (default 400,000; 4,000 in `make test`), each mutated once or
# thrice, from MEDIAUP_FUZZ_SEED (default: the clock, printed so a failure can be run
# again). Ends with one summary line: inputs, seed, unreadable verdicts, slowest verdict.
fuzz: setup
	swift build --build-tests
	@set -o pipefail; MEDIAUP_FUZZ_ITERATIONS=$${MEDIAUP_FUZZ_ITERATIONS:-400000} MEDIAUP_FUZZ_SEED=$${MEDIAUP_FUZZ_SEED:-$$(date +%s)} \
		swift test --skip-build --filter 'MalformedMediaTests/fuzz' 2>&1 | grep -E '^fuzz:|✘|recorded an issue|Test run with'

# mediaup side by side with curl on the loopback sandbox, from a release build: ten
# comparisons (throughput, memory, screen CPU, start-up, resume, media checks), a table, also
# written to bench/RESULTS.md, in the table of this machine's kind of CPU. About seven
# minutes on 2 cores once built; needs ~6 GB
# free in $$TMPDIR.
# BENCH_ONLY=1,3 runs only those comparisons.
bench: setup ffmpeg-for-tests
	swift build -c release
	python3 bench/bench.py --bin .build/release/mediaup --out bench/RESULTS.md $(if $(BENCH_ONLY),--only $(BENCH_ONLY))

# Opens the terminal UI. With D360_API_KEY set: uploads go to 360dialog, and the
# Files pane opens DIR (default: your home folder). Without it: the built-in sandbox
# runs inside mediaup (rate-limited so progress shows) and the Files pane opens a
# folder of demo files made from the test media (scripts/media-samples.py): some that
# WhatsApp takes, one it warns about, some it refuses.
run: build
	@if [ -n "$$D360_API_KEY" ]; then \
		$(BIN) tui "$${DIR:-$$HOME}"; \
	else \
		mkdir -p $(DEMO_DIR); \
		python3 scripts/media-samples.py $(DEMO_DIR) >/dev/null; \
		$(BIN) tui --sandbox "$${DIR:-$(DEMO_DIR)}"; \
	fi

# The built-in sandbox on 127.0.0.1:8360 (key: sandbox) until Ctrl-C.
sandbox: build
	$(BIN) sandbox

# Regenerates screenshots/*.png from a real run in tmux (see scripts/screenshots.sh).
screenshots: screenshots-deps build
	$(PYTHON) -m unittest discover -s scripts -p 'test_*.py'
	bash scripts/screenshots.sh

# Rewrites the sources in the style .swift-format describes.
format:
	swift format --in-place --configuration .swift-format -r $(FORMAT_PATHS)

# Fails when any source differs from that style (prints where); changes nothing.
lint:
	swift format lint --strict --configuration .swift-format -r $(FORMAT_PATHS)

clean:
	rm -rf .build
