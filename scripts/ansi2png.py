#!/usr/bin/env python3
"""Render a terminal capture with SGR escapes as a PNG of a dark terminal.

Input is what `tmux capture-pane -p -e` prints: one screen row per line, colors and
attributes as SGR sequences (16/256/truecolor foreground and background, bold, dim,
italic, underline, reverse, hidden, strikethrough, resets). Other escape sequences
are skipped.

Usage: python3 scripts/ansi2png.py capture.ansi out.png [--title TEXT] [--cols N]
       (capture.ansi may be "-" for standard input)

Needs Pillow. Cells are placed as tmux placed them: each character takes the width
the C library's wcwidth gives it (what tmux itself uses; else the wcwidth package,
else unicodedata.east_asian_width), a regional indicator one cell (a flag is two), and
a character after a zero-width joiner joins the cell before it (tmux draws 👨‍👩‍👧 in
the two cells of 👨). Wide characters (CJK, emoji) take two cells. Glyphs
missing from DejaVu Sans Mono come from a fallback font (Droid Sans Fallback, Noto);
a character no font has is drawn as an outlined box of its width, so alignment stays
visible.
"""

import argparse
import os
import re
import sys
import unicodedata

try:
    from PIL import Image, ImageDraw, ImageFont
except ImportError:  # pragma: no cover - message for people without the deps
    sys.exit("ansi2png.py needs Pillow: pip install -r scripts/requirements-screenshots.txt")

try:
    from wcwidth import wcwidth as _wcwidth
except ImportError:
    _wcwidth = None


def _libc_wcwidth():
    """The C library's wcwidth in a UTF-8 locale, as tmux counts cells; None if not found."""
    try:
        import ctypes
        import ctypes.util

        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        lc_ctype = 0  # glibc's LC_CTYPE
        if not any(libc.setlocale(lc_ctype, name) for name in (b"C.UTF-8", b"C.utf8", b"en_US.UTF-8")):
            return None
        function = libc.wcwidth
        function.argtypes = [ctypes.c_wchar]
        function.restype = ctypes.c_int
        if function("\u65e5") != 2:  # not a UTF-8 locale after all
            return None
        return function
    except (OSError, AttributeError, TypeError):
        return None


_libc_width = _libc_wcwidth()
ZWJ = "\u200d"

FONT_DIR = "/usr/share/fonts/truetype"
REGULAR = FONT_DIR + "/dejavu/DejaVuSansMono.ttf"
BOLD = FONT_DIR + "/dejavu/DejaVuSansMono-Bold.ttf"
FALLBACKS = [
    FONT_DIR + "/droid/DroidSansFallbackFull.ttf",
    FONT_DIR + "/noto/NotoSansMono-Regular.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf",
]

BACKGROUND = (0x1E, 0x1F, 0x29)
FOREGROUND = (0xD8, 0xDA, 0xE0)
TITLE_BACKGROUND = (0x2A, 0x2C, 0x38)
TITLE_FOREGROUND = (0x9A, 0x9C, 0xA8)
# The 16 ANSI colors: a dark theme close to common terminal defaults.
ANSI16 = [
    (0x28, 0x2A, 0x36), (0xE0, 0x5A, 0x5A), (0x5F, 0xC8, 0x6E), (0xE5, 0xC0, 0x4F),
    (0x5A, 0x8D, 0xEE), (0xC6, 0x78, 0xDD), (0x4F, 0xC1, 0xD4), (0xC8, 0xCA, 0xD2),
    (0x5C, 0x60, 0x70), (0xFF, 0x7B, 0x7B), (0x8A, 0xE6, 0x8F), (0xFF, 0xE0, 0x7A),
    (0x82, 0xAA, 0xFF), (0xE0, 0x9C, 0xF5), (0x7F, 0xE3, 0xF0), (0xFF, 0xFF, 0xFF),
]


def xterm256(n):
    """The RGB of xterm color n (0-255)."""
    if n < 16:
        return ANSI16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    level = 8 + (n - 232) * 10
    return (level, level, level)


def char_width(ch):
    """Cells `ch` takes on its own in tmux: 0 for combining marks and format characters
    (the zero-width joiner, variation selectors), 2 for wide characters, else 1."""
    if _libc_width is not None:
        w = _libc_width(ch)
        if w >= 0:
            return w
    if 0x1F1E6 <= ord(ch) <= 0x1F1FF:
        return 1  # a regional indicator: tmux gives each half of a flag one cell
    if _wcwidth is not None:
        w = _wcwidth(ch)
        if w >= 0:
            return w
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


