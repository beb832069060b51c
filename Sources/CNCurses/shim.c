#define _XOPEN_SOURCE 700  /* wcwidth */
#include "CNCurses.h"
#include <ncursesw/term.h>

WINDOW *mediaup_nc_stdscr(void) { return stdscr; }
WINDOW *mediaup_nc_curscr(void) { return curscr; }

int mediaup_nc_width(const WINDOW *win) { return getmaxx(win); }
int mediaup_nc_height(const WINDOW *win) { return getmaxy(win); }

int mediaup_nc_colors(void) { return COLORS; }
int mediaup_nc_color_pairs(void) { return COLOR_PAIRS; }

attr_t mediaup_nc_attr_normal(void) { return A_NORMAL; }
attr_t mediaup_nc_attr_bold(void) { return A_BOLD; }
attr_t mediaup_nc_attr_reverse(void) { return A_REVERSE; }
attr_t mediaup_nc_attr_dim(void) { return A_DIM; }

int mediaup_nc_put_cell(WINDOW *win, int y, int x, const wchar_t *text, attr_t attrs, short pair) {
    cchar_t cell;
    if (setcchar(&cell, text, attrs, pair, NULL) == ERR) return ERR;
    return mvwadd_wch(win, y, x, &cell);
}

int mediaup_nc_get_wch(WINDOW *win, wint_t *value) { return wget_wch(win, value); }

int mediaup_nc_wcwidth(wchar_t c) { return wcwidth(c); }

const char *mediaup_nc_string_capability(const char *name) { return tigetstr(name); }

int mediaup_nc_tputs(const char *text, int (*out)(int)) { return tputs(text, 1, out); }

const char *mediaup_nc_cursor_address(int y, int x) { return tiparm(cursor_address, y, x); }

int mediaup_nc_probe_terminal(const char *term, int *error) {
    if (setupterm(term, 1, error) == ERR) return -1;
    char *address = tigetstr("cup");
    int can = address != NULL && address != (char *)-1;
    del_curterm(cur_term);
    return can;
}
