"""`tf.Session`: runs parts of a graph; one compiled plan per (fetches, feeds) signature.

    with tf.Session() as sess:
        sess.run(init)
        loss_value, _ = sess.run([loss, train_op], feed_dict={x: xs, "y:0": ys})

Variables of a graph hold their values per session (a fresh session starts with
every variable uninitialised). Fetches may be tensors, ops, variables, names, or
nested lists/tuples/dicts/namedtuples of them; the result has the same structure.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from runtime import backend, dispatch
from runtime.graph import Graph, Node
from runtime.ops import random as _random
from runtime.graph_tensor import SymbolicTensor

from ._api import v1_export
from .graph_api import get_default_graph
from .session_structures import fetch_key, flatten_fetches, key_leaves, leaves_like
from runtime.executor import plan_for

_DEFAULT_SESSIONS: list["Session"] = []


class _Config:
    """Accepts TF1's protobuf-style options (`ConfigProto(gpu_options=GPUOptions(allow_growth=True))`)."""

    def __init__(self, **kwargs: Any) -> None:
        self.__dict__.update(kwargs)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        value = _Config()
        self.__dict__[name] = value
        return value

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.__dict__.items())})"


for _n in ("ConfigProto", "GPUOptions", "RunOptions", "RunMetadata", "GraphOptions", "OptimizerOptions"):
    v1_export(_n)(type(_n, (_Config,), {"__doc__": f"TF1's `tf.{_n}`: options are accepted and recorded."}))


