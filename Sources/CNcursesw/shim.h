#ifndef TBDASH_CNCURSESW_SHIM_H
#define TBDASH_CNCURSESW_SHIM_H
/* SwiftPM drops pkg-config's -D flags: without these the wide-character API is invisible. */
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <wchar.h>
#include <ncurses.h>
#include <term.h>

/* getmaxx/getmaxy and COLOR_PAIR are macros, and stdscr/COLS/LINES are globals that
   Swift 6 cannot read safely: small accessors instead. */
static inline int tbdash_maxx(WINDOW *w) { return getmaxx(w); }
static inline int tbdash_maxy(WINDOW *w) { return getmaxy(w); }
static inline int tbdash_colors(void) { return COLORS; }
static inline int tbdash_color_pairs(void) { return COLOR_PAIRS; }
static inline int tbdash_key_resize(void) { return KEY_RESIZE; }
static inline int tbdash_err(void) { return ERR; }
static inline attr_t tbdash_a_bold(void) { return A_BOLD; }
static inline attr_t tbdash_a_dim(void) { return A_DIM; }
static inline attr_t tbdash_a_reverse(void) { return A_REVERSE; }
static inline attr_t tbdash_a_normal(void) { return A_NORMAL; }
static inline attr_t tbdash_a_underline(void) { return A_UNDERLINE; }

/* What terminfo says about the terminal TERM names, asked with setupterm, which (unlike
   initscr) neither prints nor exits: 1 usable (it can address the cursor), 2 known but
   without cursor addressing (TERM=dumb), 0 unknown (or TERM unset), -1 no terminfo
   database at all. */
static inline int tbdash_terminal_support(void) {
    int status = 0;
    if (setupterm(NULL, 1, &status) != OK) return status == -1 ? -1 : 0;
    const char *cup = tigetstr("cup");
    int usable = cup != NULL && cup != (const char *)-1;
    del_curterm(cur_term);
    return usable ? 1 : 2;
}

/* newterm on the process's own stdout/stdin (C's stdout is not usable from Swift 6);
   NULL on failure, where initscr would print and exit. */
static inline WINDOW *tbdash_start_screen(void) {
    return newterm(NULL, stdout, stdin) == NULL ? NULL : stdscr;
}

/* True when the locale's character set is UTF-8 (after setlocale). */
static inline int tbdash_locale_is_utf8(void) {
    const char *codeset = nl_langinfo(CODESET);
    return codeset != 0 && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0);
}
#endif
