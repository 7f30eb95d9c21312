"""TF2 object-based checkpoints: `tf.train.Checkpoint` and `tf.train.CheckpointManager`.

    ckpt = tf.train.Checkpoint(model=model, step=step)
    path = ckpt.save("/tmp/run/ckpt")           # "/tmp/run/ckpt-1"; keys "model/w/.ATTRIBUTES/VARIABLE_VALUE"
    ckpt.restore(tf.train.latest_checkpoint("/tmp/run")).assert_consumed()

Each variable is keyed by its first (breadth-first) attribute path from the root, as
TensorFlow keys it; `_CHECKPOINTABLE_OBJECT_GRAPH` holds TensorFlow's serialized
`TrackableObjectGraph`, so checkpoints round-trip with real TensorFlow both ways for
graphs of modules, layers, variables, lists, dicts and Keras optimizers (slots under
`_variables/N`). Values for variables that do not exist yet at restore time (slots, layers built
later) are assigned when they are created, as TensorFlow's deferred restoration does.
"""
from __future__ import annotations

import os
from collections import deque
from typing import Any

import numpy as np

from runtime import dispatch, dtypes
from runtime.variables import Variable

from .._export import export
from .io import bundle, checkpoint_state, wire

_VALUE = ".ATTRIBUTES/VARIABLE_VALUE"
_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"


def _escape(name: str) -> str:
    return name.replace(".", "..").replace("/", ".S")  # NOTE: TF's escaping of local names in keys


def _trackable(obj: Any) -> bool:
    if isinstance(obj, (Variable, Checkpoint)):
        return True
    if isinstance(obj, (list, tuple, dict)):
        return any(_trackable(v) for v in (obj.values() if isinstance(obj, dict) else obj))
    if dispatch.is_tensor(obj) or not hasattr(obj, "__dict__") or isinstance(obj, type):
        return False
    return any(c.__module__.startswith("tfcompat.") for c in type(obj).__mro__[:-1])


def _children(obj: Any) -> list[tuple[str, Any]]:
    if isinstance(obj, Variable):
        return []
    if isinstance(obj, Checkpoint):
        return list(obj._deps.items())
    if isinstance(obj, (list, tuple)):
        items = [(str(i), v) for i, v in enumerate(obj)]
    elif isinstance(obj, dict):
        items = [(str(k), v) for k, v in obj.items()]
    else:
        ignored = set(getattr(obj, "_TF_MODULE_IGNORED_PROPERTIES", ()))
        items = [(k, v) for k, v in vars(obj).items() if k not in ignored]
    return [(k, v) for k, v in items if _trackable(v)]


def _walk(root: Any) -> tuple[list, dict]:
    """Breadth-first object graph: nodes [(obj, [(local_name, child_id)])] and {key: variable}."""
    ids: dict[int, int] = {id(root): 0}
    nodes: list = [[root, [], ""]]
    queue = deque([0])
    while queue:
        n = queue.popleft()
        obj, refs, path = nodes[n]
        for name, child in _children(obj):
            if id(child) not in ids:
                ids[id(child)] = len(nodes)
                nodes.append([child, [], f"{path}{_escape(name)}/"])
                queue.append(ids[id(child)])
            refs.append((name, ids[id(child)]))
    keys = {path + _VALUE: obj for obj, _, path in nodes if isinstance(obj, Variable)}
    return nodes, keys


def _graph_proto(nodes: list) -> bytes:
    """TensorFlow's TrackableObjectGraph: nodes{children{node_id, local_name}, attributes{name, full_name, key}}."""
    out = b""
    for obj, refs, path in nodes:
        body = b"".join(wire.field_bytes(1, wire.field_varint(1, i) + wire.field_bytes(2, name))
                        for name, i in refs)
        if isinstance(obj, Variable):
            attr = (wire.field_bytes(1, "VARIABLE_VALUE") + wire.field_bytes(2, obj.name.split(":")[0])
                    + wire.field_bytes(3, path + _VALUE))
            body += wire.field_bytes(2, attr)
        out += wire.field_bytes(1, body)
    return out


def _saved_graph(values: dict) -> list | None:
    """The checkpoint's TrackableObjectGraph as [({child name: node id}, checkpoint key or None)]."""
    proto = values.get(_GRAPH_KEY)
    if proto is None:
        return None
    proto = proto.item() if hasattr(proto, "item") else proto
    nodes = []
    for number, body in wire.fields(proto.encode() if isinstance(proto, str) else bytes(proto)):
        if number != 1:
            continue
        children, key = {}, None
        for field, value in wire.fields(body):
            parts = dict(wire.fields(value)) if field in (1, 2) else {}
            if field == 1:
                name = parts.get(2, b"")
                children[name.decode() if isinstance(name, bytes) else str(name)] = int(parts.get(1, 0))
            elif field == 2 and parts.get(1) in (b"VARIABLE_VALUE", "VARIABLE_VALUE"):
                key = parts[3].decode() if isinstance(parts.get(3), bytes) else parts.get(3)
        nodes.append((children, key))
    return nodes


