"""TF1 optimizers and the Keras optimizers that compute the same numbers (data for rules/native_minimize.py)."""
from __future__ import annotations

import ast

from upgrader.native.imported import CURRENT, source
from upgrader.native.naming import per_analysis
from upgrader.native.operand_kinds import INT, Kinds
from upgrader.scan import collect_aliases

# TF1 optimizer -> (Keras class, {TF1 argument: Keras argument}, TF1 defaults Keras lacks, warning or None)
OPTIMIZERS: dict[str, tuple[str, dict[str, str], dict[str, str], str | None]] = {
    "GradientDescentOptimizer": ("SGD", {"learning_rate": "learning_rate"}, {}, None),
    "AdamOptimizer": ("Adam", {"learning_rate": "learning_rate", "beta1": "beta_1", "beta2": "beta_2",
                               "epsilon": "epsilon"}, {"learning_rate": "0.001", "epsilon": "1e-8"}, None),
    "MomentumOptimizer": ("SGD", {"learning_rate": "learning_rate", "momentum": "momentum",
                                  "use_nesterov": "nesterov"}, {}, "MomentumOptimizer keeps accum = m*accum + g and "
                          "steps lr*accum; Keras SGD(momentum=) folds lr into the velocity, so results differ once "
                          "the learning rate changes"),
    "RMSPropOptimizer": ("RMSprop", {"learning_rate": "learning_rate", "decay": "rho", "momentum": "momentum",
                                     "epsilon": "epsilon", "centered": "centered"}, {"epsilon": "1e-10"},
                         "RMSPropOptimizer starts its accumulator at ones, Keras RMSprop at zeros; early steps differ"),
    "AdagradOptimizer": ("Adagrad", {"learning_rate": "learning_rate",
                                     "initial_accumulator_value": "initial_accumulator_value"},
                         {"initial_accumulator_value": "0.1", "epsilon": "0.0"}, None),
}
POSITIONAL = {"GradientDescentOptimizer": ("learning_rate",), "AdamOptimizer": ("learning_rate", "beta1", "beta2", "epsilon"),
              "MomentumOptimizer": ("learning_rate", "momentum"), "RMSPropOptimizer": ("learning_rate", "decay", "momentum", "epsilon"),
              "AdagradOptimizer": ("learning_rate", "initial_accumulator_value")}


def users(prog, opt: str) -> list:
    """The training ops of the TF1 optimizer named `opt` (minimize or apply_gradients on it), in program order."""
    return [e for e in prog.entities.values() if e.kind == "train" and isinstance(e.stmt.value.func, ast.Attribute)
            and getattr(e.stmt.value.func.value, "id", None) == opt]


def later_user(prog, entity, opt: str) -> bool:
    """`entity` is a training op of the TF1 optimizer `opt`, and not its first."""
    return prog.kind(opt) == "optimizer" and entity in users(prog, opt)[1:]


def shared(prog, opt: str) -> bool:
    """One Keras optimizer can serve every training op of `opt`: its variables all exist when the module runs
    (Keras layers create theirs at the first call, so their ops keep an optimizer each)."""
    ops = users(prog, opt)
    return prog.kind(opt) == "optimizer" and len(ops) > 1 and all(
        prog.kind(v) in ("variable", "varlist") for e in ops for v in e.variables)


def build_line(prog, entity, opt: str, variables: str) -> str:
    """`opt.build([...])` over every variable of `opt`'s training ops, written at the last of them (else "").

    NOTE: a TF1 optimizer keeps one slot per variable and (Adam) one pair of beta powers advanced by every
    apply of any of its ops; one Keras optimizer built over all the variables keeps the same: one slot per
    variable and one step count, so each op's update uses the step count TF1 used.
    """
    texts = per_analysis(prog, "_optimizer_variables", dict)
    texts[entity.name] = variables
    ops = users(prog, opt)
    if entity is not ops[-1] or any(e.name not in texts for e in ops):
        return ""
    items: list[str] = []
    for e in ops:
        node = ast.parse(texts[e.name], mode="eval").body
        items += [ast.unparse(n) for n in node.elts] if isinstance(node, ast.List) else [f"*{texts[e.name]}"]
    return f"{opt}.build([{', '.join(dict.fromkeys(items))}])  # every variable of its {len(ops)} training ops\n\n\n"


def hyperparameter(prog, value: ast.expr, text: str) -> str:
    """A hyperparameter as Keras takes it: a constant tensor (`lr = tf.constant(0.1)`) or an int (`lr = 10`,
    which TF1 cast to float32; Keras 3 rejects an int learning rate) becomes a Python float."""
    from upgrader.rules.native_functions import is_constant   # noqa: PLC0415 (the rules import this module)
    if isinstance(value, ast.Constant) and type(value.value) is int:
        return f"{value.value}.0"
    e = prog.entities.get(value.id) if isinstance(value, ast.Name) else None
    if e is None and _int(prog, value) or e is not None and e.kind == "tensor" and is_constant(e):
        return f"float({text})"
    return text


def _int(prog, value: ast.expr) -> bool:
    """`value` is an int: by this program's bindings, or, for a name an earlier graph of the file binds
    (native/segments.py), by the whole file's."""
    if Kinds(prog.tree, prog.aliases).of(value) == INT:
        return True
    if not isinstance(value, ast.Name) or any(isinstance(n, ast.Name) and n.id == value.id and isinstance(
            n.ctx, ast.Store) for n in ast.walk(prog.tree)) or (path := CURRENT.get()) is None:
        return False
    whole = ast.parse(source(path) or "")
    return Kinds(whole, collect_aliases(whole)).of(ast.Name(value.id, ast.Load())) == INT
