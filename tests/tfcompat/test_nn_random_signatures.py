"""Every tf.nn / tf.random name exported by nn_ops*, random_ops has TF 2.21's argument names,
order and defaults (from tests/data/tfapi, see tests/tfapi.py)."""
from __future__ import annotations

import inspect

import pytest

from tests import tfapi
from tfcompat import _export

OURS = ("tfcompat._impl.nn_ops", "tfcompat._impl.nn_ops_conv", "tfcompat._impl.nn_ops_sampled",
        "tfcompat._impl.random_ops")
NAMES = sorted(n for n, f in _export.V2.items() if getattr(f, "__module__", None) in OURS)


@pytest.fixture(scope="module")
def api():
    return tfapi.symbols("v2")


@pytest.mark.parametrize("name", NAMES)
def test_signature_matches_tensorflow(api, name):
    entry = api.get(f"tf.{name}")
    assert entry is not None, f"tf.{name} is not in TF 2.21's API"
    ours = [(p.name, "None" if p.default is None else repr(p.default) if isinstance(p.default, str) else
             str(p.default)) if p.default is not inspect.Parameter.empty else (p.name,)
            for p in inspect.signature(_export.V2[name]).parameters.values()]
    theirs = [(a["name"], a["default"]) if "default" in a else (a["name"],) for a in entry["signature"]]
    assert [o[0] for o in ours] == [t[0] for t in theirs]
    for o, t in zip(ours, theirs):
        if len(t) == 2 and not t[1].startswith("tf."):
            assert len(o) == 2 and (o[1] == t[1] or o[1].replace('"', "'") == t[1]), (name, o, t)
