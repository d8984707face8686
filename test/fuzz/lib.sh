# test/fuzz/lib.sh: shell helpers of the hostile tests (test/fuzz,
# test/statefuzz, test/cancel), sourced inside the throwaway cluster that
# test/run.sh starts with pg_virtualenv (PG* variables set).
#
# The central one is hostile_run_cases: it runs a psql script made of
# independent cases and survives backends that die.  Each case is a block
#     -- case <id> <group>
#     <one SQL statement, printing at most a short line>;
#     \echo R <id> :SQLSTATE :LAST_ERROR_MESSAGE
# psql runs the blocks one by one (no ON_ERROR_STOP), so an error ends only
# its own statement, and statement_timeout applies to each case.  When a
# backend dies, the postmaster restarts and psql loses its connection and
# exits with status 2: the case after the last one reported is the one
# that crashed; it is recorded as CRASH, the server is waited for, and the
# script goes on with the next case.

# The server log of the pg_virtualenv cluster.
hostile_log() {
	echo "${PG_CLUSTER_CONF_ROOT%/postgresql}/log/postgresql-${PGVERSION:-15}-regress.log"
}

# Backends that died so far: postmaster's "terminated by signal" (and
# "terminated by exception", "exited with exit code" other than a FATAL's 1)
# lines in the server log.
hostile_crashes() {
	grep -cE 'terminated by signal|terminated by exception|exited with exit code [^01]' \
		"$(hostile_log)" 2>/dev/null || true
}

# Wait until the server accepts connections again (after a crash restart).
hostile_wait() {
	local i
	for i in $(seq 1 240); do
		if psql -X -q -At -c 'SELECT 1' >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.25
	done
	echo "hostile: the server did not come back after a crash" >&2
	return 1
}

