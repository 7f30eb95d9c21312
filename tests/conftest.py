"""Shared fixtures: the TensorFlow oracle (skips where TensorFlow is absent) and golden updates."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
sys.path.insert(0, str(ROOT))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="rewrite expected golden files from the current output")


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens")) or os.environ.get("UPDATE_GOLDENS") == "1"


def _import_tensorflow():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        import tensorflow as tf  # noqa: PLC0415
    except Exception:  # noqa: BLE001  (absent or broken install: differential tests skip)
        return None
    return tf


@pytest.fixture(scope="session")
def oracle():
    """Real TensorFlow 2.21, for differential tests; the test skips where it is not installed."""
    tf = _import_tensorflow()
    if tf is None:
        pytest.skip("TensorFlow (the oracle) is not installed: pip install -e '.[oracle]'")
    return tf


def pytest_report_header(config: pytest.Config) -> str:
    tf = _import_tensorflow() if os.environ.get("TFCOMPAT_CHECK_ORACLE", "1") == "1" else None
    if tf is None:
        return "oracle: TensorFlow NOT installed -- differential tests will SKIP"
    return f"oracle: TensorFlow {tf.__version__} -- differential tests run"
