"""The `tf-upgrade verify` command line.

    tf-upgrade verify old.py [new.py] [--new-engine tensorflow] [--seed 1] [--json report.json]
    tf-upgrade verify src/ -j 4 --json summary.json        # every TF1 program in a tree

Exit codes: 0 equal; 1 different; 2 a side could not run (its traceback is shown), or bad usage.
A tree exits with the worst of its programs' codes ("not runnable" programs do not count).
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

ENGINE = click.Choice(["tfcompat", "tensorflow"])


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("old", type=click.Path(exists=True, path_type=Path))
@click.argument("new", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--old-engine", type=ENGINE, default="tfcompat", show_default=True,
              help="Engine for OLD (run through the v1 API; on tensorflow, tf.compat.v1 with v2 behaviour off).")
@click.option("--new-engine", type=ENGINE, default="tfcompat", show_default=True,
              help="Engine for NEW (v2 API). tensorflow: check the rewrite on real TensorFlow 2.")
@click.option("--rtol", type=float, default=1e-3, show_default=True, help="Relative tolerance (values and printed numbers).")
@click.option("--atol", type=float, default=1e-5, show_default=True, help="Absolute tolerance (values and printed numbers).")
@click.option("--seed", type=int, default=None, help="Seed both sides alike (programs that set no seed).")
@click.option("--timeout", type=float, default=300, show_default=True, help="Seconds each program may run.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the report as JSON.")
@click.option("--markdown", "md_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Trees: write the summary table as Markdown.")
@click.option("-j", "--jobs", type=int, default=1, show_default=True, help="Trees: programs verified in parallel.")
def verify_command(old: Path, new: Path | None, old_engine: str, new_engine: str, rtol: float, atol: float,
                   seed: int | None, timeout: float, json_path: Path | None, md_path: Path | None, jobs: int) -> None:
    """Run OLD (TF1) and NEW (default: OLD upgraded in native mode), each in a scratch copy of its folder,
    and compare the values at each sess.run/.eval call site and its rewrite, the final variables by name,
    and the printed output."""
    if old.is_dir():
        if new is not None:
            raise click.UsageError("verify DIR takes no NEW: each program is upgraded in native mode")
        from upgrader.verify.tree import verify_tree
        summary = verify_tree(old, jobs=jobs, rtol=rtol, atol=atol, timeout=timeout, old_engine=old_engine,
                              new_engine=new_engine, seed=seed, progress=sys.stderr.isatty())
        click.echo(summary.markdown(), nl=False)
        if json_path is not None:
            summary.write_json(json_path)
        if md_path is not None:
            md_path.write_text(summary.markdown(), encoding="utf-8")
        sys.exit(summary.exit_code)
    from upgrader.verify import verify
    report = verify(old, new, rtol, atol, timeout, old_engine, new_engine, seed)
    click.echo(report.text, nl=False)
    if json_path is not None:
        report.write_json(json_path)
    sys.exit(report.exit_code)
