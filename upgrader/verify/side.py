"""One side of `tf-upgrade verify`: run a program on an engine and record what it computes.

    python -m upgrader.verify.side --engine tensorflow --api v2 --out REC --root SCRATCH [--seed 1] prog.py

Runs inside the subprocess, in the scratch copy. The engine's recording hook
(`tfcompat.recording`, or `tf_shim` for real TensorFlow) reports every value the
program takes out of the engine; a value counts when the call comes from the program's
own files (a `tf.function` or `.numpy()` called directly by them, a `Session.run`
reached from them through the engine). REC gets `record.json` (events, variables,
notes) and `arrays.npz`; stdout and stderr are the program's.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import runpy
import sys
import traceback
from typing import Any

import numpy as np

MAX_EVENTS_PER_SITE = 2000
KINDS = ("truncated", "normal", "uniform", "shuffle", "categorical", "multinomial")


class Recorder:
    """Collects fetched values by call site, final variable values by name, and notes."""

    def __init__(self, root: str, seed: int | None) -> None:
        self.root = os.path.realpath(root) + os.sep
        self.seed = seed
        self.events: list[tuple[str, int, str, list[np.ndarray]]] = []
        self.per_site: dict[tuple[str, int], int] = {}
        self.snapshot: dict[str, np.ndarray] = {}
        self._made: list[Any] = []
        self._graph_of: dict[str, int] = {}
        self.notes: list[str] = []
        self.counters: dict[str, int] = {}

    # -- where a call comes from --------------------------------------------------------------
    def user_file(self, filename: str) -> str | None:
        path = os.path.realpath(filename)
        return os.path.relpath(path, self.root) if path.startswith(self.root) else None

    def site(self, kind: str, frame: Any) -> tuple[str, int] | None:
        """The program's line that made this call; None for calls made inside libraries."""
        if kind == "run":  # sess.run reached through tensor.eval(), MonitoredSession.run...
            while frame is not None and self.user_file(frame.f_code.co_filename) is None:
                frame = frame.f_back
        if frame is None or (name := self.user_file(frame.f_code.co_filename)) is None:
            return None
        return name, frame.f_lineno

    # -- the recorder protocol ----------------------------------------------------------------
    def fetched(self, kind: str, value: Any, frame: Any) -> None:
        site = self.site(kind, frame)
        if site is None:
            return
        arrays = flatten(value)
        if not arrays:
            return
        if kind == "numpy" and self.events and self.events[-1][:3] == (site[0], site[1], "function") and any(
                a.shape == arrays[0].shape and np.array_equal(a, arrays[0], equal_nan=a.dtype.kind in "fc")
                for a in self.events[-1][3]):
            return  # f(x).numpy(): the value the call already reported
        n = self.per_site.get(site, 0)
        self.per_site[site] = n + 1
        if n < MAX_EVENTS_PER_SITE:
            self.events.append((site[0], site[1], kind, arrays))

    def variables(self, values: dict, problem: str | None = None, graph: Any = None) -> None:
        """A session's variables by name; a name another graph already reported gets #1, #2... (as eager ones do)."""
        if problem:
            self.notes.append(f"variables not read when a session closed: {problem}")
        for name, value in values.items():
            key, k = _short(name), 0
            while key in self.snapshot and self._graph_of.get(key) != id(graph):
                k += 1
                key = f"{_short(name)}#{k}"
            self.snapshot[key] = np.asarray(value)
            self._graph_of[key] = id(graph)

    def created(self, variable: Any) -> None:
        self._made.append(variable)

    def finish(self) -> None:
        """Read the variables made eagerly that no closing session reported."""
        seen: dict[str, int] = {}
        for v in self._made:
            try:
                value = np.asarray(getattr(v.numpy, "__wrapped__", type(v).numpy)(v))
            except Exception:  # noqa: BLE001  (graph variables have no eager value: their session reported them)
                continue
            name = _short(getattr(v, "name", "Variable"))
            k = seen[name] = seen.get(name, -1) + 1
            key = name if k == 0 else f"{name}#{k}"
            self.snapshot.setdefault(key, value)

    # -- seeds ---------------------------------------------------------------------------------
    def op_seeds(self, op_seed: Any, global_seed: Any) -> tuple[Any, Any]:
        """TF's get_seed, with op seeds numbered per kind of random op in creation order (both sides alike)."""
        g = global_seed if global_seed is not None else self.seed
        if g is None and op_seed is None:
            where = self.site("run", sys._getframe(2))
            note = f"unseeded random op at {where[0]}:{where[1]}" if where else "unseeded random op"
            if note not in self.notes:
                self.notes.append(note + " (pass --seed N to seed both sides alike)")
            return None, None
        if op_seed is None:
            kind = random_kind(sys._getframe(1))
            op_seed = self.counters.get(kind, 0)
            self.counters[kind] = op_seed + 1
        seeds = (87654321 if g is None else int(g) % (2**31 - 1), int(op_seed) % (2**31 - 1))
        return (0, 2**31 - 1) if seeds == (0, 0) else seeds

    def save(self, out: str) -> None:
        os.makedirs(out, exist_ok=True)
        arrays: dict[str, np.ndarray] = {}

        def keep(a: np.ndarray) -> str:
            key = f"a{len(arrays)}"
            arrays[key] = a
            return key
        events = [{"file": f, "line": ln, "kind": k, "arrays": [keep(a) for a in arrs]}
                  for f, ln, k, arrs in self.events]
        variables = {name: keep(v) for name, v in self.snapshot.items()}
        np.savez(os.path.join(out, "arrays.npz"), **arrays)
        with open(os.path.join(out, "record.json"), "w", encoding="utf-8") as f:
            json.dump({"events": events, "variables": variables, "notes": self.notes,
                       "truncated": {f"{k[0]}:{k[1]}": n for k, n in self.per_site.items() if n > MAX_EVENTS_PER_SITE}},
                      f)


