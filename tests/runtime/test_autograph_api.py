"""`tf.autograph` public names: present in v1 and v2, with TensorFlow 2.21's signatures."""
from __future__ import annotations

import inspect

import pytest

import tfcompat as tf
import tfcompat.compat.v1 as v1
from tests import tfapi


def _signature(api: str, name: str) -> list[str]:
    return [p["name"] for p in tfapi.symbols(api)[name]["signature"]]


@pytest.mark.parametrize("api, module", [("v2", tf), ("v1", v1)])
@pytest.mark.parametrize("name", ["to_code", "to_graph", "set_verbosity", "trace",
                                  "experimental.do_not_convert", "experimental.set_loop_options"])
def test_signatures_match_tensorflow(api, module, name) -> None:
    obj = module.autograph
    for part in name.split("."):
        obj = getattr(obj, part)
    assert list(inspect.signature(obj).parameters) == _signature(api, f"tf.autograph.{name}")


def test_to_code_and_to_graph() -> None:
    def f(x):
        while x > 1:
            x = x // 2
        return x
    code = tf.autograph.to_code(f)
    assert code.startswith("def tf__f(x):") and "ag__.while_stmt(loop_test, loop_body" in code
    assert tf.autograph.to_graph(f)(9) == 1
    assert "ag__.converted_call" not in tf.autograph.to_code(lambda_free_caller, recursive=False)


def lambda_free_caller(x):
    return abs(x)


def test_do_not_convert_runs_as_written() -> None:
    @tf.autograph.experimental.do_not_convert
    def g(x):
        if x > 0:
            return x
        return -x
    assert tf.autograph.to_graph(g) is g and g(-2) == 2
