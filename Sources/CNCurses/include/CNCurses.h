#ifndef MEDIAUP_CNCURSES_H
#define MEDIAUP_CNCURSES_H
// Placeholder until the backend lands: ncursesw's wide-character API.
#define NCURSES_WIDECHAR 1
#include <ncursesw/curses.h>
#endif