class Session:
    """`tf.Session(target='', graph=None, config=None)`."""

    def __init__(self, target: str = "", graph: Graph | None = None, config: Any = None) -> None:
        self._graph = graph if graph is not None else get_default_graph()
        self._config = config
        self._closed = False
        self._values: dict[int, Any] = {}       # graph variable handle -> this session's value
        self._plans: dict[tuple, Any] = {}
        self._reads: dict[int, Any] = {}        # variable -> its read tensor in this graph
        self._graph.eval_hook = _eval_hook
        if not hasattr(self._graph, "_v1_session"):
            self._graph._v1_session = None
            self._values = {id(h): h.value for h in graph_variable_handles(self._graph)}  # eager-made values
        self._context: Any = None
        self._streams = _random.Streams()       # NOTE: TF1 kernels are per session: a new one restarts the streams

    # -- properties --------------------------------------------------------------------------
    @property
    def graph(self) -> Graph:
        return self._graph

    @property
    def graph_def(self) -> Any:
        return self._graph

    @property
    def sess_str(self) -> str:
        return ""

    # -- running -----------------------------------------------------------------------------
    def run(self, fetches: Any, feed_dict: Any = None, options: Any = None, run_metadata: Any = None) -> Any:
        """Values of `fetches` (same structure; None for ops), with `feed_dict` overriding tensors."""
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        if self._graph._v1_session is not self:
            self._activate()
        key = (fetch_key(fetches), tuple(feed_dict) if feed_dict else ())
        call = self._plans.get(key)
        if call is None:
            call = self._plans[key] = self._make_call(fetches, key[1])
        prev = _random.session_streams(self._streams)
        try:
            return call(feed_dict.values() if feed_dict else ())
        finally:
            _random.session_streams(prev)

    def _make_call(self, fetches: Any, feed_keys: tuple) -> Any:
        if any(isinstance(k, (tuple, list)) or hasattr(k, "_composite_components") for k in feed_keys):
            # NOTE: an LSTMStateTuple or a SparseTensor fed as a whole: its leaves
            call = self._make_call(fetches, tuple(leaf for k in feed_keys for leaf in key_leaves(k)))
            return lambda values: call([leaf for k, v in zip(feed_keys, values) for leaf in leaves_like(k, v)])
        flat, rebuild = flatten_fetches(fetches, self._element)
        feeds = [self._feed_target(k) for k in feed_keys]
        checks = [_feed_checker(t) for t in feeds]
        tensors = [t for t in flat if isinstance(t, SymbolicTensor)]
        targets = [t for t in flat if isinstance(t, Node)]
        plan = plan_for(self._graph, tensors, feeds, targets)
        run = plan.run
        if rebuild is None and len(tensors) == 1:
            def call(values: Any) -> Any:
                return _fetched(run([c(v) for c, v in zip(checks, values)])[0])
        elif rebuild is None and not tensors:
            def call(values: Any) -> Any:
                run([c(v) for c, v in zip(checks, values)])
        else:
            slots = []
            i = 0
            for t in flat:
                slots.append(i if isinstance(t, SymbolicTensor) else None)
                i += isinstance(t, SymbolicTensor)

            def call(values: Any) -> Any:
                out = run([c(v) for c, v in zip(checks, values)])
                vals = [None if s is None else _fetched(out[s]) for s in slots]
                return vals[0] if rebuild is None else rebuild(vals)
        return call

    def _activate(self) -> None:
        """Make this session's variable values current in the graph's variable cells."""
        g = self._graph
        handles = graph_variable_handles(g)
        prev = g._v1_session
        if prev is not None:
            prev._values = {id(h): h.value for h in handles}
        mine = self._values
        for h in handles:
            h.value = mine.get(id(h))
        g._v1_session = self

    def _element(self, fetch: Any) -> Any:
        g = self._graph
        if isinstance(fetch, str):
            try:
                return g.as_graph_element(fetch)
            except KeyError as e:
                raise ValueError(f"Fetch argument {fetch!r} cannot be interpreted as a Tensor. ({e.args[0]})") \
                    from None
        if hasattr(fetch, "_handle"):
            read = self._reads.get(id(fetch))
            if read is None:
                with g.as_default(), g._outside_scopes():
                    read = self._reads[id(fetch)] = fetch.value()
            return read
        if isinstance(fetch, (SymbolicTensor, Node)):
            if fetch.graph is not g:
                raise ValueError(f"Fetch argument {fetch!r} cannot be interpreted as a Tensor. (Tensor "
                                 f"{fetch!r} is not an element of this graph.)")
            return fetch
        convert = getattr(fetch, "_as_graph_element", None)
        if convert is not None:
            return self._element(convert())
        raise TypeError(f"Fetch argument {fetch!r} has invalid type {type(fetch)!r}, must be a string or Tensor. "
                        "(Can not convert a {type(fetch).__name__} into a Tensor or Operation.)")

    def _feed_target(self, key: Any) -> SymbolicTensor:
        g = self._graph
        if isinstance(key, str):
            try:
                t = g.as_graph_element(key)
            except KeyError as e:
                raise TypeError(f"Cannot interpret feed_dict key as Tensor: {e.args[0]}") from None
        elif hasattr(key, "_handle"):
            t = self._element(key)
        else:
            t = key
        if not isinstance(t, SymbolicTensor):
            raise TypeError(f"Cannot interpret feed_dict key as Tensor: Can not convert a {type(key).__name__} "
                            "into a Tensor.")
        if t.graph is not g:
            raise ValueError(f"Cannot interpret feed_dict key as Tensor: Tensor {t!r} is not an element of "
                             "this graph.")
        return t

    # -- lifecycle ---------------------------------------------------------------------------
    def close(self) -> None:
        self._closed = True
        self._plans.clear()
        if self._graph._v1_session is self:
            self._activate_none()

    def _activate_none(self) -> None:
        g = self._graph
        self._values = {id(h): h.value for h in graph_variable_handles(g)}
        for h in graph_variable_handles(g):
            h.value = None
        g._v1_session = None

    def as_default(self) -> "_SessionContext":
        return _SessionContext(self)

    def __enter__(self) -> "Session":
        self._context = _SessionContext(self)
        self._context.__enter__()
        self._graph_ctx = self._graph.as_default() if self._graph is not get_default_graph() else None
        if self._graph_ctx is not None:
            self._graph_ctx.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._graph_ctx is not None:
            self._graph_ctx.__exit__(*exc)
        self._context.__exit__(*exc)
        self.close()

    def list_devices(self) -> list:
        return []

    def make_callable(self, fetches: Any, feed_list: Any = None, accept_options: bool = False) -> Any:
        feed_list = list(feed_list or ())
        call = self._make_call(fetches, tuple(feed_list))

        def run(*values: Any, **_: Any) -> Any:
            if self._graph._v1_session is not self:
                self._activate()
            prev = _random.session_streams(self._streams)
            try:
                return call(values)
            finally:
                _random.session_streams(prev)
        return run


class _SessionContext:
    def __init__(self, session: Session) -> None:
        self.session = session

    def __enter__(self) -> Session:
        _DEFAULT_SESSIONS.append(self.session)
        return self.session

    def __exit__(self, *exc: Any) -> None:
        if self.session in _DEFAULT_SESSIONS:
            _DEFAULT_SESSIONS.reverse()
            _DEFAULT_SESSIONS.remove(self.session)
            _DEFAULT_SESSIONS.reverse()