def _match(root: Any, saved: list | None) -> dict:
    """{checkpoint key: live variable}: the live object graph walked along the saved one by child names, as
    TensorFlow matches objects (a variable saved under another path, e.g. the optimizer's, is still found)."""
    if saved is None:
        return _walk(root)[1]
    seen, out = {id(root)}, {}
    queue = deque([(root, 0)])
    while queue:
        obj, node = queue.popleft()
        children, key = saved[node]
        if isinstance(obj, Variable) and key:
            out[key] = obj
        for name, child in _children(obj):
            if name in children and id(child) not in seen:
                seen.add(id(child))
                queue.append((child, children[name]))
    return out


class _Status:
    """What `restore` returns: `assert_consumed()`, `assert_existing_objects_matched()`, `expect_partial()`."""

    def __init__(self, unmatched_objects: list, unused_keys: list) -> None:
        self._missing, self._unused = unmatched_objects, unused_keys

    def assert_consumed(self) -> "_Status":
        if self._missing:
            raise AssertionError(f"Unresolved object in checkpoint: {self._missing[0]}")
        if self._unused:
            raise AssertionError(f"Unused attributes in the checkpoint were not matched to objects: "
                                 f"{sorted(self._unused)}")
        return self

    def assert_existing_objects_matched(self) -> "_Status":
        if self._missing:
            raise AssertionError(f"Unresolved object in checkpoint: {self._missing[0]}")
        return self

    def assert_nontrivial_match(self) -> "_Status":
        return self

    def expect_partial(self) -> "_Status":
        return self

    def run_restore_ops(self, session: Any = None) -> None:
        return None

    def initialize_or_restore(self, session: Any = None) -> None:
        return None


@export("train.Checkpoint", v1=())
class Checkpoint:
    """Saves and restores the variables reachable from its keyword arguments (and `root`)."""

    def __init__(self, root: Any = None, **kwargs: Any) -> None:
        deps: dict = {}
        if root is not None:
            deps.update(_children(root))
        for k, v in kwargs.items():
            if not _trackable(v):
                raise ValueError(f"`Checkpoint` was expecting a trackable object (an object derived from "
                                 f"`Trackable`), got {v}. If you believe this object should be trackable "
                                 f"(i.e. it is part of the TensorFlow Python API and manages state), please open "
                                 f"an issue.")
            deps[k] = v
        self._deps = deps
        self._root = root
        self._counter: Variable | None = None

    def __setattr__(self, name: str, value: Any) -> None:
        if not name.startswith("_") and _trackable(value):
            self._deps[name] = value
        object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        deps = self.__dict__.get("_deps", {})
        if name in deps:
            return deps[name]
        raise AttributeError(f"'Checkpoint' object has no attribute '{name}'")

    @property
    def save_counter(self) -> Variable:
        """How many times `save` has run (an int64 variable, created on first use)."""
        if self._counter is None:
            with dispatch.interpreting(dispatch.EAGER):
                self._counter = Variable(np.int64(0), trainable=False, name="save_counter", dtype=dtypes.int64)
            self._deps["save_counter"] = self._counter
        return self._counter

    def _tensors(self) -> dict:
        self.save_counter  # NOTE: TF always writes the counter  # noqa: B018
        nodes, keys = _walk(self)
        tensors = {k: np.asarray(v.numpy()) for k, v in keys.items()}
        tensors[_GRAPH_KEY] = np.array(_graph_proto(nodes), dtype=object)
        return tensors

    def write(self, file_prefix: Any, options: Any = None) -> str:
        """Write the checkpoint at exactly `file_prefix` (no counter, no state file)."""
        prefix = os.fspath(file_prefix)
        bundle.write_bundle(prefix, self._tensors())
        return prefix

    def save(self, file_prefix: Any, options: Any = None) -> str:
        """Increment `save_counter`, write `file_prefix-N` and record it in the directory's `checkpoint` file."""
        self.save_counter.assign_add(1)
        path = self.write(f"{os.fspath(file_prefix)}-{int(self.save_counter.numpy())}")
        directory = os.path.dirname(path) or "."
        state = checkpoint_state.get_checkpoint_state(directory)
        previous = [p for p in (state.all_model_checkpoint_paths if state else []) if p != path]
        checkpoint_state.update_checkpoint_state(directory, path, previous + [path])
        return path

    def read(self, save_path: Any, options: Any = None) -> _Status:
        """Assign every variable the checkpoint at `save_path` has a value for (matched through its object graph)."""
        values = bundle.read_bundle(os.fspath(save_path))
        if self._counter is None and "save_counter/" + _VALUE in values:
            self.save_counter  # noqa: B018
        saved = _saved_graph(values)
        keys = _match(self, saved)
        for key, var in keys.items():
            if key in values:
                var.assign(np.asarray(values[key]).astype(var.dtype.as_numpy_dtype))
        restored = {id(v) for k, v in keys.items() if k in values}
        missing = [k for k, v in _walk(self)[1].items() if id(v) not in restored]
        unused = [k for k in values if k not in keys and k != _GRAPH_KEY and not k.endswith("/.ATTRIBUTES/OBJECT_CONFIG_JSON")]
        _PENDING[:] = [e for e in _PENDING if e[0] is not self]
        if unused:  # NOTE: TF's deferred restoration: variables made later (slots, lazily built layers) get these
            _PENDING.append((self, {k: values[k] for k in unused}, saved))
        return _Status(missing, unused)

    def restore(self, save_path: Any, options: Any = None) -> _Status:
        """Like `read`; `save_path=None` restores nothing (as TF's deferred restore of no checkpoint)."""
        if save_path is None:
            return _Status([], [])
        return self.read(save_path, options)


