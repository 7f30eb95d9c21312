"""Registry-wide checks, parametrised over every op in `runtime.ops.REGISTRY` (id = op name).

Each op's `cases` run: forward against the NumPy `ref`; the static shape and dtype rules
against the eager result; finite-difference gradients to second order (float64 cases);
and eager against graph once `runtime.graph` exists.
"""
from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from runtime import backend, dtypes, variables  # noqa: F401  (registers the resource ops, so the registry is complete)
from runtime.ops import REGISTRY

from .gradcheck import check_grads

# NOTE: ops without ref+cases must be listed here with the reason; the list is checked both ways.
NO_CASES = {
    "CustomGradient": "built per tf.custom_gradient call, never registered",
    # Resource ops take a variable handle, not arrays; tests/runtime/test_variables.py covers them.
    **{n: "resource op on a variable handle" for n in (
        "ReadVariableOp", "AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp")},
    # Random ops: no deterministic NumPy reference; their streams are tested against TF's seeds elsewhere.
    **{n: "random (stateful): no NumPy reference" for n in (
        "LogUniformCandidateSampler", "Multinomial", "RandomShuffle", "RandomStandardNormal", "RandomUniform",
        "RandomUniformInt", "TruncatedNormal")},
    **{n: "random (stateless): TensorFlow's Philox numbers, checked in tests/runtime/test_philox.py" for n in (
        "StatelessRandomNormal", "StatelessRandomUniform", "StatelessTruncatedNormal")},
    "StatelessMultinomial": "random (stateless): TensorFlow's ids, checked in tests/runtime/test_philox_discrete.py",
    # Resource ops act on a variable handle, not arrays; the variable tests cover them.
    **{n: "resource op: needs a variable handle" for n in (
        "ReadVariableOp", "AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp")},
}

# Ops whose gradient is deliberately only first-order-checked, with the reason.
FIRST_ORDER_ONLY: dict[str, str] = {}
# Ops whose cases are outside the region where finite differences are meaningful.
NO_GRAD_CHECK = {
    "Floor": "piecewise constant", "Ceil": "piecewise constant", "Round": "piecewise constant",
    "Sign": "piecewise constant",
    "Cholesky": "reads one triangle of a symmetric input; checked symmetrised in tests/runtime/test_linalg_solve.py",
}

OPS = sorted(REGISTRY)
WITH_CASES = [n for n in OPS if REGISTRY[n].cases is not None and REGISTRY[n].ref is not None]



def _cases(name):
    return REGISTRY[name].cases(np.random.default_rng(0))


def _tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


@pytest.mark.parametrize("name", OPS)
def test_every_op_has_ref_and_cases(name):
    opdef = REGISTRY[name]
    has = opdef.ref is not None and opdef.cases is not None
    assert has or name in NO_CASES, f"op {name} needs ref= and cases= (or an entry in NO_CASES saying why)"
    assert not (has and name in NO_CASES), f"op {name} has cases now: drop it from NO_CASES"


@pytest.mark.parametrize("name", WITH_CASES)
def test_forward_matches_ref(name):
    opdef = REGISTRY[name]
    for inputs, attrs in _cases(name):
        got = _tuple(opdef(*inputs, **attrs))
        want = _tuple(opdef.ref(*inputs, **attrs))
        assert len(got) == len(want), f"{name}: {len(got)} outputs, ref gives {len(want)}"
        for g, w in zip(got, want):
            w = np.asarray(w)
            assert g.shape.as_list() == list(w.shape), f"{name}{attrs}: shape {g.shape} vs ref {w.shape}"
            if w.dtype.kind in "fc":
                np.testing.assert_allclose(g.numpy(), w, rtol=1e-6 if w.dtype == np.float64 else 1e-5,
                                           atol=1e-12, err_msg=f"{name} {attrs}")
            else:
                np.testing.assert_array_equal(g.numpy(), w, err_msg=f"{name} {attrs}")


