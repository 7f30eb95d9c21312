"""Every TF1 fixture program verifies equal against its native rewrite (compat where native falls back):
on tfcompat on both sides, and with the rewrite on real TensorFlow where it is installed."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.warm_python import warm_verify_sides
from upgrader.verify import verify

PROGRAMS = sorted((Path(__file__).resolve().parents[2] / "fixtures" / "programs" / "v1").glob("*.py"))
# NOTE: real TensorFlow takes ~30 s to start per side; TFCOMPAT_VERIFY_TF_ALL=1 runs every program against it.
ON_TENSORFLOW = [p for p in PROGRAMS if os.environ.get("TFCOMPAT_VERIFY_TF_ALL") == "1"
                 or p.stem in ("linreg", "softmax_regression", "cnn", "native_linreg", "native_mlp_layers")]


@pytest.fixture(autouse=True)
def _warm(monkeypatch):
    warm_verify_sides(monkeypatch)   # NOTE: each side still runs in its own process, without the import each time


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_fixture_verifies_equal_on_tfcompat(program):
    report = verify(program)
    assert report.status == "equal", report.text
    assert any(r.kind in ("call", "variable") and r.status == "equal" for r in report.rows), report.text


@pytest.mark.oracle
@pytest.mark.parametrize("program", ON_TENSORFLOW, ids=[p.stem for p in ON_TENSORFLOW])
def test_fixture_rewrite_on_real_tensorflow_verifies_equal(oracle, program):
    report = verify(program, new_engine="tensorflow")
    assert report.status == "equal", report.text
