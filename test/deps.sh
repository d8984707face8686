#!/usr/bin/env bash
# test/deps.sh [CHECK:PACKAGE ...]: install what building and testing cprof
# needs, only when missing.  Debian 12 packages; run as root (or through sudo
# when it is available).  Each extra argument names a package a target also
# needs, installed unless CHECK is there: a command name, or an absolute path
# (a file the package installs), e.g. gnuplot:gnuplot-nox.  With --only
# first, only those extra packages are considered.
set -euo pipefail

PGVER=${PGVER:-15}
need=()
only=0
if [ "${1:-}" = --only ]; then
	only=1
	shift
fi
if [ "$only" = 0 ]; then
	[ -x "/usr/lib/postgresql/$PGVER/bin/postgres" ] || need+=("postgresql-$PGVER")
	[ -f "/usr/include/postgresql/$PGVER/server/postgres.h" ] || need+=("postgresql-server-dev-$PGVER")
	command -v pg_virtualenv >/dev/null || need+=(postgresql-common)
	command -v gcc >/dev/null || need+=(gcc)
	command -v make >/dev/null || need+=(make)
	command -v flock >/dev/null || need+=(util-linux)
fi

for extra in "$@"; do
	check=${extra%%:*}
	package=${extra#*:}
	case "$check" in
		/*) [ -e "$check" ] || need+=("$package") ;;
		*) command -v "$check" >/dev/null || need+=("$package") ;;
	esac
done

if [ ${#need[@]} -gt 0 ]; then
	echo "cprof: installing missing packages: ${need[*]}"
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
