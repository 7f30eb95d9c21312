"""Every table row checked against TensorFlow 2.21's API data (../shared/tfapi when present)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from upgrader.tables import tables

TFAPI = Path(__file__).resolve().parents[2].parent / "shared" / "tfapi"


@pytest.fixture(scope="module")
def api() -> tuple[dict, dict]:
    if not (TFAPI / "v1_api.json").exists():
        pytest.skip("../shared/tfapi not available")
    return (json.loads((TFAPI / "v1_api.json").read_text())["symbols"],
            json.loads((TFAPI / "v2_api.json").read_text())["symbols"])


def _params(sym: dict) -> list[str]:
    return [p["name"] for p in sym.get("signature") or []]


def test_targets_exist(api: tuple[dict, dict]) -> None:
    v1, v2 = api
    for row in tables().rows.values():
        if row.new and row.new.startswith("tf.compat.v1."):
            assert "tf" + row.new[len("tf.compat.v1"):] in v1, row
        elif row.new:
            assert row.new in v2, row


def test_renamed_keywords_exist_in_both_signatures(api: tuple[dict, dict]) -> None:
    v1, v2 = api
    for row in tables().rows.values():
        target = row.new or row.old
        for old, new in row.renames.items():
            assert old in _params(v1[row.old]) and new in _params(v2[target]), row
        for name in row.v1_args:
            assert name in _params(v1[row.old])


def test_targets_are_fixed_points() -> None:
    """Idempotence by construction: what a row produces is never itself rewritten."""
    t = tables()
    for row in t.rows.values():
        if row.new and not row.new.startswith("tf.compat."):
            target = t.rows.get(row.new)
            assert target is None or not target.new, row


def test_table_is_committed_and_current(api: tuple[dict, dict]) -> None:
    from upgrader.tools.build_upgrade_tables import DATA_OUT, build
    assert json.loads(DATA_OUT.read_text()) == json.loads(json.dumps(build(*api), sort_keys=True))
