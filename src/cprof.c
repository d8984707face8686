/*
 * src/cprof.c: the module's magic block.
 *
 * cprof keeps no global state and defines no settings (GUCs): every result
 * is computed from the function's arguments alone, so the library needs no
 * _PG_init.
 */
#include "postgres.h"

#include "fmgr.h"

PG_MODULE_MAGIC;
