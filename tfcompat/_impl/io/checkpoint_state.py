"""The `checkpoint` state file and the reading side of `tf.train`: latest_checkpoint & co.

    update_checkpoint_state("/tmp/m", "/tmp/m/model.ckpt-2", ["/tmp/m/model.ckpt-1", "/tmp/m/model.ckpt-2"])
    latest_checkpoint("/tmp/m") == "/tmp/m/model.ckpt-2"
    load_variable("/tmp/m", "w")  ->  the array saved under "w"

The state file is a CheckpointState proto in text format; it is parsed as data
(`key: "string"` / `key: number` lines), never evaluated.
"""
from __future__ import annotations

import glob
import logging
import os
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from runtime import dtypes
from runtime.errors import NotFoundError

from ..._export import export
from .bundle import BundleReader, index_path

_LOG = logging.getLogger("tensorflow")
_LINE = re.compile(r'^\s*(\w+)\s*:\s*(".*"|[-+0-9.eE]+|inf|nan)\s*$')


@dataclass
class CheckpointState:
    """TensorFlow's CheckpointState proto: the newest checkpoint and the ones still kept."""

    model_checkpoint_path: str = ""
    all_model_checkpoint_paths: list[str] = field(default_factory=list)
    all_model_checkpoint_timestamps: list[float] = field(default_factory=list)
    last_preserved_timestamp: float = 0.0

    def __str__(self) -> str:
        lines = [f"model_checkpoint_path: {_quote(self.model_checkpoint_path)}"]
        lines += [f"all_model_checkpoint_paths: {_quote(p)}" for p in self.all_model_checkpoint_paths]
        lines += [f"all_model_checkpoint_timestamps: {t!r}" for t in self.all_model_checkpoint_timestamps]
        if self.last_preserved_timestamp:
            lines.append(f"last_preserved_timestamp: {self.last_preserved_timestamp!r}")
        return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    out = []
    for b in text.encode():
        c = chr(b)
        if c in '"\\':
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif 32 <= b < 127:
            out.append(c)
        else:
            out.append(f"\\{b:03o}")
    return '"' + "".join(out) + '"'


def _unquote(text: str) -> str:
    body, out, i = text[1:-1].encode("latin-1", "backslashreplace"), bytearray(), 0
    simple = {ord("n"): 10, ord("t"): 9, ord("r"): 13, ord('"'): 34, ord("'"): 39, ord("\\"): 92}
    while i < len(body):
        b = body[i]
        if b != 92 or i + 1 == len(body):
            out.append(b)
            i += 1
        elif body[i + 1] in simple:
            out.append(simple[body[i + 1]])
            i += 2
        elif body[i + 1] in b"xX":
            m = re.match(rb"[0-9a-fA-F]{1,2}", body[i + 2:])
            out.append(int(m.group(), 16) if m else 0)
            i += 2 + (len(m.group()) if m else 0)
        else:
            m = re.match(rb"[0-7]{1,3}", body[i + 1:])
            out.append(int(m.group(), 8) if m else body[i + 1])
            i += 1 + (len(m.group()) if m else 1)
    return out.decode("utf-8", "surrogateescape")


def parse_checkpoint_state(text: str) -> CheckpointState:
    """Parse the text-format CheckpointState in a `checkpoint` file (ValueError when malformed)."""
    state = CheckpointState()
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _LINE.match(line)
        if m is None:
            raise ValueError(f"line {number}: cannot parse {line!r}")
        name, value = m.groups()
        if name == "model_checkpoint_path":
            state.model_checkpoint_path = _unquote(value)
        elif name == "all_model_checkpoint_paths":
            state.all_model_checkpoint_paths.append(_unquote(value))
        elif name == "all_model_checkpoint_timestamps":
            state.all_model_checkpoint_timestamps.append(float(value))
        elif name == "last_preserved_timestamp":
            state.last_preserved_timestamp = float(value)
        else:
            raise ValueError(f"line {number}: unknown field {name!r} in CheckpointState")
    return state


@export("train.get_checkpoint_state")
def get_checkpoint_state(checkpoint_dir: str, latest_filename: str | None = None) -> CheckpointState | None:
    """The CheckpointState in `checkpoint_dir/checkpoint` (relative paths made absolute), or None."""
    path = os.path.join(checkpoint_dir, latest_filename or "checkpoint")
    if not os.path.isfile(path):
        return None
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            state = parse_checkpoint_state(f.read())
    except (OSError, ValueError) as e:
        _LOG.warning("%s: %s", type(e).__name__, e)
        _LOG.warning("%s: Checkpoint ignored", path)
        return None
    if not state.model_checkpoint_path:
        raise ValueError(f"Invalid checkpoint state loaded from {checkpoint_dir}")
    if not os.path.isabs(state.model_checkpoint_path):
        state.model_checkpoint_path = os.path.join(checkpoint_dir, state.model_checkpoint_path)
    state.all_model_checkpoint_paths = [p if os.path.isabs(p) else os.path.join(checkpoint_dir, p)
                                        for p in state.all_model_checkpoint_paths]
    return state


