"""`keras.utils.Progbar`: the progress line `fit`, `evaluate` and `predict` print; `set_random_seed`.

    bar = Progbar(4)
    bar.update(1, [("loss", 0.52)])   # 1/4 ━━━━━━━━━━━━━━━━━━━━ 0s 12ms/step - loss: 0.5200

verbose=1 redraws one line in place as Keras 3 does, on a terminal and in a pipe alike
(carriage return, backspaces over the previous line, ANSI bold/green/grey), at most every
`interval` seconds and always on the last update; verbose=2 prints one plain line when
the bar finishes. Metric values may be tensors: they are read only when a line is drawn.
"""
from __future__ import annotations

import math
import random
import sys
import time
from typing import Any

import numpy as np

from ..._export import export


@export("keras.utils.Progbar")
class Progbar:
    """A progress bar over `target` steps (None: unknown) with running metric values."""

    def __init__(self, target: int | None, width: int = 20, verbose: int = 1, interval: float = 0.05,
                 stateful_metrics: Any = None, stateless_metrics: Any = None, unit_name: str = "step") -> None:
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError("Only one of `stateful_metrics` or `stateless_metrics` can be provided.")
        self.target, self.width, self.verbose, self.interval = target, width, verbose, interval
        self.unit_name = unit_name
        self.stateful_metrics = None if stateful_metrics is None else set(stateful_metrics)
        if stateless_metrics is not None:  # NOTE: Keras's inverse list: only these are averaged
            self.stateful_metrics, self._averaged = {"all"}, set(stateless_metrics)
        else:
            self._averaged = set()
        self._values: dict[str, list] = {}
        self._seen = 0
        self._start = time.time()
        self._last_draw = 0.0
        self._after_first: float | None = None
        self._width_drawn = 0

    def _stateful(self, name: str) -> bool:
        # NOTE: fit passes stateful_metrics=["all"]: its logs are running means already
        if self.stateful_metrics == {"all"}:
            return name not in self._averaged
        return self.stateful_metrics is not None and name in self.stateful_metrics

    def update(self, current: int, values: Any = None, finalize: bool | None = None) -> None:
        """Show progress `current` of `target`; `values`: (name, value) pairs or a dict."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        now = time.time()
        step_time = self._step_time(current, now)
        draw = self.verbose == 1 and (finalize or now - self._last_draw >= self.interval)
        if values is not None and (draw or finalize or not self._all_stateful()):
            for name, value in (values.items() if isinstance(values, dict) else values):
                value = float(np.mean(np.asarray(value)))
                if self._stateful(name) or finalize:
                    self._values[name] = [value, 1]
                else:
                    total, count = self._values.get(name, [0.0, 0])
                    n = max(current - self._seen, 1)
                    self._values[name] = [total + value * n, count + n]
        self._seen = current
        if draw:
            self._draw_dynamic(current, now, step_time, finalize)
        elif self.verbose == 2 and finalize:
            count = f"{current:{self._digits()}d}/{self.target}" if self.target else f"{current}"
            sys.stdout.write(f"{count} - {now - self._start:.0f}s -{_per_step(step_time, self.unit_name)}"
                             f"{self._metrics()}\n")
            sys.stdout.flush()

    def add(self, n: int, values: Any = None) -> None:
        self.update(self._seen + n, values)

    def _all_stateful(self) -> bool:
        return self.stateful_metrics == {"all"} and not self._averaged

    def _digits(self) -> int:
        return int(math.log10(self.target)) + 1 if self.target else 1

    def _step_time(self, current: int, now: float) -> float:
        """Seconds per step, leaving out the first (compilation) step once there are others."""
        if not current:
            return 0.0
        if self._after_first is not None and current > 1:
            per = (now - self._after_first) / (current - 1)
        else:
            per = (now - self._start) / current
        if current == 1:
            self._after_first = now
        return per

    def _metrics(self) -> str:
        out = ""
        for name, (total, count) in self._values.items():
            avg = total / max(count, 1)
            out += f" - {name}: {avg:.4f}" if abs(avg) > 1e-3 else f" - {name}: {avg:.4e}"
        return out

    def _draw_dynamic(self, current: int, now: float, step_time: float, finalize: bool) -> None:
        line = "\b" * self._width_drawn + "\r"
        hidden = 0  # NOTE: ANSI escapes take no columns
        if self.target:
            done = int(self.width * current / self.target)
            bar = f"\x1b[1m{current:{self._digits()}d}/{self.target}\x1b[0m "
            bar += (f"\x1b[32m{'━' * done}\x1b[0m" if done > 0 else "") + f"\x1b[37m{'━' * (self.width - done)}\x1b[0m"
            hidden += 8 + (9 if done > 0 else 0) + 9
        else:
            bar = f"{current:7d}/Unknown"
        if self.target and not finalize:
            eta = step_time * (self.target - current)
            shown = f"{eta // 3600:.0f}:{(eta % 3600) // 60:02.0f}:{eta % 60:02.0f}" if eta > 3600 else (
                f"{eta // 60:.0f}:{eta % 60:02.0f}" if eta > 60 else f"{eta:.0f}s")
        else:
            shown = f"{now - self._start:.0f}s"
        info = f" \x1b[1m{shown}\x1b[0m{_per_step(step_time, self.unit_name)}{self._metrics()}"
        hidden += 8
        width = len(bar) + len(info) - hidden
        line += bar + info + " " * max(self._width_drawn - width, 0) + ("\n" if finalize else "")
        sys.stdout.write(line)
        sys.stdout.flush()
        self._width_drawn = width
        self._last_draw = now


def _per_step(seconds: float, unit: str) -> str:
    if seconds >= 1 or seconds == 0:
        return f" {seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f" {seconds * 1e3:.0f}ms/{unit}"
    return f" {seconds * 1e6:.0f}us/{unit}"


@export("keras.utils.set_random_seed")
def set_random_seed(seed: int) -> None:
    """Seed Python's `random`, NumPy's global generator and TensorFlow's global seed at once."""
    if not isinstance(seed, int):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed} (of type {type(seed)})")
    random.seed(seed)
    np.random.seed(seed)
    from ..random_ops import set_seed  # noqa: PLC0415  (tf.random.set_seed)
    set_seed(seed)
