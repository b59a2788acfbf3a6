// CSQLiteShim: the process-wide SQLite settings Swift cannot reach (sqlite3_config is variadic).
#ifndef CANTO_SQLITE_SHIM_H
#define CANTO_SQLITE_SHIM_H

#ifdef __cplusplus
extern "C" {
#endif

/// Stops SQLite counting its heap (`SQLITE_CONFIG_MEMSTATUS` off). The count takes one global
/// mutex on every allocation SQLite makes, and Debian's SQLite is built without lookaside
/// memory, so every statement step allocates: readers on several threads queue on that mutex.
/// Only takes effect before SQLite is first initialised in the process. Returns SQLite's result
/// code (0 when applied; 21, SQLITE_MISUSE, when SQLite was already initialised).
int canto_sqlite_stop_counting_memory(void);

/// The version of the SQLite library linked in ("3.40.1").
const char *canto_sqlite_version(void);

#ifdef __cplusplus
}
#endif

#endif
