"""TF1 initializers -> their TF2 classes in native mode, with TF1's defaults written out where TF2's differ."""
from __future__ import annotations

import libcst as cst

from upgrader.rule import Rule

# v1 name (after `tf.`) -> (TF2 target, v1 positional parameters, {parameter: TF1 default where TF2's differs})
_TABLE = {
    "truncated_normal_initializer": ("keras.initializers.TruncatedNormal", ("mean", "stddev", "seed", "dtype"),
                                     {"stddev": "1.0"}),
    "random_normal_initializer": ("random_normal_initializer", ("mean", "stddev", "seed", "dtype"), {"stddev": "1.0"}),
    "random_uniform_initializer": ("random_uniform_initializer", ("minval", "maxval", "seed", "dtype"),
                                   {"minval": "0.0", "maxval": "1.0"}),
    "glorot_uniform_initializer": ("keras.initializers.GlorotUniform", ("seed", "dtype"), {}),
    "glorot_normal_initializer": ("keras.initializers.GlorotNormal", ("seed", "dtype"), {}),
    "variance_scaling_initializer": ("keras.initializers.VarianceScaling",
                                     ("scale", "mode", "distribution", "seed", "dtype"), {}),
    "orthogonal_initializer": ("keras.initializers.Orthogonal", ("gain", "seed", "dtype"), {}),
}
_ALIASES = {"initializers." + k[:-len("_initializer")]: k for k in _TABLE}
_FUNCTIONS = {f"initializers.{n}": (f"keras.initializers.{c}", ("seed",), {})
              for n, c in (("he_normal", "HeNormal"), ("he_uniform", "HeUniform"),
                           ("lecun_normal", "LecunNormal"), ("lecun_uniform", "LecunUniform"))}
_CONTRIB = frozenset({"tf.contrib.layers.xavier_initializer", "tf.contrib.layers.variance_scaling_initializer"})
_KEYS = {f"{prefix}{name}": name for name in [*_TABLE, *_ALIASES, *_FUNCTIONS] for prefix in ("tf.", "tf.compat.v1.")}


def _arguments(call: cst.Call, params: tuple[str, ...]) -> dict[str, cst.BaseExpression]:
    """The call's arguments by TF1 parameter name (positionals matched to `params`)."""
    named = {}
    for i, arg in enumerate(call.args):
        name = arg.keyword.value if arg.keyword else params[i] if i < len(params) else None
        if name is None or arg.star:
            return {}
        named[name] = arg.value
    return named


def _literal(node: cst.BaseExpression | None) -> object:
    if isinstance(node, cst.SimpleString):
        return node.evaluated_value
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
    return None


class NativeInitializers(Rule):
    """Initializers become TF2 objects that draw from the same distributions.

    tf.truncated_normal_initializer(stddev=0.1)       ->  tf.keras.initializers.TruncatedNormal(stddev=0.1)
    tf.random_uniform_initializer()                   ->  tf.random_uniform_initializer(minval=0.0, maxval=1.0)
    tf.contrib.layers.xavier_initializer(seed=1)      ->  tf.keras.initializers.GlorotUniform(seed=1)

    TF1 defaults that TF2 changed (stddev 1.0 -> 0.05, uniform [0, 1) -> [-0.05, 0.05)) are written out; `dtype`
    goes: TF2 initializers take the dtype when called (get_variable's conversion passes it).
    """

    DESCRIPTION = "TF1 initializers -> TF2/Keras initializer classes with TF1's defaults kept"
    MODES = frozenset({"native"})
    PRIORITY = 30
    OWNS = frozenset(_KEYS) | _CONTRIB

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        key = self.key(original.func)
        if key in _CONTRIB:
            return self._contrib(key, updated)
        if key not in _KEYS:
            return updated
        name = _ALIASES.get(_KEYS[key], _KEYS[key])
        target, params, defaults = _TABLE.get(name) or _FUNCTIONS[name]
        args = _arguments(updated, params)
        if updated.args and not args:
            self.error(f"{key} with *args: write its arguments out to allow native conversion")
            return updated
        if target == name and "dtype" not in args and set(defaults) <= set(args):
            return updated   # TF2 has this very function, and every default that changed is given: nothing to do
        if _literal(args.get("distribution")) == "normal":   # TF1 read the deprecated "normal" as truncated
            args["distribution"] = cst.SimpleString('"truncated_normal"')
        return self._build(key, target, args, defaults)

    def _contrib(self, key: str, call: cst.Call) -> cst.BaseExpression:
        if key.endswith("xavier_initializer"):
            args = _arguments(call, ("uniform", "seed", "dtype"))
            uniform = _literal(args.pop("uniform", cst.Name("True")))
            target = {True: "GlorotUniform", False: "GlorotNormal"}.get(uniform)   # type: ignore[arg-type]
            extra: dict[str, cst.BaseExpression] = {}
        else:
            args = _arguments(call, ("factor", "mode", "uniform", "seed", "dtype"))
            uniform = _literal(args.pop("uniform", cst.Name("False")))
            mode = _literal(args.pop("mode", cst.SimpleString('"FAN_IN"')))
            target = "VarianceScaling" if isinstance(uniform, bool) and isinstance(mode, str) else None
            extra = {"scale": args.pop("factor", cst.Float("2.0")), "mode": cst.SimpleString(f'"{str(mode).lower()}"'),
                     "distribution": cst.SimpleString('"uniform"' if uniform else '"truncated_normal"')}
        if target is None or (call.args and not args and not extra):
            self.error(f"{key}: `uniform`/`mode` must be literals for native conversion")
            return call
        if uniform is False:
            self.warn(f"{key}(uniform=False) draws from a truncated normal with stddev sqrt(1.3/n); Keras's "
                      "truncated normal uses sqrt(1/n)/0.88 (0.3% narrower)", once=True)
        return self._build(key, f"keras.initializers.{target}", {**extra, **args}, {})

    def _build(self, key: str, target: str, args: dict[str, cst.BaseExpression],
               defaults: dict[str, str]) -> cst.Call:
        args.pop("dtype", None)
        for name, value in defaults.items():
            args.setdefault(name, cst.parse_expression(value))
        self.change(f"{key} -> tf.{target}" + (f" (TF1 defaults kept: {', '.join(defaults)})" if defaults else ""))
        self.warn("TF2 draws different random initial values than TF1 for the same seed", once=True)
        return cst.Call(self.ctx.expr("tf." + target), [
            cst.Arg(value, keyword=cst.Name(name), equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))
            for name, value in args.items()])
