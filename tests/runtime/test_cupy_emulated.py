"""The real-CuPy branches (generated ElementwiseKernel/ReductionKernel for fused groups, fused optimizer
kernels) run end to end without a GPU: the strict stand-in device gets an `ElementwiseKernel` and a
`ReductionKernel` that compile the generated code with g++ and run it on the host, with CuPy's
calling conventions (broadcasting, typed or `T` params, `axis=`/`keepdims=`)."""
from __future__ import annotations

import ctypes
import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest

import tfcompat as tf
from runtime import backend, backend_strict
from runtime.backend_strict import StrictArray
from runtime.executor import plan_for
from runtime.graph import Graph
from runtime.ops import elementwise as e, reduce as r

from .test_fusion_cupy import HOST_PRELUDE

pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is not installed")
_C = {"float32": "float", "float64": "double"}
_BUILD = Path(tempfile.mkdtemp(prefix="tfc_cupy_emulated_"))
LAUNCHES: list = []


def _params(spec: str, ctype: str) -> list:
    """[(name, C type)] of a CuPy param list such as 'float32 x, T y'."""
    out = []
    for p in spec.split(","):
        t, n = p.split()
        out.append((n, ctype if t == "T" else _C[t]))
    return out


def _build(source: str) -> ctypes.CDLL:
    key = hashlib.sha1(source.encode()).hexdigest()[:16]
    lib = _BUILD / f"{key}.so"
    if not lib.exists():
        src = _BUILD / f"{key}.cpp"
        src.write_text(HOST_PRELUDE + source)
        run = subprocess.run(["g++", "-shared", "-fPIC", "-O1", "-ffp-contract=off", str(src), "-o", str(lib)],
                             capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr[-3000:]
    return ctypes.CDLL(str(lib))


def _ptr(a: np.ndarray) -> ctypes.c_void_p:
    return a.ctypes.data_as(ctypes.c_void_p)


class ElementwiseKernel:
    def __init__(self, in_params: str, out_params: str, operation: str, name: str, preamble: str = "") -> None:
        self.spec = (in_params, out_params, operation, name, preamble)

    def __call__(self, *args: StrictArray) -> object:
        in_params, out_params, operation, name, preamble = self.spec
        LAUNCHES.append(name)
        arrays = np.broadcast_arrays(*[a._a for a in args])
        ctype = _C[arrays[0].dtype.name]
        ins, outs = _params(in_params, ctype), _params(out_params, ctype)
        sig = ", ".join([f"const {t}* p_{n}" for n, t in ins] + [f"{t}* q_{n}" for n, t in outs])
        body = "".join(f"const {t} {n} = p_{n}[_k]; " for n, t in ins) + "".join(
            f"{t} &{n} = q_{n}[_k]; " for n, t in outs)
        lib = _build(preamble + f'extern "C" void k({sig}, long long n) {{ for (long long _k = 0; _k < n; _k++) '
                     f"{{ {body}{operation}; }} }}\n")
        flat = [np.ascontiguousarray(a).reshape(-1) for a in arrays]
        res = [np.empty(arrays[0].shape, arrays[0].dtype) for _ in outs]
        lib.k(*[_ptr(a) for a in flat], *[_ptr(o) for o in res], ctypes.c_longlong(arrays[0].size))
        wrapped = [StrictArray(o) for o in res]
        return wrapped[0] if len(wrapped) == 1 else tuple(wrapped)


class ReductionKernel:
    def __init__(self, in_params: str, out_params: str, map_expr: str, reduce_expr: str, post_map_expr: str,
                 identity: str, name: str, preamble: str = "") -> None:
        self.spec = (in_params, out_params, map_expr, reduce_expr, post_map_expr, identity, name, preamble)

    def __call__(self, *args: StrictArray, axis: object = None, keepdims: bool = False) -> StrictArray:
        in_params, out_params, map_expr, reduce_expr, post, identity, name, preamble = self.spec
        LAUNCHES.append(name)
        arrays = np.broadcast_arrays(*[a._a for a in args])
        ctype = _C[arrays[0].dtype.name]
        nd = arrays[0].ndim
        axes = tuple(range(nd)) if axis is None else tuple(a % nd for a in np.atleast_1d(axis))
        keep = [d for d in range(nd) if d not in axes]
        moved = [np.ascontiguousarray(np.transpose(a, keep + list(axes))) for a in arrays]
        n = int(np.prod([arrays[0].shape[d] for d in keep], dtype=np.int64))
        m = int(np.prod([arrays[0].shape[d] for d in axes], dtype=np.int64))
        ins, (out_name, out_t) = _params(in_params, ctype), _params(out_params, ctype)[0]
        sig = ", ".join(f"const {t}* p_{v}" for v, t in ins)
        loads = "".join(f"const {t} {v} = p_{v}[_o * m + _r]; " for v, t in ins)
        lib = _build(preamble + "struct tfc_i { long long v; long long size() const { return v; } };\n"
                     f'extern "C" void k({sig}, {out_t}* q, long long n, long long m) {{ '
                     "tfc_i _in_ind{n * m}, _out_ind{n}; for (long long _o = 0; _o < n; _o++) { "
                     f"{out_t} a = {identity}; for (long long _r = 0; _r < m; _r++) {{ {loads}"
                     f"{out_t} b = {map_expr}; a = {reduce_expr}; }} {out_t} &{out_name} = q[_o]; {post}; }} }}\n")
        res = np.empty(n, arrays[0].dtype)
        lib.k(*[_ptr(a) for a in moved], _ptr(res), ctypes.c_longlong(n), ctypes.c_longlong(m))
        shape = [1 if d in axes else arrays[0].shape[d] for d in range(nd)] if keepdims else \
            [arrays[0].shape[d] for d in keep]
        return StrictArray(res.reshape(shape))


@pytest.fixture
def emulated():
    xp = backend_strict._Module("cupy", np, backend_strict.NOT_IN_CUPY)
    xp.__dict__.update({k: v for k, v in backend_strict.xp.__dict__.items() if not k.startswith("__")})
    xp.__dict__.update(STRICT=False, ElementwiseKernel=ElementwiseKernel, ReductionKernel=ReductionKernel)
    LAUNCHES.clear()
    with backend.using(xp):
        yield xp


def test_fused_groups_and_reductions_run_as_generated_kernels(emulated):
    g = Graph()
    with g.as_default():
        x, a, b = g.placeholder("float32", [None, 5]), g.placeholder("float32", []), g.placeholder("float32", [])
        y = e.relu(x * a + b)
        s = r.reduce_sum(e.square(x - a), axis=(1,))
        mx = r.reduce_max(e.tanh(x * 2.0), axis=(0,), keepdims=True)
        mean = r.reduce_mean(e.exp(e.negative(x)) + b)
    xv = np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32)
    feeds = [xv, np.float32(0.5), np.float32(-0.25)]
    got = [v.get() for v in plan_for(g, [y, s, mx, mean], [x, a, b])(feeds)]
    with np.errstate(all="ignore"):
        want = [np.maximum(xv * np.float32(0.5) - np.float32(0.25), 0), ((xv - np.float32(0.5)) ** 2).sum(axis=1),
                np.tanh(xv * np.float32(2.0)).max(axis=0, keepdims=True),
                (np.exp(-xv) - np.float32(0.25)).mean()]
    for w, v in zip(want, got):
        np.testing.assert_allclose(v, w, rtol=1e-6, atol=1e-6)
    assert len(LAUNCHES) == 4 and all(n.startswith("tfc_fused_") for n in LAUNCHES)


def test_keras_adam_step_runs_fused_optimizer_kernels(emulated):
    def train():
        tf.keras.utils.set_random_seed(0)
        model = tf.keras.Sequential([tf.keras.layers.Dense(4, activation="relu"), tf.keras.layers.Dense(2)])
        opt = tf.keras.optimizers.Adam(0.05)
        x = tf.constant(np.random.default_rng(1).standard_normal((8, 3)).astype(np.float32))
        y = tf.constant(np.random.default_rng(2).integers(0, 2, 8).astype(np.int32))

        @tf.function
        def step(x, y):
            with tf.GradientTape() as tape:
                logits = model(x)
                loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
            opt.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
            return loss
        for _ in range(3):
            step(x, y)
        return [v.numpy() for v in model.trainable_variables]
    on_device = train()
    assert LAUNCHES.count("tfc_adam") == 3 * 4  # one kernel per variable and step
    with backend.using(None):
        on_host = train()
    for d, h in zip(on_device, on_host):
        np.testing.assert_allclose(d, h, rtol=1e-5, atol=1e-6)
