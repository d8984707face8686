#!/usr/bin/env bash
# test/deps.sh: install what building and testing cprof needs, only when missing.
# Debian 12 packages; run as root (or through sudo when it is available).
set -euo pipefail

PGVER=${PGVER:-15}
need=()
[ -x "/usr/lib/postgresql/$PGVER/bin/postgres" ] || need+=("postgresql-$PGVER")
[ -f "/usr/include/postgresql/$PGVER/server/postgres.h" ] || need+=("postgresql-server-dev-$PGVER")
command -v pg_virtualenv >/dev/null || need+=(postgresql-common)
command -v gcc >/dev/null || need+=(gcc)
command -v make >/dev/null || need+=(make)
command -v flock >/dev/null || need+=(util-linux)

if [ ${#need[@]} -gt 0 ]; then
	echo "cprof: installing missing packages: ${need[*]}"
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
