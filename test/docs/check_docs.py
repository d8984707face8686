#!/usr/bin/python3
"""test/docs/check_docs.py: `make test-docs`.  Runs the SQL examples of the
README and of docs/*.md and compares what psql prints with the output the
page shows.  The convention it enforces is described in docs/README.md
(section "The examples are tested"); in short:

* An example is a ```sql block followed (blank lines apart) by a fence with
  no language: the output.  Every example of a page runs, in page order, in
  one psql session (quiet, as psql -q: no command tags).
* A ```sql block preceded by the line <!-- test-docs: setup --> runs too and
  must print nothing; a ```sql block preceded by <!-- test-docs: skip --> or
  without an output block does not run.
* Each page gets a database of its own, copied from a template that holds
  cprof, the demo ledger (test/ledger.sql, 200,000 entries) and the CDNOW
  data (test/cdnow/load.sql), all in the schema cprof_demo, with the
  search_path "cprof_demo, public": the database `make demo-start` makes.
* Compared after removing trailing spaces, psql's row-count footers
  ("(3 rows)") and blank lines at the start and end; everything else
  (values, alignment, errors with their DETAIL and HINT) must match.

Usage (inside a cluster, PG* variables set; test/run.sh docs does it):
    check_docs.py [PAGE.md ...]     default: README.md and docs/*.md
Prints one line per failing example with a diff, and a closing
"test-docs: N passed, N failed".
"""
import difflib
import glob
import os
import re
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEMPLATE = "cprof_docs_template"
FENCE = re.compile(r"^(```+|~~~+)\s*([\w+-]*)\s*$")
DIRECTIVE = re.compile(r"^<!--\s*test-docs:\s*(setup|skip)\s*-->\s*$")
FOOTER = re.compile(r"^\((\d+) rows?\)$")
MARK = "@@cprof-test-docs-example-{}@@"


def closes(line, fence):
    """A closing fence: the opening's character, at least as many of them."""
    s = line.strip()
    return len(s) >= len(fence) and set(s) == {fence[0]}


def blocks(lines):
    """Fenced blocks of a page: (start line number, language, text, directive)."""
    out = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, lang = m.group(1), m.group(2)
        j = i + 1
        while j < len(lines) and not closes(lines[j], fence):
            j += 1
        k = i - 1
        while k >= 0 and not lines[k].strip():
            k -= 1
        d = DIRECTIVE.match(lines[k]) if k >= 0 else None
        out.append({"line": i + 1, "end": j, "lang": lang, "text": "\n".join(lines[i + 1:j]),
                    "directive": d.group(1) if d else None})
        i = j + 1
    return out


def examples(path):
    """The runnable blocks of a page, in order: dicts with kind "example"
    (with its expected output) or "setup"."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    bs = blocks(lines)
    out = []
    for n, b in enumerate(bs):
        if b["lang"] != "sql" or b["directive"] == "skip":
            continue
        nxt = bs[n + 1] if n + 1 < len(bs) else None
        between = lines[b["end"] + 1:nxt["line"] - 1] if nxt else []
        has_output = nxt is not None and nxt["lang"] == "" and not any(s.strip() for s in between)
        if b["directive"] == "setup":
            out.append({"kind": "setup", "line": b["line"], "sql": b["text"], "expected": ""})
        elif has_output:
            out.append({"kind": "example", "line": b["line"], "sql": b["text"], "expected": nxt["text"]})
    return out


def normalize(text):
    lines = [l.rstrip() for l in text.split("\n")]
    lines = [l for l in lines if not FOOTER.match(l)]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def psql(sql, dbname, check=True):
    env = dict(os.environ, PGDATABASE=dbname)
    r = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=0"], input=sql, text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=TOP)
    if check and r.returncode != 0:
        sys.exit("test-docs: psql failed:\n" + r.stdout)
    return r.stdout


def make_template():
    admin = "postgres"
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{TEMPLATE}';", admin)
    if "1 row" in exists:
        return
    psql(f"CREATE DATABASE {TEMPLATE};", admin)
    env = dict(os.environ, PGDATABASE=TEMPLATE)
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", "CREATE EXTENSION cprof",
                    "-v", "entries=200000", "-f", "test/ledger.sql", "-f", "test/cdnow/load.sql"],
                   check=True, env=env, cwd=TOP)


def run_page(path, number):
    exs = examples(path)
    rel = os.path.relpath(path, TOP)
    if not exs:
        return 0, 0, []
    db = f"cprof_docs_{number}"
    psql(f"DROP DATABASE IF EXISTS {db};\nCREATE DATABASE {db} TEMPLATE {TEMPLATE};\n"
         f"ALTER DATABASE {db} SET search_path = cprof_demo, public;", "postgres")
    script = []
    for k, ex in enumerate(exs):
        script.append(f"\\echo {MARK.format(k)}")
        script.append(ex["sql"])
        # an example whose last statement lacks its semicolon still runs
        script.append(";" if not ex["sql"].rstrip().endswith(";") else "")
    out = psql("\n".join(script) + "\n", db, check=False)
    psql(f"DROP DATABASE {db};", "postgres")
    pieces = re.split(r"^@@cprof-test-docs-example-(\d+)@@$", out, flags=re.M)
    got = {}
    for k in range(1, len(pieces) - 1, 2):
        got[int(pieces[k])] = pieces[k + 1]
    passed, failed, reports = 0, 0, []
    for k, ex in enumerate(exs):
        want = normalize(ex["expected"])
        have = normalize(got.get(k, "<no output: the session stopped before this example>"))
        if want == have:
            passed += 1
            continue
        failed += 1
        diff = difflib.unified_diff(want, have, f"{rel}:{ex['line']} (the page)", "psql", lineterm="", n=2)
        what = "setup block printed something" if ex["kind"] == "setup" else "output differs"
        reports.append(f"FAILED {rel}:{ex['line']}: {what}\n" + "\n".join(diff))
    return passed, failed, reports


def main():
    pages = sys.argv[1:] or ["README.md"] + sorted(glob.glob(os.path.join(TOP, "docs", "*.md")))
    pages = [p if os.path.isabs(p) else os.path.join(TOP, p) for p in pages]
    for p in pages:
        if not os.path.isfile(p):
            sys.exit(f"test-docs: no such page: {p}")
    make_template()
    total_passed = total_failed = 0
    for n, page in enumerate(pages):
        passed, failed, reports = run_page(page, n)
        for r in reports:
            print(r)
            print()
        print(f"{os.path.relpath(page, TOP)}: {passed} passed, {failed} failed")
        total_passed += passed
        total_failed += failed
    print(f"test-docs: {total_passed} passed, {total_failed} failed")
    # every page at once must have examples; one page given may have none
    return 1 if total_failed or (not sys.argv[1:] and not total_passed) else 0


if __name__ == "__main__":
    sys.exit(main())
