#include "CSQLiteShim.h"

#include <sqlite3.h>

int canto_sqlite_stop_counting_memory(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

const char *canto_sqlite_version(void) {
    return sqlite3_libversion();
}
