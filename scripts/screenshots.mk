# Screenshot plumbing, for the main Makefile to include:
#     include scripts/screenshots.mk
# and then depend on it, e.g.  screenshots: screenshots-deps build
# `screenshots-deps` pip-installs scripts/requirements-screenshots.txt (Pillow, wcwidth)
# only when python3 cannot import them already, and Debian's fonts-droid-fallback (the CJK
# glyphs DejaVu lacks) when it is missing; `ANSI2PNG` renders a capture made with
# `tmux capture-pane -p -e`:  $(ANSI2PNG) shot.ansi shot.png --title "..." --cols 120

PYTHON ?= python3
SCREENSHOTS_REQUIREMENTS := scripts/requirements-screenshots.txt
ANSI2PNG := $(PYTHON) scripts/ansi2png.py

.PHONY: screenshots-deps

screenshots-deps:
	@$(PYTHON) -c 'import PIL, wcwidth' 2>/dev/null || \
		$(PYTHON) -m pip install --quiet -r $(SCREENSHOTS_REQUIREMENTS)
	@dpkg -s fonts-droid-fallback >/dev/null 2>&1 || { echo "installing: fonts-droid-fallback"; \
		$(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq fonts-droid-fallback >/dev/null; }

# Any capture beside its PNG: `make docs/shots/queue.png` renders docs/shots/queue.ansi.
%.png: %.ansi scripts/ansi2png.py | screenshots-deps
	$(ANSI2PNG) $< $@
