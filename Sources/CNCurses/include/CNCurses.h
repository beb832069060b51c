#ifndef MEDIAUP_CNCURSES_H
#define MEDIAUP_CNCURSES_H

// Typed entry points for the parts of ncursesw that Swift cannot call: macros
// (attribute bits, getmaxyx), and global variables (stdscr, COLORS, COLOR_PAIRS),
// which Swift 6 refuses to touch as shared mutable state. Each wrapper forwards one
// call or reads one value; none holds any logic.
#define NCURSES_WIDECHAR 1
#include <ncursesw/curses.h>
#include <wchar.h>

/// The standard screen (`stdscr`).
WINDOW *mediaup_nc_stdscr(void);
/// `curscr`, for `clearok(curscr, TRUE)` (repaint everything on the next refresh).
WINDOW *mediaup_nc_curscr(void);

/// Columns / rows of `win` (the `getmaxyx` macro).
int mediaup_nc_width(const WINDOW *win);
int mediaup_nc_height(const WINDOW *win);

/// Colours / pairs the terminal has (the `COLORS` / `COLOR_PAIRS` globals).
int mediaup_nc_colors(void);
int mediaup_nc_color_pairs(void);

/// Attribute bits (`A_NORMAL`, `A_BOLD`, `A_REVERSE`, `A_DIM` are macros).
attr_t mediaup_nc_attr_normal(void);
attr_t mediaup_nc_attr_bold(void);
attr_t mediaup_nc_attr_reverse(void);
attr_t mediaup_nc_attr_dim(void);

/// Draws one cell at (`y`, `x`): `text` is a NUL-terminated spacing character
/// followed by at most CCHARW_MAX - 1 combining characters (`setcchar` +
/// `mvwadd_wch`). Returns ERR if `setcchar` refused the text, else the result of
/// `mvwadd_wch` (ERR also on the bottom-right cell of a window that does not
/// scroll, where the cell is written all the same).
int mediaup_nc_put_cell(WINDOW *win, int y, int x, const wchar_t *text, attr_t attrs, short pair);

/// `setupterm(term, 1, &error)`, then releases what it loaded (`del_curterm(cur_term)`)
/// after reading whether the terminal can place the cursor (`tigetstr("cup")` is a
/// string): 1 it can, 0 it cannot, -1 terminfo does not know `term` (or has no
/// database), with `error` as `setupterm` set it.
int mediaup_nc_probe_terminal(const char *term, int *error);

/// Columns the C library (and so ncurses) gives `c`: -1 unprintable, 0 combining.
/// Swift does not see `wcwidth`, which glibc declares only under _XOPEN_SOURCE.
int mediaup_nc_wcwidth(wchar_t c);

/// `tigetstr(name)`: the terminal's string capability `name`, NULL if it has none,
/// `(char *)-1` if `name` is not a string capability.
const char *mediaup_nc_string_capability(const char *name);

/// `tiparm(cursor_address, y, x)`: the bytes that put the cursor at (`y`, `x`), to send
/// with `tputs`. Swift cannot call the variadic `tiparm`.
const char *mediaup_nc_cursor_address(int y, int x);

/// `tputs(text, 1, out)`: sends a capability's bytes (with its padding) through `out`.
int mediaup_nc_tputs(const char *text, int (*out)(int));

/// `wget_wch`: OK with a character, KEY_CODE_YES with a key code, ERR with nothing.
int mediaup_nc_get_wch(WINDOW *win, wint_t *value);

#endif
