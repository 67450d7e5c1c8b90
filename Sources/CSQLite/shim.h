#include <sqlite3.h>

// SQLITE_TRANSIENT is a cast macro Swift cannot import: "copy the bytes before returning".
static inline sqlite3_destructor_type tbdash_sqlite_transient(void) { return SQLITE_TRANSIENT; }
