"""What `Session.run` does with structures: fetches (nested lists, tuples, dicts, namedtuples,
SparseTensors) flattened to graph elements and rebuilt from their values, and structured feed keys
(an LSTMStateTuple, a SparseTensor) fed leaf by leaf.

    flat, rebuild = flatten_fetches({"loss": loss, "sp": sparse}, element)
    rebuild(values) == {"loss": 0.5, "sp": SparseTensorValue(indices, values, dense_shape)}
"""
from __future__ import annotations

from typing import Any

from runtime import nest


def key_leaves(key: Any) -> list:
    """The tensors a feed key stands for: itself, a structure's leaves, a SparseTensor's three tensors."""
    if hasattr(key, "_composite_components"):
        return list(key._composite_components())
    return [leaf for k in nest.flatten(key) for leaf in key_leaves(k)] if isinstance(key, (tuple, list)) else [key]


def leaves_like(key: Any, value: Any) -> list:
    """A structured feed's values, one per leaf of its key (TF's flatten_dict_items)."""
    if hasattr(key, "_composite_components"):  # a SparseTensor fed a SparseTensorValue or (indices, values, shape)
        parts = list(value._composite_components()) if hasattr(value, "_composite_components") else list(value)
        if len(parts) != 3:
            raise ValueError(f"Could not flatten dictionary. Key had 3 elements, but value had {len(parts)} elements.")
        return parts
    if not isinstance(key, (tuple, list)):
        return [value]
    leaves, n = nest.flatten(value), len(nest.flatten(key))
    if len(leaves) != n:
        raise ValueError(f"Could not flatten dictionary. Key had {n} elements, but value had {len(leaves)} elements.")
    return leaves


def fetch_key(fetches: Any) -> Any:
    """A hashable signature of the fetch structure (by identity of its leaves)."""
    t = type(fetches)
    if t is list or t is tuple or (isinstance(fetches, tuple) and hasattr(fetches, "_fields")):
        return (t,) + tuple(fetch_key(f) for f in fetches)
    if isinstance(fetches, dict):
        return (dict,) + tuple((k, fetch_key(v)) for k, v in fetches.items())
    return fetches if isinstance(fetches, str) else id(fetches)


def flatten_fetches(fetches: Any, element: Any) -> tuple[list, Any]:
    """Flat graph elements and a function rebuilding the structure from their values."""
    flat: list = []

    def walk(f: Any) -> Any:
        if isinstance(f, (list, tuple)):
            parts = [walk(x) for x in f]
            if hasattr(f, "_fields"):
                return lambda vals: type(f)(*(p(vals) for p in parts))
            kind = type(f)
            return lambda vals: kind(p(vals) for p in parts)
        if isinstance(f, dict):
            items = [(k, walk(v)) for k, v in f.items()]
            kind = type(f)
            return lambda vals: kind((k, p(vals)) for k, p in items)
        if f is None:
            raise TypeError(f"Fetch argument None has invalid type {type(None)!r}")
        if hasattr(f, "_composite_components"):  # a SparseTensor: its three tensors, as a SparseTensorValue
            parts = [walk(c) for c in f._composite_components()]
            return lambda vals: f._composite_value([p(vals) for p in parts])
        el = element(f)
        i = len(flat)
        flat.append(el)
        return lambda vals: vals[i]

    if isinstance(fetches, (list, tuple, dict)) or hasattr(fetches, "_composite_components"):
        return flat, walk(fetches)
    walk(fetches)
    return flat, None
