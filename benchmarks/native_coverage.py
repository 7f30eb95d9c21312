"""How much real TF1 code native mode converts: `python benchmarks/native_coverage.py DIR [--run]`.

Every `*.py` under DIR that is a TF1 program (imports TensorFlow and uses a TF1-only
construct: Session, placeholder, get_variable, variable_scope, tf.layers, tf.contrib,
an initializer) is upgraded in native mode. Each program is one of:

- converted: native mode wrote TF2 code with no TF1 left (no `compat.v1`, `Session`,
  `placeholder`, initializer run or `disable_eager_execution`);
- fell back: the file came out in compat form; the report's first blocker is its reason;
- error: the upgrader raised, or wrote code that does not parse (a bug in any case).

With `--run`, each converted program is run on real TensorFlow 2.21 (eager, Keras 3,
no tf_keras) and on tfcompat's v2 API (`tfcompat run --api v2`), in a scratch copy of
its folder with synthetic stand-ins for its data (`benchmarks/corpus/standins.py`) and
iteration counts cut (`benchmarks/corpus/cuts.json`).

The corpus itself is third-party code and never committed: `benchmarks/corpus/README.md`
lists the repositories and commits, and `benchmarks/corpus/fetch.sh` rebuilds it.
"""
from __future__ import annotations

import argparse
import ast
import collections
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from upgrader.native.run import upgrade_native  # noqa: E402

TF1_MARKERS = re.compile(r"\b(Session|placeholder|get_variable|variable_scope|tf\.layers|tf\.contrib|"
                         r"global_variables_initializer|initialize_all_variables)\b")
TF1_LEFT = re.compile(r"compat\.v1|\bSession\b|\bplaceholder\b|global_variables_initializer|"
                      r"initialize_all_variables|disable_eager_execution|disable_v2_behavior")
BLOCKED = "native conversion blocked (file kept in compat form): "


def tf1_programs(root: Path) -> list[Path]:
    out = []
    for path in sorted(root.rglob("*.py")):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if re.search(r"^\s*(import tensorflow|from tensorflow)", text, re.M) and TF1_MARKERS.search(text):
            out.append(path)
    return out


def reason_class(reason: str) -> str:
    """The reason without the names of one program: 'X' (a graph tensor) is used ... -> <name> ..."""
    r = re.sub(r"^line \d+: ", "", reason)
    r = re.sub(r"'[^']*'", "<name>", r)
    r = re.sub(r"\(([^()]*)\)", "(...)", r, count=0)
    r = re.sub(r"tf\.[\w.]+", lambda m: m.group(0), r)
    return r[:110]


def classify(path: Path) -> dict:
    code = path.read_text(encoding="utf-8", errors="replace")
    try:
        ast.parse(code)
    except SyntaxError as e:   # Python 2 code: no upgrade tool can parse it, so it is not counted
        return {"status": "not Python 3", "reason": f"{e.msg} (line {e.lineno})"}
    try:
        result = upgrade_native(code, path)
    except Exception as e:   # NOTE: the measure must survive an upgrader bug; the bug is what it reports
        return {"status": "error", "reason": f"{type(e).__name__}: {e}"}
    blocked = [d for d in result.diagnostics if d.message.startswith(BLOCKED)]
    errors = [d for d in result.diagnostics if d.severity == "error"]
    try:
        ast.parse(result.code)
    except SyntaxError as e:
        return {"status": "error", "reason": f"output does not parse: {e}"}
    if blocked:
        return {"status": "fell back", "reason": blocked[0].message[len(BLOCKED):], "line": blocked[0].line,
                "all": [d.message[len(BLOCKED):] for d in blocked]}
    if errors:   # no native analysis ran (no module-level graph) and compat form left something unconverted
        return {"status": "fell back", "reason": f"compat form, unconverted: {errors[0].message}", "line": errors[0].line}
    left = TF1_LEFT.search(_code_only(result.code))
    if left:
        line = result.code[:left.start()].count("\n") + 1
        return {"status": "fell back", "reason": f"no reason given: '{left.group()}' left at output line {line}"}
    return {"status": "converted", "code": result.code}


def _code_only(code: str) -> str:
    """The code without comments and strings (a comment saying 'Session' is not TF1 left over)."""
    import io
    import tokenize
    out = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            if tok.type not in (tokenize.COMMENT, tokenize.STRING):
                out.append(tok.string)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return code
    return " ".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", type=Path)
    ap.add_argument("--run", action="store_true", help="run each converted program on TF 2.21 and tfcompat")
    ap.add_argument("--json", type=Path, help="write per-program results here")
    ap.add_argument("--out", type=Path, help="write converted programs under this folder (for reading them)")
    ap.add_argument("--only", action="append", default=[], metavar="TEXT",
                    help="with --run: run only the programs whose path contains TEXT (repeatable)")
    ap.add_argument("-v", "--verbose", action="store_true", help="one line per program")
    args = ap.parse_args(argv)
    programs = tf1_programs(args.dir)
    results: dict[str, dict] = {}
    for path in programs:
        rel = str(path.relative_to(args.dir))
        results[rel] = r = classify(path)
        if args.out and r["status"] == "converted":
            dest = args.out / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(r["code"], encoding="utf-8")
        if args.verbose:
            print(f"{r['status']:10} {rel}  {r.get('reason', '')[:150]}")
    if args.run:
        from benchmarks.corpus.run_converted import run_all
        run_all(args.dir, {k: v for k, v in results.items() if v["status"] == "converted"
                           and (not args.only or any(t in k for t in args.only))})
    _print_summary(results)
    if args.json:
        args.json.write_text(json.dumps({k: {x: y for x, y in v.items() if x != "code"} for k, v in results.items()},
                                        indent=1))
    return 0


def _print_summary(results: dict[str, dict]) -> None:
    by = collections.Counter(r["status"] for r in results.values())
    n = len(results) - by["not Python 3"]
    print(f"\n{n} TF1 programs: converted {by['converted']} ({100 * by['converted'] / max(n, 1):.0f}%), "
          f"fell back {by['fell back']}, error {by['error']}"
          + (f" (and {by['not Python 3']} Python 2 files, not counted)" if by["not Python 3"] else ""))
    ran = [r for r in results.values() if "tf_run" in r]
    if ran:
        runs_here = [r for r in ran if r["tf1_run"] == "ok"]
        print(f"  converted programs whose original runs here (TF 2.21 compat.v1, stand-in data): "
              f"{len(runs_here)} of {len(ran)}")
        for engine, name in (("tf_run", "TensorFlow 2.21 (eager, Keras 3)"), ("tfcompat_run", "tfcompat (v2 API)")):
            print(f"  ... of those, the converted program runs to the end on {name}: "
                  f"{sum(r[engine] == 'ok' for r in runs_here)} of {len(runs_here)}"
                  f" (of all converted: {sum(r[engine] == 'ok' for r in ran)} of {len(ran)})")
    reasons = collections.Counter(reason_class(r["reason"]) for r in results.values()
                                  if r["status"] in ("fell back", "error"))
    if reasons:
        print("\nreasons (first blocker of each program):")
        for reason, count in reasons.most_common():
            print(f"  {count:4}  {reason}")


if __name__ == "__main__":
    raise SystemExit(main())
