"""The `tfcompat` command: `tfcompat run [--api v1|v2] SCRIPT [ARGS...]`."""
from __future__ import annotations

import sys
from typing import Sequence

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option("0.1.0", prog_name="tfcompat")
def main() -> None:
    """Run TensorFlow 1 and 2 programs on tfcompat's engine."""


@main.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.option("--api", type=click.Choice(["v1", "v2"]), default="v1", show_default=True,
              help="Which TensorFlow API `import tensorflow` gives the script.")
@click.argument("script", type=click.Path(exists=True, dir_okay=False))
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def run(api: str, script: str, args: Sequence[str]) -> None:
    """Run SCRIPT unchanged, with `import tensorflow` bound to tfcompat."""
    from .runner import run_script  # noqa: PLC0415  (keep `tfcompat --help` fast)
    run_script(script, list(args), api=api)
    sys.exit(0)


if __name__ == "__main__":
    main()