# NOTE: (checkpoint, {key: value not yet matched to a variable}, saved graph) per restore with values left over;
# the checkpoint is held (as TensorFlow's objects hold their deferred restorations) until every value is used
_PENDING: list = []


def restore_deferred() -> None:
    """Give variables created after a restore (optimizer slots, layers built later) their checkpointed values.

    The values are assigned once, now, even where the variables are made while a tf.function traces (a first
    training step): assigned in the trace, they would be set back to the checkpoint on every call."""
    from .scopes_api import init_scope  # noqa: PLC0415
    for entry in list(_PENDING):
        checkpoint, values, saved = entry
        keys = _match(checkpoint, saved)
        with init_scope():
            for key in [k for k in values if k in keys]:
                var = keys[key]
                var.assign(np.asarray(values.pop(key)).astype(var.dtype.as_numpy_dtype))
        if not values:
            _PENDING.remove(entry)


@export("train.CheckpointManager")
class CheckpointManager:
    """Numbered saves in `directory` (`checkpoint_name-N`), keeping the newest `max_to_keep`."""

    def __init__(self, checkpoint: Any, directory: Any, max_to_keep: Any, keep_checkpoint_every_n_hours: Any = None,
                 checkpoint_name: str = "ckpt", step_counter: Any = None, checkpoint_interval: Any = None,
                 init_fn: Any = None, last_checkpoint_step: Any = None) -> None:
        self._checkpoint = checkpoint
        self._directory = os.fspath(directory)
        self._max_to_keep = max_to_keep
        self._prefix = os.path.join(self._directory, checkpoint_name)
        self._step_counter = step_counter
        self._init_fn = init_fn
        state = checkpoint_state.get_checkpoint_state(self._directory)
        self._maybe = list(state.all_model_checkpoint_paths) if state else []
        self._latest = state.model_checkpoint_path if state else None

    @property
    def directory(self) -> str:
        return self._directory

    @property
    def checkpoint(self) -> Any:
        return self._checkpoint

    @property
    def latest_checkpoint(self) -> str | None:
        return self._latest

    @property
    def checkpoints(self) -> list:
        return list(self._maybe)

    def restore_or_initialize(self) -> str | None:
        if self._latest is not None:
            self._checkpoint.restore(self._latest)
            return self._latest
        if self._init_fn is not None:
            self._init_fn()
        return None

    def save(self, checkpoint_number: Any = None, check_interval: bool = True, options: Any = None) -> str:
        """Write `checkpoint_name-N` (N: `checkpoint_number`, else the checkpoint's save counter) and prune."""
        ckpt = self._checkpoint
        counter = ckpt.save_counter
        counter.assign_add(1)
        if checkpoint_number is None:
            number = int(counter.numpy())
        else:
            number = int(np.asarray(checkpoint_number.numpy() if dispatch.is_tensor(checkpoint_number)
                                    else checkpoint_number))
        path = ckpt.write(f"{self._prefix}-{number}")
        self._maybe = [p for p in self._maybe if p != path] + [path]
        if self._max_to_keep is not None:
            while len(self._maybe) > self._max_to_keep:
                old = self._maybe.pop(0)
                for f in (bundle.index_path(old), bundle.data_path(old)):
                    if os.path.exists(f):
                        os.remove(f)
        self._latest = path
        checkpoint_state.update_checkpoint_state(self._directory, path, self._maybe)
        return path