class Style:
    __slots__ = ("fg", "bg", "bold", "dim", "italic", "underline", "reverse", "hidden", "strike")

    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = None  # None: default color; else an RGB tuple
        self.bg = None
        self.bold = self.dim = self.italic = self.underline = False
        self.reverse = self.hidden = self.strike = False

    def copy(self):
        other = Style()
        for name in self.__slots__:
            setattr(other, name, getattr(self, name))
        return other

    def colors(self):
        """(foreground, background) as drawn: defaults resolved, reverse and dim applied."""
        fg = self.fg or FOREGROUND
        bg = self.bg or BACKGROUND
        if self.reverse:
            fg, bg = bg, fg
        if self.dim:
            fg = tuple((f + b) // 2 for f, b in zip(fg, bg))
        if self.hidden:
            fg = bg
        return fg, bg


def extended_color(params, i):
    """Parses 5;n or 2;r;g;b after a 38/48 at params[i]; returns (color, next index)."""
    if i + 1 < len(params) and params[i + 1] == 5 and i + 2 < len(params):
        return xterm256(max(0, min(255, params[i + 2]))), i + 3
    if i + 1 < len(params) and params[i + 1] == 2 and i + 4 < len(params):
        r, g, b = (max(0, min(255, v)) for v in params[i + 2:i + 5])
        return (r, g, b), i + 5
    return None, len(params)


def apply_sgr(style, text):
    """Applies the parameters of one `ESC [ text m` to `style`."""
    groups = text.split(";") if text else ["0"]
    params = []
    for group in groups:
        if ":" in group:
            # ITU form 38:2:<colorspace>:r:g:b or 38:2:r:g:b, and 38:5:n: flatten it.
            parts = [p for p in group.split(":")]
            if len(parts) >= 6 and parts[1] == "2":
                parts = parts[:2] + parts[-3:]
            params.extend(int(p) if p.isdigit() else 0 for p in parts)
        else:
            params.append(int(group) if group.isdigit() else 0)
    i = 0
    while i < len(params):
        p = params[i]
        if p == 0:
            style.reset()
        elif p == 1:
            style.bold = True
        elif p == 2:
            style.dim = True
        elif p == 3:
            style.italic = True
        elif p in (4, 21):
            style.underline = True
        elif p == 7:
            style.reverse = True
        elif p == 8:
            style.hidden = True
        elif p == 9:
            style.strike = True
        elif p == 22:
            style.bold = style.dim = False
        elif p == 23:
            style.italic = False
        elif p == 24:
            style.underline = False
        elif p == 27:
            style.reverse = False
        elif p == 28:
            style.hidden = False
        elif p == 29:
            style.strike = False
        elif 30 <= p <= 37:
            style.fg = ANSI16[p - 30]
        elif p == 38:
            color, i = extended_color(params, i)
            style.fg = color or style.fg
            continue
        elif p == 39:
            style.fg = None
        elif 40 <= p <= 47:
            style.bg = ANSI16[p - 40]
        elif p == 48:
            color, i = extended_color(params, i)
            style.bg = color or style.bg
            continue
        elif p == 49:
            style.bg = None
        elif 90 <= p <= 97:
            style.fg = ANSI16[p - 90 + 8]
        elif 100 <= p <= 107:
            style.bg = ANSI16[p - 100 + 8]
        i += 1


# CSI (parameters, intermediates, final byte), OSC (to BEL or ST), other 2-byte escapes.
ESCAPE = re.compile(r"\x1b\[([0-?]*)([ -/]*)([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


def parse(text):
    """Rows of cells; a cell is (text, style, width) with width 1 or 2, or None for the
    right half of a wide character. The style carries across rows, as on a terminal."""
    style = Style()
    rows = []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for line in lines:
        row = []
        pos = 0
        for match in ESCAPE.finditer(line):
            add_text(row, line[pos:match.start()], style)
            if match.group(3) == "m" and not match.group(2):
                apply_sgr(style, match.group(1))
            pos = match.end()
        add_text(row, line[pos:], style)
        rows.append(row)
    return rows


def add_text(row, text, style):
    joined = bool(row) and _last_glyph(row).endswith(ZWJ)
    for ch in text:
        if ch == "\t":
            for _ in range(8 - len(row) % 8):
                row.append((" ", style.copy(), 1))
            continue
        if ch == "\r" or (ord(ch) < 32) or ch == "\x7f":
            continue
        # After a zero-width joiner the character joins the cell before it, as in tmux.
        width = 0 if joined else char_width(ch)
        joined = ch == ZWJ
        if width == 0:
            # A combining mark joins the character before it.
            for back in range(len(row) - 1, -1, -1):
                if row[back] is not None:
                    glyph, cell_style, cell_width = row[back]
                    row[back] = (glyph + ch, cell_style, cell_width)
                    break
            continue
        row.append((ch, style.copy(), width))
        if width == 2:
            row.append(None)


def _last_glyph(row):
    for cell in reversed(row):
        if cell is not None:
            return cell[0]
    return ""


class Fonts:
    """DejaVu Sans Mono (regular and bold) with fallbacks for glyphs it lacks."""

    def __init__(self, size):
        self.regular = ImageFont.truetype(REGULAR, size)
        self.bold = ImageFont.truetype(BOLD, size)
        self.fallbacks = [ImageFont.truetype(path, size) for path in FALLBACKS if os.path.exists(path)
                          and not path.endswith("ColorEmoji.ttf")]
        self._notdef = {}
        self._cache = {}
        ascent, descent = self.regular.getmetrics()
        self.ascent = ascent
        self.cell_width = round(self.regular.getlength("M"))
        self.cell_height = ascent + descent + max(1, size // 6)

    def _has_glyph(self, font, text):
        # Pillow cannot ask a font for its character map; a missing glyph renders as
        # .notdef, so compare with the rendering of a code point no font has.
        if id(font) not in self._notdef:
            mask = font.getmask("\U0010FFFD")
            self._notdef[id(font)] = (mask.size, bytes(mask))
        mask = font.getmask(text[0])
        return (mask.size, bytes(mask)) != self._notdef[id(font)]

    def font_for(self, text, bold):
        """The font that has `text`'s first character, or None."""
        key = (text[0], bold)
        if key not in self._cache:
            primary = self.bold if bold else self.regular
            found = None
            for font in [primary] + self.fallbacks:
                if self._has_glyph(font, text):
                    found = font
                    break
            self._cache[key] = found
        return self._cache[key]


def render(rows, columns, title, font_size, padding):
    fonts = Fonts(font_size)
    cw, ch = fonts.cell_width, fonts.cell_height
    title_height = ch + padding if title else 0
    width = columns * cw + 2 * padding
    height = title_height + max(1, len(rows)) * ch + 2 * padding
    image = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(image)

    if title:
        draw.rectangle([0, 0, width, title_height - 1], fill=TITLE_BACKGROUND)
        for k, color in enumerate([(0xE0, 0x5A, 0x5A), (0xE5, 0xC0, 0x4F), (0x5F, 0xC8, 0x6E)]):
            cx = padding + k * (ch * 0.8) + ch * 0.3
            cy = title_height / 2
            r = ch * 0.22
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=color)
        text_width = fonts.regular.getlength(title)
        draw.text(((width - text_width) / 2, (title_height - ch) / 2 + 1),
                  title, font=fonts.regular, fill=TITLE_FOREGROUND)

    top = title_height + padding
    for y, row in enumerate(rows):
        py = top + y * ch
        # Backgrounds first, so a wide glyph is never painted over by its neighbor.
        for x, cell in enumerate(row[:columns]):
            if cell is None:
                continue
            _, style, cell_width = cell
            fg, bg = style.colors()
            if bg != BACKGROUND:
                span = min(cell_width, columns - x)
                draw.rectangle([padding + x * cw, py, padding + (x + span) * cw - 1, py + ch - 1], fill=bg)
        for x, cell in enumerate(row[:columns]):
            if cell is None:
                continue
            text, style, cell_width = cell
            fg, _ = style.colors()
            px = padding + x * cw
            span = min(cell_width, columns - x)
            if text.strip():
                font = fonts.font_for(text, style.bold)
                if font is None:
                    # No font has it: an outlined box of the character's width.
                    draw.rounded_rectangle([px + 2, py + 3, px + span * cw - 3, py + ch - 4],
                                           radius=3, outline=fg, width=1)
                else:
                    glyph_width = font.getlength(text)
                    # Center glyphs (wide ones and fallback-font ones) in their cells.
                    gx = px + max(0, (span * cw - glyph_width) / 2) if (span > 1 or font not in
                                                                       (fonts.regular, fonts.bold)) else px
                    if font in (fonts.regular, fonts.bold):
                        draw.text((gx, py), text, font=font, fill=fg)
                    else:
                        # Align the fallback font's baseline with DejaVu's.
                        draw.text((gx, py + fonts.ascent), text, font=font, fill=fg, anchor="ls")
                    if style.bold and font not in (fonts.regular, fonts.bold):
                        draw.text((gx + 1, py + fonts.ascent), text, font=font, fill=fg, anchor="ls")
            if style.underline:
                uy = py + fonts.ascent + 2
                draw.line([px, uy, px + span * cw - 1, uy], fill=fg)
            if style.strike:
                sy = py + ch // 2
                draw.line([px, sy, px + span * cw - 1, sy], fill=fg)
    return image


def main(argv=None):
    parser = argparse.ArgumentParser(description="Render a `tmux capture-pane -p -e` capture as a PNG.")
    parser.add_argument("capture", help="the capture file, or - for standard input")
    parser.add_argument("output", help="the PNG to write")
    parser.add_argument("--title", help="a title bar above the screen")
    parser.add_argument("--cols", type=int, help="screen width in cells (default: the widest row)")
    parser.add_argument("--font-size", type=int, default=15, help="font size in pixels (default 15)")
    parser.add_argument("--padding", type=int, default=12, help="padding in pixels (default 12)")
    args = parser.parse_args(argv)

    if args.capture == "-":
        data = sys.stdin.buffer.read()
    else:
        with open(args.capture, "rb") as f:
            data = f.read()
    rows = parse(data.decode("utf-8", errors="replace"))
    columns = args.cols or max([len(row) for row in rows] + [1])
    render(rows, columns, args.title, args.font_size, args.padding).save(args.output)


if __name__ == "__main__":
    main()
