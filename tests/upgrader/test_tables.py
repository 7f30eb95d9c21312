"""Every table row checked against TensorFlow 2.21's API data (tests/data/tfapi, see tests/tfapi.py)."""
from __future__ import annotations

import json

import pytest

from tests import tfapi
from upgrader.tables import tables



@pytest.fixture(scope="module")
def api() -> tuple[dict, dict]:
    return tfapi.symbols("v1"), tfapi.symbols("v2")


def _params(sym: dict) -> list[str]:
    return [p["name"] for p in sym.get("signature") or []]


def test_targets_exist(api: tuple[dict, dict]) -> None:
    v1, v2 = api
    for row in tables().rows.values():
        if row.new and row.new.startswith(("tf.estimator.", "tf.compat.v1.estimator.")):
            continue   # NOTE: TensorFlow 2.16 removed tf.estimator; these are TF 2.0-2.15's (and tfcompat's) names
        if row.new and row.new.startswith("tf.compat.v1."):
            assert "tf" + row.new[len("tf.compat.v1"):] in v1, row
        elif row.new and row.new.startswith("tf.raw_ops."):
            continue   # NOTE: the API data leaves out tf.raw_ops; test_raw_op_targets checks them on TensorFlow
        elif row.new:
            assert row.new.replace("tf.compat.v2.", "tf.") in v2, row


def test_raw_op_targets(oracle) -> None:
    """A v1 wrapper sent to tf.raw_ops: the op exists and takes the v1 parameter names as its keywords."""
    import inspect
    raw = [r for r in tables().rows.values() if r.new and r.new.startswith("tf.raw_ops.")]
    assert raw
    for row in raw:
        op = getattr(oracle.raw_ops, row.new[len("tf.raw_ops."):])
        assert set(row.v1_args) <= set(inspect.signature(op).parameters), row


def test_renamed_keywords_exist_in_both_signatures(api: tuple[dict, dict]) -> None:
    v1, v2 = api
    for row in tables().rows.values():
        target = row.new or row.old
        for old, new in row.renames.items():
            if row.old.startswith("tf.contrib."):   # contrib is not in TF 2.21's API: the target side only
                assert new in _params(v2[target]), row
                continue
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


def test_renames_are_known_aliases_never_positional() -> None:
    """A renamed keyword is the same argument under a new name: a known alias or a hand-written pair."""
    from upgrader.tools import manual_rows as M
    for row in tables().rows.values():
        for old, new in row.renames.items():
            assert M.KEYWORD_ALIASES.get(old) == new or M.ARG_RENAMES.get(row.old, {}).get(old) == new \
                or M.CONTRIB.get(row.old, {}).get("renames", {}).get(old) == new, row


@pytest.mark.parametrize(("name", "old", "new"), [
    ("tf.reduce_sum", "keep_dims", "keepdims"), ("tf.reduce_sum", "reduction_indices", "axis"),
    ("tf.reduce_mean", "reduction_indices", "axis"), ("tf.argmax", "dimension", "axis"),
    ("tf.nn.softmax", "dim", "axis"), ("tf.expand_dims", "dim", "axis"), ("tf.squeeze", "squeeze_dims", "axis"),
    ("tf.nn.conv2d", "filter", "filters"), ("tf.cond", "fn1", "true_fn"), ("tf.nn.max_pool", "value", "input"),
])
def test_important_renames_are_pinned(name: str, old: str, new: str) -> None:
    row = tables().rows[name]
    assert row.new in (None, "tf.nn.max_pool2d") and row.renames[old] == new, row   # v1 max_pool is 2-D only


@pytest.mark.parametrize("name", ["tf.summary.scalar", "tf.summary.histogram", "tf.summary.image",
                                  "tf.summary.audio", "tf.summary.text", "tf.where", "tf.while_loop", "tf.case",
                                  "tf.strings.split", "tf.random_normal_initializer", "tf.nn.embedding_lookup"])
def test_v1_functions_whose_v2_namesake_differs_keep_compat(name: str) -> None:
    row = tables().rows[name]
    assert row.new == row.compat_name and not row.renames and row.why, row


def test_every_different_v2_namesake_is_compat_or_vouched_for(api: tuple[dict, dict]) -> None:
    """Registry-wide: a v1 function/class whose v2 namesake is another object is never silently kept."""
    from upgrader.tools import manual_rows as M
    from upgrader.tools.build_upgrade_tables import _same
    v1, v2 = api
    for name, sym in v1.items():
        if name in v2 and sym["kind"] in ("function", "class") and not _same(name, name, v1, v2):
            row = tables().rows.get(name)
            assert name in M.V2_REPLACES or (row is not None and row.new == row.compat_name), name


def test_hand_written_rows_are_current(api: tuple[dict, dict]) -> None:
    """No stale entries: each vouched-for name has a different v2 namesake; each hand rename exists in both."""
    from upgrader.tools import manual_rows as M
    from upgrader.tools.build_upgrade_tables import _same
    v1, v2 = api
    for name, why in M.V2_REPLACES.items():
        assert name in v1 and name in v2 and not _same(name, name, v1, v2) and why, name
    for name, pairs in M.ARG_RENAMES.items():
        assert name in M.V2_REPLACES or name in M.RENAMES, name
        for old, new in pairs.items():
            assert old in _params(v1[name]) and new in _params(v2[M.RENAMES.get(name, name)]), (name, old, new)


def test_generator_does_not_rename_by_position() -> None:
    """v1 scalar(name, tensor, collections, family) vs v2 scalar(name, data, step, description): no renames."""
    from upgrader.tools.build_upgrade_tables import _arg_changes

    def sig(*names: str) -> dict:
        return {"kind": "function", "signature": [{"kind": "POSITIONAL_OR_KEYWORD", "name": n} for n in names]}
    row = _arg_changes("tf.x", sig("name", "tensor", "collections", "family"), sig("name", "data", "step", "description"))
    assert "renames" not in row and row["v1_only"] == ["tensor", "collections", "family"]
    row = _arg_changes("tf.x", sig("input_tensor", "axis", "keep_dims"), sig("input_tensor", "axis", "keepdims"))
    assert row == {"renames": {"keep_dims": "keepdims"}}


def _leaf(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def test_no_constant_is_joined_to_an_equal_value_of_another_name(api: tuple[dict, dict]) -> None:
    """Equal ints/strings are often one cached object: tf.logging.DEBUG must not become tf.errors.ABORTED."""
    from upgrader.tools.manual_rows import RENAMES
    v1, _ = api
    for row in tables().rows.values():
        if row.old in v1 and v1[row.old]["kind"] not in ("function", "class", "module") and row.new \
                and row.old not in RENAMES and not row.new.startswith("tf.compat.v1."):
            assert _leaf(row.new) == _leaf(row.old), row


def test_upper_case_names_keep_their_name_whole_table() -> None:
    """Without the API data: an UPPER_CASE constant is never renamed to another name unless a row says why."""
    from upgrader.tools.manual_rows import RENAMES
    bad = [(r.old, r.new) for r in tables().rows.values()
           if r.new and _leaf(r.old).isupper() and _leaf(r.new) != _leaf(r.old) and r.old not in RENAMES]
    assert bad == []
    rows = tables().rows
    assert rows["tf.MONOLITHIC_BUILD"].new == "tf.sysconfig.MONOLITHIC_BUILD"
    assert rows["tf.logging.DEBUG"].new == "tf.compat.v1.logging.DEBUG"
    assert rows["tf.saved_model.signature_constants.CLASSIFY_INPUTS"].new == "tf.saved_model.CLASSIFY_INPUTS"
