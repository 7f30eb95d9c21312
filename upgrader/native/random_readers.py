"""A random tensor read by one function of placeholders or variables: drawn inside that function, once per run.

TF1 draws `eps` once per `sess.run`, and every op of the run that reads it sees those numbers:

    eps = tf.random_uniform([mb_size, 1])             def X_inter(X, z):
    X_inter = eps * X + (1. - eps) * G_sample    ->       eps = tf.random.uniform([mb_size, 1])
                                                          X = tf.convert_to_tensor(X, tf.float32)
                                                          return eps * X + (1. - eps) * G_sample(z)

Native code calls `X_inter` wherever a run computed it, so this holds when every run computes the reader
at most once (a training step differentiating a loss that reads it once: a gradient penalty) and nothing
else reads `eps`. With an op seed, TF1 drew all runs from one stream; native code keeps one stream only
where every draw happens inside one training step's tf.function, so the seeded case needs exactly that.
Anything else stays blocked by random_constants.py with its reason.
"""
from __future__ import annotations

import ast

from upgrader.native.naming import per_analysis, tree_nodes


def inlined(prog) -> dict[str, list[str]]:
    """Reader function -> the random tensors written inside it (filled by `follow`)."""
    return per_analysis(prog, "_inlined_random", dict)


def follow(prog, key: str, reader: str, random: set[str]) -> str | None:
    """Draw `key` inside `reader`'s function (None), or say why not ("": not the shape this module follows)."""
    e, f = prog.entities[key], prog.entities[reader]
    if any(d in random for d in e.deps) or not isinstance(f.stmt, ast.Assign) or f.kind != "tensor":
        return ""
    readers = [k for k, x in prog.entities.items() if key in x.deps and k != key]
    own = {id(n) for s in (e.stmt, f.stmt) for n in ast.walk(s)}
    if readers != [reader] or any(isinstance(n, ast.Name) and n.id == key and id(n) not in own for n in tree_nodes(prog)):
        return f"it is read by more than '{reader}'"
    if any(prog.call_key(n) == "tf.gradients" for n in ast.walk(f.stmt.value)):
        return f"'{reader}' also takes tf.gradients"
    sites = []
    for run in _runs(prog):
        memo: dict[str, int] = {}
        counts = [(n, _calls(prog, n, reader, memo)) for n in _fetched(prog, run)]
        total = sum(c for _, c in counts)
        if total > 1:
            return f"the run at line {run.lineno} computes '{reader}' {total} times (TF1 drew it once for the whole run)"
        sites += [(run, n) for n, c in counts if c]
    seeded = any(k.arg == "seed" for n in ast.walk(e.stmt.value) if isinstance(n, ast.Call) for k in n.keywords)
    steps = {n for _, n in sites}
    if seeded and (len(steps) > 1 or any(prog.kind(n) != "train" for n in steps) or _sessions(prog) > 1):
        return (f"'{reader}' is computed by runs other than one training step: TF1 drew the seeded op's numbers from "
                "one stream over every run, native code would draw them from one stream per tf.function")
    e.drawn, e.value = True, key   # NOTE: the reader's body binds `key` itself (rules/native_functions.py)
    inlined(prog).setdefault(reader, []).append(key)
    return None


def _runs(prog) -> list[ast.Call]:
    return [n for n in tree_nodes(prog) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and (
        n.func.attr == "run" and isinstance(n.func.value, ast.Name) and n.func.value.id == prog.session_name
        and n.args or n.func.attr == "eval" and not n.args)]


def _sessions(prog) -> int:
    from upgrader.native.sessions import session_target
    return sum(session_target(prog, s) is not None for s in prog.tree.body)


def _fetched(prog, run: ast.Call) -> list[str]:
    """The entity names a run computes, each once per mention; a minimized loss fetched beside its step is the
    step's return value, not a computation of its own."""
    from upgrader.native.gradients import minimized_loss
    from upgrader.native.joint_steps import fetched_elements
    if run.func.attr == "eval":
        return [run.func.value.id] if isinstance(run.func.value, ast.Name) and run.func.value.id in prog.entities else []
    elements = fetched_elements(run.args[0])
    steps = [n.id for n in elements if isinstance(n, ast.Name) and prog.kind(n.id) == "train"]
    losses = {getattr(minimized_loss(prog, prog.entities[s]), "id", None) for s in steps}
    out = []
    for node in elements:
        if isinstance(node, ast.Name) and node.id in losses:
            losses.discard(node.id)
            continue
        out += [n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in prog.entities]
    return out


def _calls(prog, name: str, target: str, memo: dict[str, int]) -> int:
    """How many times computing `name` calls `target`'s function (each mention of a tensor is a call)."""
    if name == target:
        return 1
    if name in memo:
        return memo[name]
    memo[name] = 0
    e = prog.entities.get(name)
    node = None
    if e is not None and e.kind == "train":
        from upgrader.native.gradients import minimized_loss
        node = minimized_loss(prog, e)
    elif e is not None and e.kind in ("tensor", "gradients", "summary") and isinstance(e.stmt, ast.Assign):
        node = e.stmt.value
    if node is None:
        return 0
    names = [n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id in prog.entities]
    for call in (n for n in ast.walk(node) if prog.call_key(n) == "tf.gradients"):
        # NOTE: rules/native_tensor_gradients.py computes each tensor of xs once and ys from it
        given = call.args[1:2] + [k.value for k in call.keywords if k.arg == "xs"]
        xs = {n.id for arg in given for n in ast.walk(arg) if isinstance(n, ast.Name)}
        names = [n for n in names if n not in xs] + sorted(xs)
    memo[name] = sum(_calls(prog, n, target, memo) for n in names + list(e.first))
    return memo[name]