# hostile_run_cases SCRIPT RESULTS PREAMBLE [MAX_PER_GROUP] [WALLCLOCK_LIMIT]
# Runs the case blocks of SCRIPT, appending one line per case to RESULTS:
#     <id> TAB <sqlstate, CRASH, LOST or SKIP> TAB <elapsed ms> TAB <message>
#     TAB <result>
# where the result is the first line the case's statement printed (cut to
# 100 characters): cases print something short, such as an md5.
# Every session starts with SET statement_timeout = HOSTILE_TIMEOUT_MS
# (default 1000) and PREAMBLE (more settings); psql's \timing gives each
# case's elapsed time, so that a case that ran well past its timeout
# shows.  Once a group has
# MAX_PER_GROUP (default 3) crashes or cases that ran more than
# HOSTILE_LATE_MS (default 2000) past HOSTILE_TIMEOUT_MS, or 3 x
# MAX_PER_GROUP statement timeouts, its remaining cases are skipped (SKIP,
# counted in the summaries): each crash costs a server restart and each
# timeout its full statement_timeout, and one bug can sit behind thousands
# of cases.  The script runs in chunks of 500 cases, so that the limits take
# effect early.
# Returns 1 if psql failed outside a case, or a chunk did not finish within
# WALLCLOCK_LIMIT seconds (default 600: a case that ignores its timeout).
hostile_run_cases() {
	local script=$1 results=$2 preamble=$3 maxcrash=${4:-3} limit=${5:-600}
	local maxtimeout=$((3 * ${4:-3}))
	local work rc n group st crashes_before i chunk skiplist
	declare -A crashes=() timeouts=()
	work=$(mktemp -d)
	awk -v dir="$work" '
		substr($0, 1, 8) == "-- case " { if (blocks++ % 500 == 0) f = sprintf("%s/chunk.%06d", dir, blocks) }
		f != "" { print > f }' "$script"
	skiplist=" "
	for chunk in "$work"/chunk.*; do
		[ -e "$chunk" ] || continue
		mv "$chunk" "$work/todo"
		while [ -s "$work/todo" ]; do
			# leave out the groups over their limits
			awk -v skip="$skiplist" -v res="$results" -v run="$work/run" '
				substr($0, 1, 8) == "-- case " { split($0, h, " ")
				    drop = index(skip, " " h[4] " ") > 0
				    if (drop) print h[3] "\tSKIP\t\tthe group had too many crashes, late cancellations or timeouts\t" >> res }
				!drop { print > run }' "$work/todo"
			: >"$work/todo"
			[ -s "$work/run" ] || break
			crashes_before=$(hostile_crashes)
			rc=0
			{ printf 'SET statement_timeout = %s;\n%s\n\\timing on\n' "${HOSTILE_TIMEOUT_MS:-1000}" "$preamble"; cat "$work/run"; } |
				timeout -k 10 "$limit" psql -X -q -A -t -v ON_ERROR_STOP=0 -f - \
					>"$work/out" 2>/dev/null || rc=$?
			# backslashes doubled: the report reads these lines with COPY's
			# text format, where a message quoting "\0" would be a NUL
			awk '$1 == "Time:" { t = $2; next }
			     $1 == "R" { id = $2; st = $3; $1 = $2 = $3 = ""; sub(/^ +/, ""); m = $0; gsub(/\\/, "&&", m)
			                 print id "\t" st "\t" int(t) "\t" (st == "00000" ? "" : m) "\t" (st == "00000" ? v : "")
			                 t = ""; v = ""; got = 0; next }
			     !got { v = substr($0, 1, 100); gsub(/\t/, " ", v); gsub(/\\/, "&&", v); got = 1 }' "$work/out" \
				>"$work/res"
			if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
				cat "$work/res" >>"$results"
				echo "hostile: a case did not finish within ${limit}s of its chunk (a hang); last reported: $(tail -n 1 "$work/res" | cut -f1)" >&2
				rm -rf "$work"
				return 1
			fi
			if [ "$rc" -ne 0 ]; then
				# the case after the last one reported was running when
				# the connection was lost
				n=
				read -r n < <(awk -v last="$(tail -n 1 "$work/res" | cut -f1)" '
					substr($0, 1, 8) == "-- case " { split($0, h, " ")
					    if (seen || last == "") { print h[3]; exit }
					    if (h[3] == last) seen = 1 }' "$work/run") || true
				if [ -z "$n" ]; then
					cat "$work/res" >>"$results"
					echo "hostile: psql failed (status $rc) outside any case" >&2
					rm -rf "$work"
					return 1
				fi
				# wait for the postmaster to log the death, then to restart
				for i in $(seq 1 40); do
					[ "$(hostile_crashes)" -gt "$crashes_before" ] && break
					sleep 0.25
				done
				if [ "$(hostile_crashes)" -gt "$crashes_before" ]; then
					printf '%s\tCRASH\t\t%s\t\n' "$n" "$(grep -A1 -E 'terminated by signal|terminated by exception|exited with exit code [^01]' "$(hostile_log)" |
						tail -n 2 | sed 's/^.*\(LOG\|DETAIL\): *//' | tr '\n' ' ')" >>"$work/res"
				else
					printf '%s\tLOST\t\t%s\t\n' "$n" "connection lost, no crash in the server log" >>"$work/res"
				fi
				hostile_wait || { cat "$work/res" >>"$results"; rm -rf "$work"; return 1; }
				# the blocks after case n are still to run
				awk -v n="$n" 'substr($0, 1, 8) == "-- case " { split($0, h, " ")
				                   if (h[3] == n) { drop = 1; next } if (drop) { drop = 0; keep = 1 } }
				               keep' "$work/run" >"$work/todo"
			fi
			cat "$work/res" >>"$results"
			# count crashes and timeouts per group
			while read -r group st; do
				if [ "$st" = 57014 ]; then
					timeouts[$group]=$(( ${timeouts[$group]:-0} + 1 ))
					[ "${timeouts[$group]}" -eq "$maxtimeout" ] && skiplist+="$group "
				else
					crashes[$group]=$(( ${crashes[$group]:-0} + 1 ))
					[ "${crashes[$group]}" -eq "$maxcrash" ] && skiplist+="$group "
				fi
			done < <(awk -F'\t' -v late="$(( ${HOSTILE_TIMEOUT_MS:-1000} + ${HOSTILE_LATE_MS:-2000} ))" '
			             FNR == NR { if (substr($0, 1, 8) == "-- case ") { split($0, h, " "); g[h[3]] = h[4] } next }
			             $2 == "CRASH" || $2 == "LOST" || $3 + 0 > late { print g[$1], "CRASH"; next }
			             $2 == "57014" { print g[$1], $2 }' "$work/run" "$work/res")
			rm -f "$work/run"
		done
	done
	rm -rf "$work"
	return 0
}
