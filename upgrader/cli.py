"""`tf-upgrade`: rewrite TensorFlow 1 files or trees for TensorFlow 2.

    tf-upgrade --mode compat model.py -o model_v2.py
    tf-upgrade src/ -o src_v2/ -j 4 --report report.txt --json report.json
    tf-upgrade --check src/            # exit 1 when anything would change (CI, pre-commit)
    tf-upgrade verify old.py [new.py]  # run both (new: old upgraded), compare values, variables, output

Exit codes: 0 done; 1 --check found changes; 2 errors remain (unparsable files,
unconvertible constructs, bad usage).
"""
from __future__ import annotations

import difflib
import json
import os
import sys
from collections import Counter
from pathlib import Path

import click

from upgrader.modes import DEFAULT_MODE, MODES

SUMMARISE_AT = 4   # a warning kind seen more often than this prints once, with its count



class Interrupted(Exception):
    """Ctrl-C during a run: the outcomes finished so far."""

    def __init__(self, done: list) -> None:
        super().__init__("interrupted")
        self.done = done


def default_jobs(n_files: int) -> int:
    """One process per core (as ruff does), but never more than one per 8 files: forking costs ~50 ms."""
    return max(1, min(os.cpu_count() or 1, n_files // 8))


def _jobs(pairs: list[tuple[Path, Path | None]], mode: str, write: bool, backup: str | None, jobs: int,
          progress: bool) -> list:
    from upgrader.files import upgrade_file
    if mode == "native":   # NOTE: before any file is rewritten in place, so every group decision sees the originals
        from upgrader.native.imported import snapshot
        snapshot([s for s, _ in pairs])
    jobs = jobs or default_jobs(len(pairs))
    if jobs <= 1 or len(pairs) < 2:
        done: list = []
        try:
            it = (upgrade_file(s, d, mode, write, backup) for s, d in pairs)
            if progress:
                with click.progressbar(it, length=len(pairs), label="upgrading", file=sys.stderr) as bar:
                    for o in bar:
                        done.append(o)
            else:
                for o in it:
                    done.append(o)
        except KeyboardInterrupt:
            raise Interrupted(done) from None
        return done
    return _pool(pairs, mode, write, backup, jobs, progress)


def _chunk(pairs: list[tuple[Path, Path | None]], mode: str, write: bool, backup: str | None) -> list:
    from upgrader.files import upgrade_file
    return [upgrade_file(s, d, mode, write, backup) for s, d in pairs]


def _ignore_sigint() -> None:
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # NOTE: workers finish their chunk; the parent stops the run


def _pool(pairs: list[tuple[Path, Path | None]], mode: str, write: bool, backup: str | None, jobs: int,
          progress: bool) -> list:
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from upgrader.modes import rules_for
    from upgrader.tables import tables
    tables(), rules_for(mode)   # NOTE: loaded once here, so forked workers inherit them instead of re-importing
    size = max(1, min(16, len(pairs) // (jobs * 4)))
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_ignore_sigint)
    futures = {pool.submit(_chunk, pairs[i:i + size], mode, write, backup): i for i in range(0, len(pairs), size)}
    results: dict[int, list] = {}
    try:
        with click.progressbar(length=len(pairs), label="upgrading", file=sys.stderr) if progress else _Null() as bar:
            for f in as_completed(futures):
                results[futures[f]] = f.result()
                bar.update(len(results[futures[f]]))
    except KeyboardInterrupt:
        try:
            pool.shutdown(wait=True, cancel_futures=True)   # chunks already running complete and are reported
        except KeyboardInterrupt:
            pass
        for f, i in futures.items():
            if f.done() and not f.cancelled() and f.exception() is None:
                results[i] = f.result()
        raise Interrupted([o for i in sorted(results) for o in results[i]]) from None
    pool.shutdown()
    return [o for i in sorted(results) for o in results[i]]


class _Null:
    def __enter__(self) -> "_Null":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int) -> None:
        return None


def _is_dir_output(output: str, inputs: tuple[Path, ...]) -> bool:
    return (output.endswith(("/", os.sep)) or Path(output).is_dir() or len(inputs) > 1
            or any(i.is_dir() for i in inputs))


def _plan(inputs: tuple[Path, ...], output: Path | None, out_dir: bool, include: list[str], exclude: list[str],
          follow: bool) -> tuple[list[tuple[Path, Path | None]], list[tuple[Path, Path]], list[tuple[Path, str]]]:
    from upgrader.files import is_source, walk
    work: list[tuple[Path, Path | None]] = []
    copies: list[tuple[Path, Path]] = []
    skipped: list[tuple[Path, str]] = []
    prune = frozenset() if output is None else frozenset({os.path.realpath(output)})
    for src in inputs:
        if src.is_dir():
            found = walk(src, include, exclude, follow, prune)
            skipped += found.skipped
            for f in found.files:
                dst = None if output is None else output / f.relative_to(src)
                if is_source(f):
                    work.append((f, dst))
                elif dst is not None:
                    copies.append((f, dst))
        else:
            dst = None if output is None else (output / src.name if out_dir else output)
            work.append((src, dst))
    return work, copies, skipped


def _check_writable(path: Path | None, option: str) -> None:
    """A report path that cannot be written is a usage error before any work, not a traceback after it."""
    if path is None:
        return
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise click.UsageError(f"{option} {path}: is a folder; give a file name")
    if not parent.is_dir():
        raise click.UsageError(f"{option} {path}: folder {parent} does not exist")
    if not os.access(path if path.exists() else parent, os.W_OK):
        raise click.UsageError(f"{option} {path}: not writable")


def _same_as_input(output: str, inputs: tuple[Path, ...]) -> bool:
    real = os.path.realpath(output)
    return any(os.path.realpath(i) == real for i in inputs)


class _Upgrade(click.Command):
    """`tf-upgrade INPUTS...`, plus the `tf-upgrade verify OLD [NEW]` subcommand."""

    def main(self, args=None, prog_name=None, **extra):  # type: ignore[override]
        args = list(sys.argv[1:] if args is None else args)
        if args[:1] == ["verify"]:
            return verify_command.main(args[1:], prog_name=f"{prog_name or 'tf-upgrade'} verify", **extra)
        return super().main(args, prog_name, **extra)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_paragraph()
        formatter.write_text("tf-upgrade verify OLD.py [NEW.py] | DIR: run OLD (TF1) and NEW (default: OLD upgraded in "
                             "native mode) in scratch copies, on tfcompat or real TensorFlow, and compare the values "
                             "at each call site, the variables and the printed output; exit 0 equal, 1 different, "
                             "2 a side could not run.")


from upgrader.verify.command import verify_command  # noqa: E402  (light: click only)


@click.command(cls=_Upgrade, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--mode", type=click.Choice(sorted(MODES)), default=DEFAULT_MODE, show_default=True,
              help="native: TF1 structure -> TF2 (sessions -> functions, minimize -> GradientTape); a file it "
                   "cannot convert whole stays in compat form, with the blocking construct and line in the report. "
                   "compat: v1 names -> v2 or tf.compat.v1.")
@click.option("-o", "--output", type=click.Path(), help="Output file, or folder (a tree, several inputs, or a name "
              "ending in /); missing folders are created.")
@click.option("--inplace", is_flag=True, help="Rewrite the input files themselves.")
@click.option("--backup-suffix", default=None, help="With --inplace: keep the original as FILE<SUFFIX> (e.g. .bak).")
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff (coloured on a terminal); writes nothing unless -o/--inplace.")
@click.option("--check", is_flag=True, help="Write nothing; name each file that would change and exit 1 if any would.")
@click.option("--report", type=click.Path(path_type=Path), help="Write a text report here.")
@click.option("--json", "json_out", type=click.Path(path_type=Path), help="Write a JSON report here.")
@click.option("-j", "--jobs", type=click.IntRange(0), default=0, help="Files processed in parallel [default: 0, one "
              "per core for a big tree].")
@click.option("--follow-symlinks", is_flag=True, help="Upgrade the targets of symlinks found in a tree (default: "
              "report them and leave them alone).")
@click.option("--include", multiple=True, help="Glob of files to take from a tree (repeatable).")
@click.option("--exclude", multiple=True, help="Glob of files to skip in a tree (repeatable).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
@click.version_option(package_name="tfcompat", prog_name="tf-upgrade")
def main(inputs: tuple[Path, ...], mode: str, output: str | None, inplace: bool, backup_suffix: str | None,
         show_diff: bool, check: bool, report: Path | None, json_out: Path | None, jobs: int,
         follow_symlinks: bool, include: tuple[str, ...], exclude: tuple[str, ...], quiet: bool) -> None:
    """Upgrade TensorFlow 1 Python files and notebooks (INPUTS: files or folders) to TensorFlow 2."""
    from upgrader.modes import IMPLEMENTED, ModeNotImplemented, rules_for
    if mode not in IMPLEMENTED:
        try:
            rules_for(mode)
        except ModeNotImplemented as e:
            raise click.UsageError(str(e))
    if inplace and output is not None:
        raise click.UsageError("use either --inplace or -o/--output, not both")
    if check and inplace:
        raise click.UsageError("--check writes nothing; drop --inplace (or --check to rewrite the files)")
    if not (inplace or output is not None or check or show_diff):
        raise click.UsageError("say where output goes: -o OUT, --inplace, --diff or --check")
    if output is not None and _same_as_input(output, inputs):
        if len(inputs) > 1:
            raise click.UsageError(f"-o {output} is one of the inputs; use --inplace to rewrite files in place")
        output, inplace = None, True   # NOTE: `tf-upgrade a.py -o a.py` (and src -o src) means in place
    if backup_suffix and not inplace:
        raise click.UsageError("--backup-suffix only makes sense with --inplace")
    out_dir = output is not None and _is_dir_output(output, inputs)
    out = None if output is None else Path(output)
    if out is not None:
        if out_dir and out.exists() and not out.is_dir():
            raise click.UsageError(f"{output} is a file; a folder input (or several inputs) needs a folder output")
    _check_writable(report, "--report")
    _check_writable(json_out, "--json")
    write = not check and (inplace or out is not None)
    work, copies, skipped = _plan(inputs, out, out_dir, list(include), list(exclude), follow_symlinks)
    from upgrader.files import Outcome, copy_file
    from upgrader.rule import Diagnostic
    outcomes = [Outcome(str(p), "skipped", [Diagnostic(1, 0, "walk", why, "info")]) for p, why in skipped]
    if out is not None and write:
        outcomes += [o for o in (copy_file(s, d) for s, d in copies) if o.status == "error"]
        if out_dir:
            out.mkdir(parents=True, exist_ok=True)
    progress = not quiet and len(work) > 1 and sys.stderr.isatty()
    try:
        outcomes += _jobs(work, mode, write, backup_suffix if inplace else None, jobs, progress)
    except Interrupted as e:
        written = [o.path for o in e.done if o.written]
        click.echo(f"\ninterrupted: {len(e.done)} of {len(work)} files done, {len(written)} written"
                   + "".join(f"\n  written: {p}" for p in written) + "\nthe other files are untouched", err=True)
        sys.exit(130)
    _emit(outcomes, show_diff, quiet, report, json_out)
    if check:
        for o in outcomes:
            if o.status == "changed":
                click.echo(f"would upgrade: {o.path}")
    if any(o.has_errors for o in outcomes):
        sys.exit(2)
    if check and any(o.status == "changed" for o in outcomes):
        sys.exit(1)


def _side(prefix: str, path: str) -> str:
    return path if Path(path).is_absolute() else f"{prefix}/{path}"


def _emit(outcomes: list, show_diff: bool, quiet: bool, report: Path | None, json_out: Path | None) -> None:
    from upgrader.report import json_report, text_report
    color = sys.stdout.isatty()
    if show_diff:
        for o in outcomes:
            if o.status == "changed" or (o.old != o.new and o.new):
                for line in difflib.unified_diff(o.old.splitlines(True), o.new.splitlines(True), _side("a", o.path), _side("b", o.path)):
                    fg = "green" if line.startswith("+") else "red" if line.startswith("-") else "cyan" if line.startswith("@@") else None
                    click.echo(click.style(line, fg=fg) if color and fg else line, nl=not line.endswith("\n"))
    text = text_report(outcomes)
    shown = ("error",) if quiet else ("error", "warning", "info")
    kinds = Counter((d.severity, d.rule, d.message) for o in outcomes for d in o.diagnostics if d.severity != "error")
    for o in outcomes:
        for d in o.diagnostics:
            if d.severity in shown and (d.severity == "error" or kinds[(d.severity, d.rule, d.message)] <= SUMMARISE_AT):
                click.echo(d.render(o.path), err=True)
    if not quiet:
        where = f"--report {report}" if report is not None else "--report FILE"
        for (sev, rule, msg), n in sorted(kinds.items()):
            if n > SUMMARISE_AT and sev in shown:
                click.echo(f"{sev}: [{rule}] {msg} ({n} times; each one in {where})", err=True)
        click.echo(text.splitlines()[-1], err=True)
    if report is not None:
        report.write_text(text, encoding="utf-8")
    if json_out is not None:
        json_out.write_text(json.dumps(json_report(outcomes), indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
