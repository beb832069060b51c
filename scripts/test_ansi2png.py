"""Checks that ansi2png.py places cells where tmux 3.3a places them.

Run: python3 -m unittest discover -s scripts -p 'test_*.py'
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ansi2png  # noqa: E402

# Columns tmux 3.3a gives each cluster, measured by printing "A<cluster>" and then a
# marker at an absolute column into a pane, and counting the blanks left between them.
TMUX_WIDTHS = [
    ("\U0001F468\u200D\U0001F469\u200D\U0001F467", 2),  # a ZWJ family: the first emoji's cells
    ("\U0001F3F3\uFE0F\u200D\U0001F308", 1),  # rainbow flag: 🏳 is narrow
    ("\U0001F1EF\U0001F1F5", 2),  # a flag: two regional indicators of one cell
    ("\U0001F1EF", 1),
    ("\U0001F44D\U0001F3FD", 4),  # the skin tone is a wide cell of its own
    ("1\uFE0F\u20E3", 1),
    ("\u2764\uFE0F", 1),
    ("\u65E5", 2),
    ("e\u0301", 1),
    # The screenshots' wide name (not measured raw: each CJK character is two cells, as
    # the Files pane of a capture lines up).
    ("\u83DC\u5355-\u30E1\u30CB\u30E5\u30FC.png", 17),
]


def marker_column(text):
    row = []
    ansi2png.add_text(row, "A" + text + "|", ansi2png.Style())
    return next(x for x, cell in enumerate(row) if cell is not None and cell[0] == "|")


class PlacesCellsAsTmux(unittest.TestCase):
    def test_clusters_take_the_columns_tmux_gives_them(self):
        for text, width in TMUX_WIDTHS:
            with self.subTest(text=text):
                self.assertEqual(marker_column(text), 1 + width)

    def test_without_the_c_library_too(self):
        saved = ansi2png._libc_width
        ansi2png._libc_width = None
        try:
            self.test_clusters_take_the_columns_tmux_gives_them()
        finally:
            ansi2png._libc_width = saved


if __name__ == "__main__":
    unittest.main()
