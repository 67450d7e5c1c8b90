#include "terminal_rescue.h"
#include <signal.h>
#include <string.h>
#include <unistd.h>

static struct sigaction previous_actions[NSIG];
static char restore_bytes[256];
static int restore_count;
static struct termios saved_modes;
static int have_modes;
static const int rescued_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP };
#define RESCUED_COUNT (sizeof rescued_signals / sizeof rescued_signals[0])

static void rescue(int number) {
    if (restore_count > 0) {
        ssize_t written = write(STDOUT_FILENO, restore_bytes, (size_t)restore_count);
        (void)written;
    }
    if (have_modes) tcsetattr(STDIN_FILENO, TCSANOW, &saved_modes);
    sigaction(number, &previous_actions[number], 0);
    raise(number);
}

void tbdash_rescue_arm(const char *bytes, int count, const struct termios *modes) {
    restore_count = count < (int)sizeof restore_bytes ? count : (int)sizeof restore_bytes;
    memcpy(restore_bytes, bytes, (size_t)restore_count);
    have_modes = modes != 0;
    if (modes) saved_modes = *modes;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = rescue;
    sigemptyset(&action.sa_mask);
    for (unsigned i = 0; i < RESCUED_COUNT; i++) {
        sigaction(rescued_signals[i], &action, &previous_actions[rescued_signals[i]]);
    }
}

void tbdash_rescue_disarm(void) {
    for (unsigned i = 0; i < RESCUED_COUNT; i++) {
        sigaction(rescued_signals[i], &previous_actions[rescued_signals[i]], 0);
    }
}
