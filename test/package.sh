#!/usr/bin/env bash
# test/package.sh deb|deb-installcheck|dist: the packaging targets.
#
#   deb               `make deb`: the Debian package, built with pg_buildext
#                     (debian/, dh --with pgxs_loop) from a copy of the source
#                     tree in build/deb, into dist/postgresql-15-cprof_V_amd64.deb;
#                     the build runs the regression suite on the built files.
#   deb-installcheck  `make deb-installcheck`: installs that package into the
#                     system (apt-get, with its dependencies) and runs the
#                     regression suite against the installed files on a
#                     throwaway cluster (pg_buildext installcheck).
#   dist              `make dist`: the PGXN release zip dist/cprof-V.zip of the
#                     committed tree (git archive HEAD), META.json at its top.
#
# V is the release version, checked first by test/check_version.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
action=${1:?usage: test/package.sh deb|deb-installcheck|dist}

version=$(bash test/check_version.sh)
arch=$(dpkg --print-architecture)
deb=dist/postgresql-15-cprof_${version}_${arch}.deb

# copy_tree DIR: the source tree, without git's and the builds' files, into DIR
copy_tree() {
	rm -rf "$1"
	mkdir -p "$1"
	tar -c --exclude=./.git --exclude=./build --exclude=./dist --exclude=./tmp_install \
		--exclude=./demo-cluster --exclude=./results --exclude=./log --exclude='*.o' \
		--exclude='*.so' --exclude='*.bc' --exclude=./regression.diffs --exclude=./regression.out \
		--exclude=node_modules . | tar -x -C "$1"
}

case "$action" in
	deb)
		bash test/deps.sh dpkg-buildpackage:dpkg-dev dh:debhelper \
			pg_buildext:postgresql-server-dev-all
		# dpkg-buildpackage writes its results beside the source tree, so
		# it builds a copy in build/deb/cprof-V, never in the checkout
		rm -rf build/deb
		copy_tree build/deb/cprof-"$version"
		mkdir -p dist
		(
			cd build/deb/cprof-"$version"
			# the build dependencies debian/control names, when missing
			if ! dpkg-checkbuilddeps 2>/dev/null; then
				missing=$(dpkg-checkbuilddeps 2>&1 | sed -n 's/.*Unmet build dependencies: //p' | sed -e 's/([^)]*)//g' -e 's/:[a-z0-9]*//g')
				echo "cprof: installing build dependencies: $missing"
				export DEBIAN_FRONTEND=noninteractive
				apt-get update -qq
				# shellcheck disable=SC2086
				apt-get install -y -qq --no-install-recommends $missing >/dev/null
			fi
			dpkg-buildpackage -b -us -uc
		) >build/deb/build.log 2>&1 || {
			tail -50 build/deb/build.log
			echo "cprof: the Debian package build failed (whole log in build/deb/build.log)" >&2
			exit 1
		}
		grep -E '^(test|ok|not ok|# )|passed|failed' build/deb/build.log | tail -25 || true
		cp "build/deb/$(basename "$deb")" "$deb"
		dpkg-deb --info "$deb" | sed -n 's/^ \(Package\|Version\|Depends\): /\1: /p'
		dpkg-deb --contents "$deb" | awk '{print $6}' | grep -E 'cprof' | sed 's/^/  /'
		echo "cprof: built $deb"
		;;
	deb-installcheck)
		[ -f "$deb" ] || { echo "cprof: $deb is missing: run make deb first" >&2; exit 1; }
		bash test/deps.sh pg_buildext:postgresql-server-dev-all
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -qq --reinstall "$top/$deb" >/dev/null
		dpkg -s postgresql-15-cprof | sed -n 's/^\(Package\|Version\|Status\): /\1: /p'
		# the installed files are the package's, unchanged
		dpkg --verify postgresql-15-cprof
		# pg_regress with the tests of a copy of the source tree (sql/,
		# expected/; pg_buildext cleans the tree it runs in), against a
		# throwaway cluster that sees only the system's installation
		copy_tree build/installcheck
		cd build/installcheck
		log=$(mktemp)
		status=0
		pg_buildext installcheck 2>&1 | tee "$log" || status=$?
		passed=$(grep -c ' \.\.\. ok' "$log" || true)
		failed=$(grep -c ' \.\.\. FAILED' "$log" || true)
		rm -f "$log"
		if [ "$status" -ne 0 ] || [ "${failed:-0}" -ne 0 ] || [ "${passed:-0}" -eq 0 ]; then
			[ -f regression.diffs ] && cat regression.diffs
			echo "cprof: installcheck of the installed package FAILED (build/installcheck)" >&2
			echo "${passed:-0} passed, ${failed:-0} failed"
			exit 1
		fi
		echo "${passed} passed, ${failed} failed"
		;;
	dist)
		bash test/deps.sh --only git:git zip:zip unzip:unzip
		if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
			echo "cprof: note: uncommitted changes are not in the zip (it is made from HEAD)" >&2
		fi
		mkdir -p dist
		zipfile=dist/cprof-$version.zip
		rm -f "$zipfile"
		git archive --format=zip --prefix="cprof-$version/" -o "$zipfile" HEAD
		# PGXN reads META.json at the top of the archive
		# (the listing is read whole: grep -q quitting early would kill
		# unzip with SIGPIPE, a failure under pipefail)
		listing=$(unzip -Z1 "$zipfile")
		grep -qx "cprof-$version/META.json" <<<"$listing" ||
			{ echo "cprof: $zipfile has no META.json at its top" >&2; exit 1; }
		echo "cprof: built $zipfile ($(unzip -l "$zipfile" | tail -1 | awk '{print $2}') files)"
		;;
	*)
		echo "test/package.sh: unknown action '$action'" >&2
		exit 2
		;;
esac
