"""Every GPU figure of issue 15 in one run of a few minutes, side by side with CuPy, PyTorch and TensorFlow.

    python benchmarks/gpu/run.py --json gpu.json            # on a machine with CuPy and an NVIDIA GPU
    TFCOMPAT_TEST_DEVICE=strict python benchmarks/gpu/run.py --smoke   # CPU-only check that it runs

Figures (each the median of --repeats timed runs, the device synchronised around each):
  fused_relu_bw     relu(x*a+b) on 64M float32 in tf.function: GB/s (read x + write y), and its ratio to
                    the device's measured device-to-device copy bandwidth (cupy copy of the same array)
  matmul_4096       4096x4096 float32 matmul, eager tf.matmul and in tf.function, against cupy.matmul
  mlp_adam_step     MLP 784-256-256-10, batch 128, sparse softmax cross-entropy, Keras Adam, one step in
                    tf.function (ms), against PyTorch on the same GPU and TensorFlow-GPU where importable
  eager_overhead    eager tf.add on a 4-vector on the GPU (us/op), against cupy.add on the same arrays
The smoke mode shrinks every size and runs on the strict stand-in: its timings mean nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
import tfcompat as tf  # noqa: E402
from runtime import backend  # noqa: E402


def _sync() -> None:
    xp = backend.device_xp()
    if xp is not None and hasattr(xp, "cuda"):
        xp.cuda.Device().synchronize()


def timed(fn: Callable[[], Any], repeats: int, number: int) -> float:
    """Median seconds per call of fn (number calls per timed run), the device synchronised around runs."""
    fn()
    _sync()
    runs = []
    for _ in range(repeats):
        _sync()
        t = time.perf_counter()
        for _ in range(number):
            fn()
        _sync()
        runs.append((time.perf_counter() - t) / number)
    return statistics.median(runs)


def fused_relu_bw(n: int, repeats: int) -> dict:
    xp = backend.device_xp()
    x = tf.constant(np.random.default_rng(0).standard_normal(n).astype(np.float32))
    a, b = tf.constant(np.float32(1.5)), tf.constant(np.float32(-0.25))
    f = tf.function(lambda x, a, b: tf.nn.relu(x * a + b))
    t_fused = timed(lambda: f(x, a, b), repeats, 10)
    raw = x._value
    t_copy = timed(lambda: raw.copy(), repeats, 10)
    nbytes = 2 * n * 4  # NOTE: one read and one write of the array, for both
    check = float(tf.reduce_sum(f(x, a, b)))
    return {"n": n, "fused_ms": t_fused * 1e3, "fused_GBps": nbytes / t_fused / 1e9,
            "copy_GBps": nbytes / t_copy / 1e9, "ratio_to_copy": t_copy / t_fused, "target": 0.8,
            "kernels": repr(f.get_concrete_function(x, a, b).plan.kernels), "check": check,
            "device_module": getattr(xp, "__name__", "?")}


def matmul(n: int, repeats: int) -> dict:
    xp = backend.device_xp()
    rng = np.random.default_rng(1)
    a = tf.constant(rng.standard_normal((n, n)).astype(np.float32))
    b = tf.constant(rng.standard_normal((n, n)).astype(np.float32))
    f = tf.function(tf.matmul)
    t_eager = timed(lambda: tf.matmul(a, b), repeats, 5)
    t_fn = timed(lambda: f(a, b), repeats, 5)
    t_cp = timed(lambda: xp.matmul(a._value, b._value), repeats, 5)
    flops = 2 * n ** 3
    return {"n": n, "eager_ms": t_eager * 1e3, "function_ms": t_fn * 1e3, "cupy_ms": t_cp * 1e3,
            "eager_TFLOPs": flops / t_eager / 1e12, "cupy_TFLOPs": flops / t_cp / 1e12,
            "ratio_eager_to_cupy": t_cp / t_eager, "ratio_function_to_cupy": t_cp / t_fn, "target": 0.9}


def _mlp_data(batch: int) -> tuple:
    rng = np.random.default_rng(2)
    sizes = (784, 256, 256, 10)
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], batch).astype(np.int32)
    ws = [(rng.standard_normal((i, o)) * np.sqrt(2 / i)).astype(np.float32) for i, o in zip(sizes, sizes[1:])]
    return x, y, ws


def mlp_tfcompat(batch: int, repeats: int, module: Any = tf) -> tuple:
    """(ms per Adam step in tf.function, loss after 20 steps) with `module` (tfcompat or tensorflow)."""
    x0, y0, ws = _mlp_data(batch)
    ms = [module.Variable(w) for w in ws]
    bs = [module.Variable(np.zeros(w.shape[1], np.float32)) for w in ws]
    params = [p for pair in zip(ms, bs) for p in pair]
    opt = module.keras.optimizers.Adam(1e-3)
    x, y = module.constant(x0), module.constant(y0)

    @module.function
    def step(x, y):
        with module.GradientTape() as tape:
            h = x
            for i, (w, b) in enumerate(zip(ms, bs)):
                h = module.matmul(h, w) + b
                h = module.nn.relu(h) if i < len(ms) - 1 else h
            loss = module.reduce_mean(module.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=h))
        opt.apply_gradients(zip(tape.gradient(loss, params), params))
        return loss

    for _ in range(19):
        step(x, y)
    check = float(step(x, y))
    sync = _sync if module is tf else (lambda: None)
    step(x, y)
    runs = []
    for _ in range(repeats):
        sync()
        t = time.perf_counter()
        for _ in range(30):
            loss = step(x, y)
        float(loss)  # NOTE: TensorFlow's own sync point
        sync()
        runs.append((time.perf_counter() - t) / 30)
    return statistics.median(runs) * 1e3, check


def mlp_torch(batch: int, repeats: int) -> dict:
    try:
        import torch  # noqa: PLC0415
    except ImportError:
        return {"status": "PyTorch not installed"}
    if not torch.cuda.is_available():
        return {"status": "PyTorch has no CUDA device"}
    dev = torch.device("cuda")
    x0, y0, ws = _mlp_data(batch)
    params = []
    for w in ws:
        params += [torch.tensor(w, device=dev, requires_grad=True),
                   torch.zeros(w.shape[1], device=dev, requires_grad=True)]
    opt = torch.optim.Adam(params, lr=1e-3, eps=1e-7)
    x, y = torch.tensor(x0, device=dev), torch.tensor(y0, device=dev, dtype=torch.long)

    def step() -> Any:
        h = x
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            h = torch.relu(h) if i < len(params) - 2 else h
        loss = torch.nn.functional.cross_entropy(h, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss
    for _ in range(20):
        loss = step()
    check = float(loss)
    torch.cuda.synchronize()
    runs = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(30):
            step()
        torch.cuda.synchronize()
        runs.append((time.perf_counter() - t) / 30)
    return {"ms": statistics.median(runs) * 1e3, "check": check, "version": torch.__version__}


def mlp_tensorflow(batch: int, repeats: int) -> dict:
    try:
        import tensorflow as real  # noqa: PLC0415
    except ImportError:
        return {"status": "TensorFlow not installed"}
    if not real.config.list_physical_devices("GPU"):
        return {"status": f"TensorFlow {real.__version__} sees no GPU (tensorflow-cpu?)"}
    ms, check = mlp_tfcompat(batch, repeats, real)
    return {"ms": ms, "check": check, "version": real.__version__}


def eager_overhead(repeats: int) -> dict:
    xp = backend.device_xp()
    x = tf.constant(np.ones(4, np.float32))
    y = tf.constant(np.ones(4, np.float32))
    t_tf = timed(lambda: tf.add(x, y), repeats, 2000)
    t_cp = timed(lambda: xp.add(x._value, y._value), repeats, 2000)
    return {"tf_add_us": t_tf * 1e6, "cupy_add_us": t_cp * 1e6, "overhead_us": (t_tf - t_cp) * 1e6,
            "device": x.device}


def device_info() -> dict:
    xp = backend.device_xp()
    info = {"device_module": getattr(xp, "__name__", None), "python": platform.python_version(),
            "numpy": np.__version__, "host": platform.node()}
    if xp is not None and hasattr(xp, "cuda"):
        props = xp.cuda.runtime.getDeviceProperties(0)
        name = props["name"]
        info.update(gpu=name.decode() if isinstance(name, bytes) else name, cupy=xp.__version__,
                    cuda_runtime=xp.cuda.runtime.runtimeGetVersion(), memory_GiB=props["totalGlobalMem"] / 2 ** 30)
    return info


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", help="write the figures here")
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--smoke", action="store_true", help="tiny sizes (for the strict stand-in on a CPU)")
    args = ap.parse_args()
    if backend.device_xp() is None:
        print("no device backend: install CuPy for this machine's CUDA (pip install -e '.[gpu]') and check "
              "nvidia-smi, or use TFCOMPAT_TEST_DEVICE=strict --smoke for a CPU-only check", file=sys.stderr)
        return 2
    small = args.smoke
    reps = 2 if small else args.repeats
    out: dict = {"info": device_info(), "smoke": small, "repeats": reps, "method": __doc__}
    steps = [("fused_relu_bw", lambda: fused_relu_bw(1 << (12 if small else 26), reps)),
             ("matmul_4096", lambda: matmul(64 if small else 4096, reps)),
             ("mlp_adam_step", lambda: dict(zip(("ms", "check"), mlp_tfcompat(128, reps)))),
             ("mlp_adam_step_torch", lambda: mlp_torch(128, reps)),
             ("mlp_adam_step_tensorflow", lambda: mlp_tensorflow(128, reps)),
             ("eager_overhead", lambda: eager_overhead(reps))]
    for name, fn in steps:
        t = time.perf_counter()
        try:
            out[name] = fn()
        except Exception as e:  # noqa: BLE001  (one failing figure must not lose the others)
            out[name] = {"error": f"{type(e).__name__}: {e}"}
        out[name]["wall_s"] = round(time.perf_counter() - t, 2)
        print(f"{name}: {json.dumps(out[name], default=str)}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1, default=str))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.exit(main())
