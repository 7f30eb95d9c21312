"""Names and sharing in the native analysis: Keras layer names for tf.layers calls, and what
`tf.get_variable` means under `variable_scope` (a new variable, or the one it reuses).

    get_variable(prog, stmt, "w")  ->  {"scope": "enc/w"} or {"scope": "enc/w", "alias": "w"}
"""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Callable, TypeVar

if TYPE_CHECKING:
    from .model import Program

T = TypeVar("T")

BN_VARIABLES = ("moving_mean", "moving_variance", "gamma", "beta")


def names_in(node: ast.AST) -> list[str]:
    """Every identifier read or written anywhere under `node`."""
    return [n.id for n in ast.walk(node) if isinstance(n, ast.Name)]


def per_analysis(prog: Program, key: str, build: Callable[[], T]) -> T:
    """`build()` once per analysed program, kept on the Program (its indexes of the module)."""
    if key not in prog.__dict__:
        prog.__dict__[key] = build()
    return prog.__dict__[key]


def tree_nodes(prog: Program) -> list[ast.AST]:
    """Every node of the module, listed once per analysis.

    The analyses scan the whole module many times (a rebound name, a free identifier); `ast.walk`
    costs ~20x a list, and made native mode quadratic in long scripts. Rebinding renames nodes in
    place and never adds or removes any, so the list stays true.
    """
    return per_analysis(prog, "_tree_nodes", lambda: list(ast.walk(prog.tree)))


def tree_names(prog: Program) -> frozenset[str]:
    """Every identifier the module spells (rebinding renames reads to entity keys, never to a new name
    outside `prog.entities`, so the set taken once stays a safe answer to "is this name free?")."""
    return per_analysis(prog, "_tree_names",
                        lambda: frozenset(n.id for n in tree_nodes(prog) if isinstance(n, ast.Name)))


def layer_name(prog: Program, call: ast.Call, tensor: str) -> str:
    """The Keras layer object's name: the tf.layers `name=` when it is a free identifier, else '<tensor>_layer'."""
    used = tree_names(prog) | set(prog.entities)
    given = next((k.value.value for k in call.keywords if k.arg == "name" and isinstance(k.value, ast.Constant)), None)
    if isinstance(given, str) and given.isidentifier() and given != tensor and given not in used:
        return given
    name = f"{tensor}_layer"
    while name in used:
        name += "_"
    return name


def layer_variable(prog: Program, stmt: ast.Assign) -> str | None:
    """`tf.get_variable("moving_mean")` under `variable_scope("bn", reuse=True)` -> 'bn', the batch_normalization layer."""
    call, (scope, reuse) = stmt.value, prog.scopes.get(id(stmt), ("", False))
    node = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "name"), None)
    if not (reuse and isinstance(node, ast.Constant) and node.value in BN_VARIABLES) or len(call.args) > 1 or any(
            k.arg != "name" for k in call.keywords):
        return None
    return next((e.name for e in prog.entities.values() if e.kind == "layer" and prog.call_key(e.stmt.value) ==
                 "tf.layers.batch_normalization" and given_name(e.stmt.value) == scope), None)


def given_name(call: ast.Call) -> str | None:
    return next((k.value.value for k in call.keywords if k.arg == "name" and isinstance(k.value, ast.Constant)), None)


def get_variable(prog: Program, stmt: ast.Assign, name: str) -> dict[str, str]:
    """Scope and sharing of `tf.get_variable`: reuse returns the variable made earlier (an alias)."""
    call = stmt.value
    scope, reuse = prog.scopes.get(id(stmt), ("", False))
    node = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "name"), None)
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        prog.block(stmt, "tf.get_variable with a name that is not a string literal")
        return {}
    full = f"{scope}/{node.value}" if scope else node.value
    made = next((e.name for e in prog.entities.values() if e.kind == "variable" and not e.alias and e.scope == full), None)
    if made is not None and reuse:
        return {"scope": full, "alias": made}
    if made is not None:
        prog.block(stmt, f"get_variable('{full}') already exists and its scope does not reuse: TF1 raises ValueError here")
    elif reuse is True:
        prog.block(stmt, f"get_variable('{full}') under reuse=True does not exist: TF1 raises ValueError here")
    return {"scope": full}
