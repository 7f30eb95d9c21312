"""Every @export'ed v2 function/class: parameter names, order and defaults as in TF 2.21 (v2_api.json)."""
from __future__ import annotations

import enum
import inspect
import re

import tfcompat  # noqa: F401  (fills the export tables)
from tests import tfapi
from tfcompat._export import V2

# Known, accepted differences (name -> why); the test fails when one of them starts to match.
EXCEPTIONS = {
    "zeros_initializer": "TF's class is wrapped (*args, **kwargs); ours takes no arguments, as TF's __init__",
    "ones_initializer": "TF's class is wrapped (*args, **kwargs); ours takes no arguments, as TF's __init__",
    # Classes whose constructor is internal in TF: users get instances from ops, tf.function or tf.data.
    "Tensor": "built by ops (tf.constant, ...); TF's constructor is internal (*args, **kwargs)",
    "Operation": "built by graphs when ops run; TF's constructor is internal (*args, **kwargs)",
    "Graph": "tf.Graph() takes no arguments in TF and works the same here; ours adds internal keywords (outer, ...)",
    "DType": "dtypes come from tf.float32 / tf.as_dtype; TF's (type_enum, handle_data) are C++ enum plumbing",
    "dtypes.DType": "dtypes come from tf.float32 / tf.as_dtype; TF's (type_enum, handle_data) are C++ enum plumbing",
    "config.PhysicalDevice": "a namedtuple with TF's fields (name, device_type); TF's is a generated __new__(*args)",
    "config.LogicalDevice": "a namedtuple with TF's fields (name, device_type); TF's is a generated __new__(*args)",
    "data.Dataset": "abstract in TF (variant_tensor is a C++ handle); datasets come from from_tensor_slices etc.",
    "data.Iterator": "abstract in TF; iterators come from iter(dataset)",
    "distribute.DistributedDataset": "internal in TF; made by strategy.experimental_distribute_dataset",
    "distribute.StrategyExtended": "internal in TF (container_strategy); reached through strategy.extended",
    "keras.optimizers.Optimizer": "Keras 3's TF-backend class forwards (*args, **kwargs) to BaseOptimizer(learning_rate, "
                                  "weight_decay, ...); ours names those parameters directly",
    "optimizers.Optimizer": "Keras 3's TF-backend class forwards (*args, **kwargs) to BaseOptimizer(learning_rate, "
                            "weight_decay, ...); ours names those parameters directly",
    "types.experimental.ConcreteFunction": "internal in TF; made by tf.function(...).get_concrete_function",
    "types.experimental.GenericFunction": "abstract type in TF; instances come from tf.function",
    "types.experimental.PolymorphicFunction": "abstract type in TF; instances come from tf.function",
    **{f"train.{m}": "a protobuf message: TF's generated constructor is (*args, **kwargs) taking the fields as "
                     "keywords; ours names the same fields"
       for m in ("Example", "Features", "Feature", "BytesList", "FloatList", "Int64List")},
}
_KIND = {"POSITIONAL_ONLY": "POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD": "POSITIONAL_OR_KEYWORD",
         "VAR_POSITIONAL": "VAR_POSITIONAL", "KEYWORD_ONLY": "KEYWORD_ONLY", "VAR_KEYWORD": "VAR_KEYWORD"}


def _ours(obj):
    try:
        sig = inspect.signature(obj.__init__ if inspect.isclass(obj) else obj)
    except (TypeError, ValueError):
        return None
    params = list(sig.parameters.values())
    if inspect.isclass(obj) and params and params[0].name == "self":
        params = params[1:]
    return [(p.name, p.kind.name, _NONE if p.default is inspect.Parameter.empty else p.default) for p in params]


_NONE = object()  # no default


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_ENUM = re.compile(r"<(\w+)\.(\w+): .*>$")


def _same_default(ours, theirs):
    """TF's default as recorded (repr text; None = no default) against ours; sentinels and enums by name."""
    if theirs is None or ours is _NONE:
        return theirs is None and ours is _NONE
    if isinstance(ours, enum.Enum):
        m = _ENUM.match(theirs)
        return bool(m) and m.group(2) == ours.name and m.group(1).startswith(type(ours).__name__)
    text = _ADDRESS.sub("", repr(ours))
    return text == _ADDRESS.sub("", theirs) or str(ours) == theirs or \
        (isinstance(getattr(ours, "name", None), str) and theirs == f"tf.{ours.name}")  # dtypes: tf.float32


def _show(default, tf_side=False):
    if default is _NONE or (tf_side and default is None):
        return "no default"
    return default if tf_side else repr(default)


def _mismatch(name, obj, entry):
    ours = _ours(obj)
    sig = entry.get("signature")
    if ours is None or sig is None or not (callable(obj)):
        return None
    theirs = [(p["name"], p["kind"], p.get("default")) for p in sig]
    if [n for n, *_ in ours] != [n for n, *_ in theirs]:
        return f"params {[n for n, *_ in ours]} != TF {[n for n, *_ in theirs]}"
    for (n, k, d), (_, tk, td) in zip(ours, theirs):
        if k != tk:
            return f"kind of {n}: {k} != TF {tk}"
        if not _same_default(d, td):
            return f"default of {n}: {_show(d)} != TF {_show(td, True)}"
    return None


def _mismatches():
    table = tfapi.symbols("v2")
    found = {}
    for name, obj in sorted(V2.items()):
        entry = table.get("tf." + name)
        if entry is None or entry.get("kind") not in ("function", "class") or not callable(obj):
            continue
        problem = _mismatch(name, obj, entry)
        if problem:
            found[name] = problem
    return found


def test_exceptions_still_differ():
    found = _mismatches()
    stale = [n for n in EXCEPTIONS if n not in found]
    assert not stale, f"these now match TF: drop them from EXCEPTIONS: {stale}"


def test_every_v2_signature_matches_tensorflow():
    """Strict: each exported v2 function/class takes TF 2.21's parameters, or is listed in EXCEPTIONS with why."""
    found = {n: p for n, p in _mismatches().items() if n not in EXCEPTIONS}
    assert not found, f"{len(found)} v2 signatures differ from TF 2.21 (fix them, or add to EXCEPTIONS with a reason):\n" + \
        "\n".join(f"tf.{n}: {p}" for n, p in sorted(found.items()))