def _static(opdef, inputs):
    return [np.asarray(x) if i in opdef.value_inputs else tuple(np.shape(x)) for i, x in enumerate(inputs)]


@pytest.mark.parametrize("name", WITH_CASES)
def test_shape_and_dtype_rules_match_eager(name):
    opdef = REGISTRY[name]
    for inputs, attrs in _cases(name):
        got = _tuple(opdef(*inputs, **attrs))
        if opdef.shape is not None:
            rule = opdef.shape(*_static(opdef, inputs), **attrs)
            shapes = rule if opdef.num_outputs != 1 else (rule,)
            for g, s in zip(got, shapes):
                if s is not None:
                    assert len(s) == g.shape.rank and all(d is None or d == e for d, e in zip(s, g.shape.as_list())), \
                        f"{name}{attrs}: shape rule {s} vs eager {g.shape}"
        in_dtypes = [dtypes.from_numpy(np.asarray(x).dtype) for x in inputs]
        want = opdef.dtype(*in_dtypes, **attrs) if opdef.dtype is not None else in_dtypes[0] if inputs else None
        if want is not None:
            for g, d in zip(got, _tuple(want)):
                assert g.dtype is d, f"{name}{attrs}: dtype rule says {d.name}, eager gives {g.dtype.name}"


def _grad_cases():
    for name in WITH_CASES:
        opdef = REGISTRY[name]
        if not opdef.differentiable or opdef.grad is None or name in NO_GRAD_CHECK:
            continue
        for k, (inputs, attrs) in enumerate(_cases(name)):
            if any(np.asarray(x).dtype == np.float64 for x in inputs):
                yield pytest.param(name, k, id=f"{name}-{k}")


@pytest.mark.parametrize("name,k", list(_grad_cases()))
def test_gradients_by_finite_differences(name, k):
    opdef = REGISTRY[name]
    inputs, attrs = _cases(name)[k]
    check_grads(lambda *xs: opdef(*xs, **attrs), inputs, order=1 if name in FIRST_ORDER_ONLY else 2)


HAS_GRAPH = importlib.util.find_spec("runtime.graph") is not None and \
    importlib.util.find_spec("runtime.executor") is not None


@pytest.mark.skipif(not HAS_GRAPH, reason="runtime.graph + runtime.executor do not exist yet")
@pytest.mark.parametrize("name", WITH_CASES)
def test_eager_matches_graph(name):
    """Trace each case into a Graph (placeholders; constants for value inputs), run it with the executor."""
    from runtime import executor, graph  # noqa: PLC0415
    opdef = REGISTRY[name]
    for inputs, attrs in _cases(name):
        eager = _tuple(opdef(*inputs, **attrs))
        g = graph.Graph()
        with g.as_default():
            fed, feeds, args = [], [], []
            for i, x in enumerate(inputs):
                x = np.asarray(x)
                if i in opdef.value_inputs:
                    args.append(g.constant(x))
                else:
                    ph = g.placeholder(dtypes.from_numpy(x.dtype), x.shape)
                    fed.append(x)
                    feeds.append(ph)
                    args.append(ph)
            outs = _tuple(opdef(*args, **attrs))
        for o, e in zip(outs, eager):
            assert o.dtype is e.dtype, f"{name}: graph dtype {o.dtype.name} vs eager {e.dtype.name}"
            assert o.shape.is_compatible_with(e.shape), f"{name}{attrs}: static shape {o.shape} vs eager {e.shape}"
        got = executor.plan_for(g, fetches=list(outs), feeds=feeds)(fed)
        for t, e in zip(got, eager):
            if e.dtype.is_floating:
                np.testing.assert_allclose(backend.to_host(t), e.numpy(), rtol=1e-6, err_msg=name)
            else:
                np.testing.assert_array_equal(backend.to_host(t), e.numpy(), err_msg=name)
