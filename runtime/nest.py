"""`tf.nest`: flatten and rebuild nested lists, tuples, namedtuples and dicts.

    flatten({"b": 2, "a": [1, 3]}) == [1, 3, 2]      # dict keys in sorted order
"""
from __future__ import annotations

from typing import Any, Callable


def is_nested(seq: Any) -> bool:
    return isinstance(seq, (list, tuple, dict))


def _children(value: Any) -> list:
    if isinstance(value, dict):
        return [value[k] for k in _sorted_keys(value)]
    return list(value)


def _sorted_keys(d: dict) -> list:
    try:
        return sorted(d)
    except TypeError:
        return list(d)


def flatten(structure: Any, expand_composites: bool = False) -> list:
    if not is_nested(structure):
        return [structure]
    out: list = []
    for child in _children(structure):
        out.extend(flatten(child))
    return out


def _rebuild(template: Any, children: list) -> Any:
    if isinstance(template, dict):
        keys = _sorted_keys(template)
        rebuilt = dict(zip(keys, children))
        return type(template)((k, rebuilt[k]) for k in template) if type(template) is not dict \
            else {k: rebuilt[k] for k in template}
    if isinstance(template, tuple) and hasattr(template, "_fields"):
        return type(template)(*children)
    return type(template)(children)


def pack_sequence_as(structure: Any, flat_sequence: Any, expand_composites: bool = False) -> Any:
    flat = list(flat_sequence)
    if len(flatten(structure)) != len(flat):
        raise ValueError(f"Could not pack sequence. Structure had {len(flatten(structure))} atoms, "
                         f"but flat_sequence had {len(flat)} items.")
    return _pack(structure, iter(flat))


def _pack(s: Any, values: Any) -> Any:
    # NOTE: a module-level function, not a closure calling itself: that closure is a reference cycle,
    # which kept every packed value (a tf.function's outputs) alive until the cyclic GC ran
    if not is_nested(s):
        return next(values)
    return _rebuild(s, [_pack(c, values) for c in _children(s)])


def map_structure(func: Callable[..., Any], *structure: Any, **kwargs: Any) -> Any:
    if not structure:
        raise ValueError("Must provide at least one structure")
    for s in structure[1:]:
        assert_same_structure(structure[0], s)
    flats = [flatten(s) for s in structure]
    return pack_sequence_as(structure[0], [func(*xs) for xs in zip(*flats)])


def assert_same_structure(nest1: Any, nest2: Any, check_types: bool = True, expand_composites: bool = False) -> None:
    if is_nested(nest1) != is_nested(nest2):
        raise ValueError(f"The two structures don't have the same nested structure.\n\n"
                         f"First structure: {nest1!r}\n\nSecond structure: {nest2!r}")
    if not is_nested(nest1):
        return
    ca, cb = _children(nest1), _children(nest2)
    if len(ca) != len(cb) or (isinstance(nest1, dict) and _sorted_keys(nest1) != _sorted_keys(nest2)):
        raise ValueError(f"The two structures don't have the same sequence length. "
                         f"First structure: {nest1!r}, second structure: {nest2!r}")
    if check_types and type(nest1) is not type(nest2) and not (isinstance(nest1, list) and isinstance(nest2, list)):
        raise TypeError(f"The two structures don't have the same sequence type. First structure has "
                        f"type {type(nest1)}, while second structure has type {type(nest2)}.")
    for x, y in zip(ca, cb):
        assert_same_structure(x, y, check_types)
