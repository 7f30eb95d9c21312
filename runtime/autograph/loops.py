"""`ag__.while_stmt` / `ag__.for_stmt`: Python loops on Python values, `while_loop` on graph tensors.

    ag__.while_stmt(loop_test, loop_body, get_state, set_state, ('n', 'count'), {})
        loop_test() a Python bool or eager tensor  ->  `while loop_test(): loop_body()`
        loop_test() a graph tensor                 ->  runtime.control_flow.while_loop(...)

`for` dispatches on what it iterates through `FOR_LOOPS`, filled by `@iterates(...)`:
graph tensors (a `Range` node is iterated without materialising it) here, and
`tf.data` datasets later, by registering one more handler next to their own code.
"""
from __future__ import annotations

from typing import Any, Callable

from .. import dispatch
from . import checks
from .operators import Undefined, UndefinedReturnValue, as_condition, control_flow, is_symbolic
from .undefineds import define_by_trial

ForLoop = Callable[[Any, Any, Callable, Callable, Callable, tuple, dict], None]
FOR_LOOPS: list[tuple[Callable[[Any], bool], ForLoop]] = []


def iterates(accepts: Callable[[Any], bool]) -> Callable[[ForLoop], ForLoop]:
    """Register how `for x in <iterable accepted by accepts>` runs (later registrations win)."""
    def register(fn: ForLoop) -> ForLoop:
        FOR_LOOPS.insert(0, (accepts, fn))
        return fn
    return register


# -- while ----------------------------------------------------------------------------------
def while_stmt(test: Callable[[], Any], body: Callable[[], None], get_state: Callable[[], tuple],
               set_state: Callable[[tuple], None], symbol_names: tuple[str, ...], opts: dict) -> None:
    """`while test(): body()`, staged as `while_loop` when the first test is a graph tensor."""
    first = test()
    if is_symbolic(first):
        staged_while(test, body, get_state, set_state, symbol_names, opts)
        return
    while first:
        body()
        first = test()


def staged_while(test: Callable[[], Any], body: Callable[[], None], get_state: Callable[[], tuple],
                 set_state: Callable[[tuple], None], symbol_names: tuple[str, ...], opts: dict) -> None:
    init = get_state()
    if any(_unset(v) for v in init):
        init = define_by_trial(body, get_state, set_state, init, symbol_names)
    checks.loop_init(init, symbol_names)
    init = checks.as_outputs(init)
    invariants = dict(opts.get("shape_invariants", {}))

    def cond_fn(*loop_vars: Any) -> Any:
        set_state(loop_vars)
        return as_condition(test(), "while loop")

    def body_fn(*loop_vars: Any) -> tuple:
        set_state(loop_vars)
        body()
        out = get_state()
        checks.loop_vars(loop_vars, out, symbol_names, invariants)
        return checks.as_outputs(out)

    kwargs = {k: opts[k] for k in ("maximum_iterations", "parallel_iterations", "swap_memory") if k in opts}
    if invariants:
        kwargs["shape_invariants"] = [invariants.get(n) for n in symbol_names]
    final = control_flow().while_loop(cond_fn, body_fn, tuple(init), **kwargs)
    set_state(tuple(final) if isinstance(final, (tuple, list)) else (final,))


def _unset(value: Any) -> bool:
    return value is None or isinstance(value, (Undefined, UndefinedReturnValue))


# -- for ------------------------------------------------------------------------------------
def for_stmt(iter_: Any, extra_test: Callable[[], Any] | None, body: Callable[[Any], None],
             get_state: Callable[[], tuple], set_state: Callable[[tuple], None],
             symbol_names: tuple[str, ...], opts: dict) -> None:
    """`for target in iter_: body(target)`, with `extra_test` (break/return flags) checked before each step."""
    for accepts, loop in FOR_LOOPS:
        if accepts(iter_):
            loop(iter_, extra_test, body, get_state, set_state, symbol_names, opts)
            return
    _python_for(iter_, extra_test, body)


def _python_for(iter_: Any, extra_test: Callable[[], Any] | None, body: Callable[[Any], None]) -> None:
    if extra_test is not None and not extra_test():
        return
    for target in iter_:
        body(target)
        if extra_test is not None and not extra_test():
            break


@iterates(is_symbolic)
def _tensor_for(iter_: Any, extra_test: Callable[[], Any] | None, body: Callable[[Any], None],
                get_state: Callable[[], tuple], set_state: Callable[[tuple], None],
                symbol_names: tuple[str, ...], opts: dict) -> None:
    """Over a graph tensor's first axis, as a `while_loop` on an index (a `Range` node: on its values)."""
    from ..ops import elementwise  # noqa: PLC0415
    start, limit, delta = _range_inputs(iter_)
    if start is None:
        start, limit, delta = 0, _length(iter_), 1
        item = lambda i: iter_[i]  # noqa: E731
    else:
        item = lambda i: i  # noqa: E731
    iterate = dispatch.convert_to_tensor(start)
    step = dispatch.convert_to_tensor(delta, dtype=iterate.dtype)
    names = ("<internal iterate>",) + tuple(symbol_names)

    def aug_get_state() -> tuple:
        return (iterate,) + tuple(get_state())

    def aug_set_state(loop_vars: tuple) -> None:
        nonlocal iterate
        iterate, *rest = loop_vars
        set_state(tuple(rest))

    def aug_body() -> None:
        nonlocal iterate
        body(item(iterate))
        iterate = iterate + step

    def aug_test() -> Any:
        if isinstance(delta, int):
            main = iterate < limit if delta >= 0 else iterate > limit
        else:
            main = elementwise.logical_or(elementwise.logical_and(step >= 0, iterate < limit),
                                          elementwise.logical_and(step < 0, iterate > limit))
        if extra_test is None:
            return main
        return control_flow().cond(main, lambda: dispatch.convert_to_tensor(extra_test()),
                                   lambda: dispatch.convert_to_tensor(False))

    staged_while(aug_test, aug_body, aug_get_state, aug_set_state, names, opts)


def _range_inputs(t: Any) -> tuple:
    """(start, limit, delta) of a graph `Range` node's output, else Nones."""
    node = getattr(t, "_node", None) or getattr(t, "op", None)
    if node is None or getattr(node, "type", None) != "Range":
        return None, None, None
    inputs = tuple(getattr(node, "inputs", ()))
    return inputs if len(inputs) == 3 else (None, None, None)


def _length(t: Any) -> Any:
    """The first dimension: static when known, else a `Shape` read at run time."""
    dims = t.shape.as_list() if t.shape.rank is not None else None
    if not dims:
        raise ValueError(f"cannot iterate over a tensor of unknown or zero rank: {t}")
    if dims[0] is not None:
        return dims[0]
    from ..ops import array  # noqa: PLC0415
    return array.shape(t)[0]