@export(v1=("train.update_checkpoint_state",))
def update_checkpoint_state(save_dir: str, model_checkpoint_path: str, all_model_checkpoint_paths: Any = None,
                            latest_filename: str | None = None, all_model_checkpoint_timestamps: Any = None,
                            last_preserved_timestamp: float | None = None) -> None:
    """Write `save_dir/checkpoint` naming the newest checkpoint (kept last in the list)."""
    paths = list(all_model_checkpoint_paths or [])
    if not paths or paths[-1] != model_checkpoint_path:
        paths.append(model_checkpoint_path)
    if not os.path.isabs(save_dir):  # NOTE: TF stores paths relative to a relative save_dir
        model_checkpoint_path = os.path.relpath(model_checkpoint_path, save_dir) \
            if not os.path.isabs(model_checkpoint_path) else model_checkpoint_path
        paths = [p if os.path.isabs(p) else os.path.relpath(p, save_dir) for p in paths]
    state_path = os.path.join(save_dir, latest_filename or "checkpoint")
    if os.path.abspath(state_path) == os.path.abspath(os.path.join(save_dir, model_checkpoint_path)):
        raise RuntimeError(f"Save path '{model_checkpoint_path}' conflicts with path used for checkpoint "
                           "state.  Please use a different save path.")
    state = CheckpointState(model_checkpoint_path, paths, list(all_model_checkpoint_timestamps or []),
                            last_preserved_timestamp or 0.0)
    os.makedirs(save_dir or ".", exist_ok=True)
    with open(state_path + ".tmp", "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write(str(state))
    os.replace(state_path + ".tmp", state_path)


@export(v1=("train.checkpoint_exists",))
def checkpoint_exists(checkpoint_prefix: str) -> bool:
    """True when a V2 checkpoint (`prefix.index`) or a V1 file matching `prefix` exists."""
    return os.path.exists(index_path(checkpoint_prefix)) or bool(glob.glob(checkpoint_prefix))


@export("train.latest_checkpoint")
def latest_checkpoint(checkpoint_dir: str, latest_filename: str | None = None) -> str | None:
    """The prefix of the newest checkpoint in `checkpoint_dir`, or None when there is none."""
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state and state.model_checkpoint_path:
        if checkpoint_exists(state.model_checkpoint_path):
            return state.model_checkpoint_path
        _LOG.error("Couldn't match files for checkpoint %s", state.model_checkpoint_path)
    return None


class CheckpointReader:
    """What `tf.train.load_checkpoint` returns: names, shapes, dtypes and values of a checkpoint."""

    def __init__(self, filepattern: str) -> None:
        self._bundle = BundleReader(filepattern)

    def get_variable_to_shape_map(self) -> dict[str, list[int]]:
        return {name: list(e.shape) for name, e in self._bundle.entries.items()}

    def get_variable_to_dtype_map(self) -> dict[str, Any]:
        return {name: dtypes.as_dtype(e.dtype) for name, e in self._bundle.entries.items()}

    def has_tensor(self, tensor_str: str) -> bool:
        return tensor_str in self._bundle.entries

    def get_tensor(self, tensor_str: str) -> Any:
        value = self._bundle.tensor(tensor_str)
        return value[()] if value.ndim == 0 else value

    def debug_string(self) -> bytes:
        lines = [f"{n} ({dtypes.as_dtype(e.dtype).name}) {list(e.shape)}" for n, e in
                 sorted(self._bundle.entries.items())]
        return ("\n".join(lines) + "\n").encode()


@export(v1=("train.NewCheckpointReader",))
def NewCheckpointReader(filepattern: str) -> CheckpointReader:  # noqa: N802  (TF's name)
    return CheckpointReader(filepattern)


def _prefix_of(ckpt_dir_or_file: str) -> str:
    if os.path.isdir(ckpt_dir_or_file):
        found = latest_checkpoint(ckpt_dir_or_file)
        if found is None:
            raise ValueError(f"Couldn't find 'checkpoint' file or checkpoints in given directory "
                             f"{ckpt_dir_or_file}")
        return found
    return ckpt_dir_or_file


@export("train.load_checkpoint")
def load_checkpoint(ckpt_dir_or_file: str) -> CheckpointReader:
    """A CheckpointReader for a checkpoint prefix, or for the newest checkpoint in a directory."""
    return CheckpointReader(_prefix_of(ckpt_dir_or_file))


@export("train.list_variables")
def list_variables(ckpt_dir_or_file: str) -> list[tuple[str, list[int]]]:
    """Sorted `(name, shape)` pairs of every tensor in the checkpoint."""
    shapes = load_checkpoint(ckpt_dir_or_file).get_variable_to_shape_map()
    return [(name, shapes[name]) for name in sorted(shapes)]


@export("train.load_variable")
def load_variable(ckpt_dir_or_file: str, name: str) -> np.ndarray:
    """The saved value of `name` (a trailing ':0' is ignored, as TF does)."""
    if name.endswith(":0"):
        name = name[:-2]
    reader = load_checkpoint(ckpt_dir_or_file)
    if not reader.has_tensor(name):
        raise NotFoundError(None, None, f"Key {name} not found in checkpoint")
    return reader.get_tensor(name)