def _short(name: str) -> str:
    return name[:-2] if name.endswith(":0") else name


def random_kind(frame: Any) -> str:
    """Which random op asked for a seed: the first caller whose name says (truncated_normal, random_uniform...)."""
    for _ in range(12):
        if frame is None:
            break
        name = frame.f_code.co_name.lower()
        for kind in KINDS:
            if kind in name:
                return kind
        frame = frame.f_back
    return "other"


def flatten(value: Any) -> list[np.ndarray]:
    """The arrays in a fetched structure (lists, tuples, dicts, namedtuples), in order; ops (None) drop out."""
    out: list[np.ndarray] = []

    def walk(v: Any) -> None:
        if v is None:
            return
        if isinstance(v, dict):
            for k in v:
                walk(v[k])
        elif isinstance(v, (list, tuple)):
            for x in v:
                walk(x)
        elif isinstance(v, (np.ndarray, np.generic, int, float, bool, complex, str, bytes)):
            out.append(np.asarray(v))
        elif hasattr(v, "numpy"):
            try:
                out.append(np.asarray(getattr(type(v).numpy, "__wrapped__", type(v).numpy)(v)))
            except Exception:  # noqa: BLE001  (a symbolic tensor returned from a function call has no value)
                pass
    walk(value)
    return [a for a in out if a.dtype != object]


NUMPY_DRAWS = ("rand", "randn", "random", "random_sample", "normal", "uniform", "randint", "choice", "shuffle",
               "permutation", "binomial", "poisson")


def watch_numpy(recorder: Recorder) -> None:
    """Note the program's first draw from NumPy's global generator before any np.random.seed (the other side
    cannot draw the same numbers), and np.random.default_rng() without a seed."""
    rnd = np.random
    seeded = [False]
    seed = rnd.seed

    def seeding(*args: Any, **kwargs: Any) -> Any:
        seeded[0] = True
        return seed(*args, **kwargs)
    rnd.seed = seeding

    def note(what: str, frame: Any) -> None:
        where = recorder.site("numpy", frame)
        if where is not None:
            text = f"unseeded NumPy call {what} at {where[0]}:{where[1]} (seed it, or pass --seed N)"
            if text not in recorder.notes:
                recorder.notes.append(text)

    def wrap(name: str) -> None:
        draw = getattr(rnd, name)

        def drawing(*args: Any, **kwargs: Any) -> Any:
            if not seeded[0]:
                note(f"np.random.{name}", sys._getframe(1))
            return draw(*args, **kwargs)
        setattr(rnd, name, drawing)
    for name in NUMPY_DRAWS:
        wrap(name)
    make = rnd.default_rng

    def default_rng(seed: Any = None) -> Any:
        if seed is None:
            note("np.random.default_rng()", sys._getframe(1))
        return make(seed)
    rnd.default_rng = default_rng


def install_engine(engine: str, api: str, recorder: Recorder) -> None:
    if engine == "tfcompat":
        from tfcompat import recording, runner
        from runtime.ops import random as rnd
        runner.install(api)
        recording.install(recorder)
        rnd.SEED_HOOK[0] = lambda op_seed: recorder.op_seeds(op_seed, rnd.current_global_seed())
    else:
        from upgrader.verify import tf_shim
        tf_shim.install(api, recorder)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m upgrader.verify.side")
    p.add_argument("--engine", choices=("tfcompat", "tensorflow"), required=True)
    p.add_argument("--api", choices=("v1", "v2"), required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--root", required=True)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("script")
    p.add_argument("args", nargs=argparse.REMAINDER)
    a = p.parse_args(argv)
    recorder = Recorder(a.root, a.seed)
    if a.seed is not None:
        np.random.seed(a.seed)
        random.seed(a.seed)
    else:
        watch_numpy(recorder)
    install_engine(a.engine, a.api, recorder)
    script = os.path.abspath(a.script)
    sys.argv = [script, *a.args]
    sys.path.insert(0, os.path.dirname(script))
    code: Any = 0
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as e:
        code = e.code
    except BaseException as error:  # noqa: BLE001  (the program's failure: shown like the interpreter's)
        tb = error.__traceback__
        while tb is not None and os.path.realpath(tb.tb_frame.f_code.co_filename) != os.path.realpath(script):
            tb = tb.tb_next
        traceback.print_exception(type(error), error, tb or error.__traceback__)
        code = 1
    finally:
        sys.stdout.flush()
        if a.engine == "tfcompat":
            from tfcompat import recording
            recording.finish()
        else:
            from upgrader.verify import tf_shim
            tf_shim.finish()
        recorder.finish()
        recorder.save(a.out)
    return code if isinstance(code, int) else (0 if code is None else 1)


if __name__ == "__main__":
    sys.exit(main())