class InteractiveSession(Session):
    """A session that installs itself as the default (for `t.eval()` and `op.run()`)."""

    def __init__(self, target: str = "", graph: Graph | None = None, config: Any = None) -> None:
        super().__init__(target, graph, config)
        _DEFAULT_SESSIONS.append(self)

    def close(self) -> None:
        super().close()
        if self in _DEFAULT_SESSIONS:
            _DEFAULT_SESSIONS.remove(self)


v1_export("Session")(Session)
v1_export("InteractiveSession")(InteractiveSession)


@v1_export("get_default_session")
def get_default_session() -> Session | None:
    return _DEFAULT_SESSIONS[-1] if _DEFAULT_SESSIONS else None


def _session_for(session: Session | None, what: str) -> Session:
    session = session or get_default_session()
    if session is None:
        raise ValueError(f"Cannot {what} using `eval()`: No default session is registered. Use "
                         "`with sess.as_default()` or pass an explicit session to `eval(session=sess)`")
    return session


def _eval_hook(tensor: Any, feed_dict: Any, session: Any) -> Any:
    return _session_for(session, "evaluate tensor").run(tensor, feed_dict)


def _operation_run(self: Node, feed_dict: Any = None, session: Any = None) -> None:
    """`op.run()`: run this operation in the default session."""
    _session_for(session, "execute operation").run(self, feed_dict)


if not hasattr(Node, "run"):
    Node.run = _operation_run  # NOTE: Operation.run() needs a session, which only the v1 layer has


def graph_variable_handles(graph: Graph) -> list:
    """The cells of the variables a graph created (their values belong to sessions)."""
    seen: dict[int, Any] = {}
    for key in ("variables", "local_variables", "_v1_all_variables"):
        for v in graph.collections.get(key, ()):
            h = getattr(v, "_handle", None)
            if h is not None:
                seen[id(h)] = h
    return list(seen.values())


def _feed_checker(t: SymbolicTensor) -> Any:
    """A fast converter for values fed to `t` (dtype conversion plus TF's shape check)."""
    np_dtype = None if t.dtype.name == "string" else t.dtype.as_numpy_dtype
    dims = t.shape.as_tuple()
    asarray = np.asarray

    def check(value: Any) -> Any:
        if np_dtype is not None and type(value) is not np.ndarray and not dispatch.is_tensor(value):
            try:
                arr = asarray(value, dtype=np_dtype)
            except (TypeError, ValueError):
                return check_feed(t, value)
        else:
            return check_feed(t, value)
        if dims is not None and arr.shape != dims:
            return check_feed(t, arr)
        return arr
    if np_dtype is not None:
        def check_array(value: Any) -> Any:
            if type(value) is np.ndarray and value.dtype == np_dtype and (dims is None or value.shape == dims):
                return value
            return check(value)
        return check_array
    return check


def check_feed(t: SymbolicTensor, value: Any) -> np.ndarray:
    """`value` as an array of `t`'s dtype; TF's error when its shape does not fit `t`'s static shape."""
    if dispatch.is_tensor(value) or hasattr(value, "_handle"):
        if getattr(value, "_is_symbolic", False):
            raise TypeError("The value of a feed cannot be a tf.Tensor object. Acceptable feed values include "
                            "Python scalars, strings, lists, numpy ndarrays, or TensorHandles. For reference, "
                            f"the tensor object was {value!r} which was passed to the argument `feed_dict` with "
                            f"key {t!r}.")
        value = np.asarray(value)
    try:
        arr = dispatch.to_array(value, t.dtype) if t.dtype.name == "string" else \
            np.asarray(value, dtype=t.dtype.as_numpy_dtype)
    except (TypeError, ValueError) as e:
        raise type(e)(f"{e} (feeding Tensor {t.name!r} of dtype {t.dtype.name})") from None
    if not t.shape.is_compatible_with(arr.shape):
        raise ValueError(f"Cannot feed value of shape {arr.shape!r} for Tensor {t.name!r}, which has shape "
                         f"{_shape_text(t.shape)!r}")
    return arr


def _shape_text(shape: Any) -> str:
    if shape.rank is None:
        return "<unknown>"
    return "(" + ", ".join("?" if d is None else str(d) for d in shape.as_list()) + \
        ("," if shape.rank == 1 else "") + ")"


def _fetched(value: Any) -> Any:
    """A fetched value as TF1 returns it: NumPy scalars (np.float32, bytes) for rank 0."""
    value = backend.to_host(value)
    return value[()] if type(value) is np.ndarray and value.ndim == 0 else value
