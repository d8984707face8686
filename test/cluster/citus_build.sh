#!/usr/bin/env bash
# test/cluster/citus_build.sh: make sure Citus 13.2.x is installed into the
# PostgreSQL server's own directories, for `make test-citus` and the cluster
# benchmark.
#
# - An installed Citus 13.2.x is used as it is.
# - Otherwise Citus is built from the source kept beside the checkout
#   (../shared/vendor/citus, or $CPROF_CITUS_SRC): the tarball is unpacked in a
#   temporary directory outside the repository, patched, configured against
#   $PG_CONFIG, built and installed with `make install`.  Citus must go into the
#   server's own directories: it looks its control file up in the server's share
#   directory and ignores Debian's extension_destdir.  The -dev packages the
#   build needs are installed with apt-get when missing.
# - Without the source, an installed Citus of another version is used with a
#   warning; with neither, the script stops and says how to provide one.
#
# Runs as root (it writes into the server's directories).  A lock file keeps
# two concurrent runs from building at once.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
src=${CPROF_CITUS_SRC:-$top/../shared/vendor/citus}
tarball=$src/citus-13.2.2.tar.gz
patchfile=$src/citus-pg15-have_createdb_privilege.patch
control=$("$PG_CONFIG" --sharedir)/extension/citus.control
library=$("$PG_CONFIG" --pkglibdir)/citus.so

# installed_version: the default_version of the installed control file, if the
# library is there too
installed_version() {
	[ -f "$control" ] && [ -f "$library" ] || return 0
	sed -n "s/^default_version *= *'\([^']*\)'.*/\1/p" "$control"
}

exec 9>"${TMPDIR:-/tmp}/cprof-citus-build.lock"
flock 9

v=$(installed_version)
case "$v" in
	13.2-*)
		echo "citus: using the installed Citus $v ($library)"
		exit 0
		;;
esac

if [ ! -f "$tarball" ] || [ ! -f "$patchfile" ]; then
	if [ -n "$v" ]; then
		echo "citus: WARNING: no Citus 13.2.2 source in $src; using the installed Citus $v" >&2
		exit 0
	fi
	cat >&2 <<EOF
citus: no Citus found.  Either
  - put the Citus 13.2.2 source beside the checkout: ../shared/vendor/citus/citus-13.2.2.tar.gz and
    citus-pg15-have_createdb_privilege.patch (or point CPROF_CITUS_SRC at a directory holding both), or
  - install Citus 13.2.x for PostgreSQL $("$PG_CONFIG" --version | sed 's/[^0-9]*\([0-9]*\).*/\1/') into the server's own
    directories ($library and $control).
EOF
	exit 1
fi

# the build's -dev packages (Debian 12), only those that are missing
need=()
for p in postgresql-server-dev-15 liblz4-dev libzstd-dev libcurl4-openssl-dev libkrb5-dev libselinux1-dev \
	libpam0g-dev libxml2-dev libxslt1-dev libssl-dev make gcc patch; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	echo "citus: installing missing packages: ${need[*]}"
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

build=$(mktemp -d "${TMPDIR:-/tmp}/cprof-citus-build.XXXXXX")
trap 'rm -rf "$build"' EXIT
echo "citus: building Citus 13.2.2 in $build (a few minutes; log in $build/build.log while it runs)"
start=$SECONDS
(
	cd "$build"
	tar xzf "$tarball"
	cd citus-13.2.2
	patch -s -p1 <"$patchfile"
	./configure -q PG_CONFIG="$PG_CONFIG"
	make -s -j"$(nproc)"
	make -s install
) >"$build/build.log" 2>&1 || {
	tail -n 40 "$build/build.log" >&2
	echo "citus: the Citus build FAILED" >&2
	exit 1
}
v=$(installed_version)
echo "citus: installed Citus $v in $((SECONDS - start)) s"
case "$v" in
	13.2-*) ;;
	*) echo "citus: the build installed '$v', not 13.2" >&2; exit 1 ;;
esac
