/*
 * src/cprof.c: the module's magic block.
 *
 * cprof keeps no global state: every setting a session can change is a GUC
 * and every result is computed from the arguments, so the library needs no
 * _PG_init.
 */
#include "postgres.h"

#include "fmgr.h"

PG_MODULE_MAGIC;
