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

.PHONY: test demo bench test-all test-cdnow test-clv test-fuzz test-statefuzz test-cancel test-valgrind
test:
	@bash test/run.sh test
demo:
	@bash test/run.sh demo
bench:
	@bash test/run.sh bench $(BENCH_N)
# The concentration family checked on the CDNOW data (../shared/data/cdnow).
test-cdnow:
	@bash test/run.sh cdnow
# validation of the CLV models on CDNOW (needs ../shared/data)
test-clv:
	@bash test/run.sh clv
# hostile tests (docs/reliability.md)
test-fuzz test-statefuzz test-cancel test-valgrind:
	@bash test/run.sh $(patsubst test-%,%,$@)
