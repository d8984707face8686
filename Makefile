# cprof: PGXS build.  `make demo`, `make test` and `make bench` set up
# everything they need (Debian packages, a throwaway cluster); `make install`
# and `make installcheck` keep their usual PGXS meaning against an existing
# server, honouring PG_CONFIG.

EXTENSION = cprof
MODULE_big = cprof
OBJS = $(patsubst %.c,%.o,$(wildcard src/*.c))
DATA = $(wildcard sql/cprof--*.sql)
# Every sql/*.sql that is not an extension script is a pg_regress test, run in
# name order.
REGRESS = $(sort $(patsubst sql/%.sql,%,$(filter-out sql/cprof--%.sql,$(wildcard sql/*.sql))))

PG_CFLAGS = -std=gnu11 -Wall -Wextra -Werror
# The server headers are included as system headers: -Wextra then checks
# cprof's code, not PostgreSQL's (whose inline functions have unused
# parameters).
PG_CPPFLAGS = -isystem $(shell $(PG_CONFIG) --includedir-server 2>/dev/null)
EXTRA_CLEAN = tmp_install results regression.diffs regression.out

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(PGXS),)
# No JIT bitcode: it would need clang at build time and buys nothing here.
override with_llvm = no
include $(PGXS)
else
# No server headers yet: only the targets below, which install them, work.
all install installcheck:
	@echo "cprof: PostgreSQL server headers not found; run 'make test' or 'make demo' to install them" >&2; exit 1
endif

BENCH_N ?= 10000000

.PHONY: test demo bench test-all test-cdnow test-clv demo-start demo-psql demo-stop \
	check-version deb deb-installcheck dist test-clients test-docs test-citus test-fdw bench-citus \
	test-fuzz test-statefuzz test-cancel test-valgrind
test:
	@bash test/run.sh test
demo:
	@bash test/run.sh demo
bench:
	@bash test/run.sh bench $(BENCH_N)
# The SQL examples of README.md and docs/*.md against their printed output;
# PAGE=docs/x.md (or several, space-separated) checks only those pages.
test-docs:
	@bash test/run.sh docs $(PAGE)
# Every kind of result read through psycopg 3 and node-postgres.
test-clients:
	@bash test/run.sh clients
# A demo cluster to keep exploring (test/demo_cluster.sh): in ./demo-cluster,
# on 127.0.0.1, with cprof and the demo data (schema cprof_demo) loaded.
demo-start:
	@bash test/demo_cluster.sh start
demo-psql:
	@bash test/demo_cluster.sh psql
demo-stop:
	@bash test/demo_cluster.sh stop
# The concentration family checked against plain SQL on the CDNOW data
# (test/data/cdnow).
test-cdnow:
	@bash test/run.sh cdnow
# The CLV models validated on CDNOW and on simulated clients.
test-clv:
	@bash test/run.sh clv

# Packaging (test/package.sh).  The version is written once, default_version
# in cprof.control; check-version checks META.json, debian/changelog and
# CHANGELOG.md against it.
check-version:
	@bash test/check_version.sh
# dist/postgresql-15-cprof_<version>_amd64.deb, built with pg_buildext
deb:
	@bash test/package.sh deb
# installs that package into the system and runs the regression suite
# against it on a throwaway cluster
deb-installcheck:
	@bash test/package.sh deb-installcheck
# dist/cprof-<version>.zip for PGXN, from the committed tree
dist:
	@bash test/package.sh dist

# cprof on real clusters (test/cluster/): Citus (built from ../shared/vendor/citus
# when not installed) and postgres_fdw; bench-citus times them at BENCH_N entries.
test-citus:
	@bash test/cluster/citus.sh
test-fdw:
	@bash test/cluster/fdw.sh
bench-citus:
	@bash test/bench/60_cluster/run.sh $(BENCH_N)

# hostile tests (docs/reliability.md)
test-fuzz test-statefuzz test-cancel test-valgrind:
	@bash test/run.sh $(patsubst test-%,%,$@)
