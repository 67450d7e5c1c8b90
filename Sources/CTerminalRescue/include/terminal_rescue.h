#ifndef TBDASH_TERMINAL_RESCUE_H
#define TBDASH_TERMINAL_RESCUE_H
#include <termios.h>

/* If the process dies on a crash signal while the dashboard owns the terminal, write
   `bytes` (leave the alternate screen, show the cursor, reset colours) and restore
   `modes`, then hand the signal to whoever handled it before (Swift's crash reporter).
   In C because a signal handler may only make async-signal-safe calls. */
void tbdash_rescue_arm(const char *bytes, int count, const struct termios *modes);
void tbdash_rescue_disarm(void);
#endif
