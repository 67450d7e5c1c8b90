#ifndef TBDASH_CNCURSESW_SHIM_H
#define TBDASH_CNCURSESW_SHIM_H
/* SwiftPM drops pkg-config's -D flags: without these the wide-character API is invisible. */
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <stdio.h>
#include <wchar.h>
#include <ncurses.h>
#include <term.h>

/* glibc hides these from Swift without _XOPEN_SOURCE; declare them ourselves. */
extern int wcwidth(wchar_t c);
extern int wcswidth(const wchar_t *s, size_t n);

/* getmaxx/getmaxy and COLOR_PAIR are macros, and stdscr/COLS/LINES are globals that
   Swift 6 cannot read safely: small accessors instead. */
static inline int tbdash_maxx(WINDOW *w) { return getmaxx(w); }
static inline int tbdash_maxy(WINDOW *w) { return getmaxy(w); }
static inline attr_t tbdash_color_pair(short n) { return (attr_t)COLOR_PAIR(n); }
static inline int tbdash_colors(void) { return COLORS; }
static inline int tbdash_key_resize(void) { return KEY_RESIZE; }
static inline int tbdash_err(void) { return ERR; }
static inline attr_t tbdash_a_bold(void) { return A_BOLD; }
static inline attr_t tbdash_a_dim(void) { return A_DIM; }
static inline attr_t tbdash_a_reverse(void) { return A_REVERSE; }
static inline attr_t tbdash_a_normal(void) { return A_NORMAL; }
static inline attr_t tbdash_a_underline(void) { return A_UNDERLINE; }
#endif
