"""`tf.nest`: flatten and rebuild nested lists, tuples, namedtuples and dicts.

    flatten({"b": 2, "a": [1, 3]}) == [1, 3, 2]      # dict keys in sorted order
"""
from __future__ import annotations

from typing import Any, Callable


def is_nested(value: Any) -> bool:
    return isinstance(value, (list, tuple, dict))


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
    pos = [0]

    def build(s: Any) -> Any:
        if not is_nested(s):
            v = flat[pos[0]]
            pos[0] += 1
            return v
        return _rebuild(s, [build(c) for c in _children(s)])

    if len(flatten(structure)) != len(flat):
        raise ValueError(f"Could not pack sequence. Structure had {len(flatten(structure))} atoms, "
                         f"but flat_sequence had {len(flat)} items.")
    return build(structure)


def map_structure(func: Callable[..., Any], *structures: Any, **kwargs: Any) -> Any:
    if not structures:
        raise ValueError("Must provide at least one structure")
    for s in structures[1:]:
        assert_same_structure(structures[0], s)
    flats = [flatten(s) for s in structures]
    return pack_sequence_as(structures[0], [func(*xs) for xs in zip(*flats)])


def assert_same_structure(a: Any, b: Any, check_types: bool = True, expand_composites: bool = False) -> None:
    if is_nested(a) != is_nested(b):
        raise ValueError(f"The two structures don't have the same nested structure.\n\n"
                         f"First structure: {a!r}\n\nSecond structure: {b!r}")
    if not is_nested(a):
        return
    ca, cb = _children(a), _children(b)
    if len(ca) != len(cb) or (isinstance(a, dict) and _sorted_keys(a) != _sorted_keys(b)):
        raise ValueError(f"The two structures don't have the same sequence length. "
                         f"First structure: {a!r}, second structure: {b!r}")
    if check_types and type(a) is not type(b) and not (isinstance(a, list) and isinstance(b, list)):
        raise TypeError(f"The two structures don't have the same sequence type. First structure has "
                        f"type {type(a)}, while second structure has type {type(b)}.")
    for x, y in zip(ca, cb):
        assert_same_structure(x, y, check_types)
