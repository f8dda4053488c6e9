/* Numbered schema migrations, compiled in from src/store/migrations/<backend>/
 * NNNN_<what>.sql by CMake. The number in the file name is the version
 * recorded once applied; arrays end with version 0. */
#ifndef BK_STORE_MIGRATIONS_H
#define BK_STORE_MIGRATIONS_H

#include <stddef.h>

struct migration {
    int version;
    const char *name;
    const char *sql;
};

extern const struct migration sqlite_migrations[];
extern const struct migration pgsql_migrations[];
extern const struct migration mysql_migrations[];

#endif
