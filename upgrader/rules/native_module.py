"""Graph-building functions become `tf.Module` classes; each call site is an instance, shared where TF1 reused."""
from __future__ import annotations

import ast
from upgrader.native.base import Blocked, Editor, NativeRule, def_params, indent
from upgrader.native.model import Entity, Program
from upgrader.native.module_text import Substituted, arguments, class_import, comments, dedent, kept_attribute, not_computed, trailing
from upgrader.native.layer_functions import call_text, class_tail, constructions
from upgrader.native.layer_sites import construction, general_text, statement_sites
from upgrader.native.modules import Builder, Site, _builder_calls, _scope_call
from upgrader.native.scope_reuse import current_scope
from upgrader.native.rnn_text import layers as rnn_layers, run_lines as rnn_lines
from upgrader.rules.native_functions import expression
from upgrader.rules.native_placeholders import prologue
from upgrader.rules.native_variable_scope import new_variable


class NativeModule(NativeRule):
    """Turn a function that creates variables into a tf.Module: variables in `__init__`, the math in `__call__`.

    def dense(x, n_out, name):                                 ->  class Dense(tf.Module):
        with tf.variable_scope(name):                                  def __init__(self, n_out, name):
            w = tf.get_variable("w", [2, n_out], initializer=init)         super().__init__(name=name)
            return tf.matmul(x, w)                                         with self.name_scope:
    h = dense(x, 3, "h1")                                                      self.w = tf.Variable(init([2, n_out], tf.float32), name="w")
                                                                       def __call__(self, x):
                                                                           return tf.matmul(x, self.w)
                                                                   h1 = Dense(3, "h1")
                                                                   def h(x): ... return h1(x)
    """

    DESCRIPTION = "functions creating get_variable variables -> tf.Module classes; reuse -> the same instance"
    KINDS = frozenset({"layer"})
    PRIORITY = 14

    def rewrite(self, prog: Program, stmt: ast.stmt, entity: Entity | None, edit: Editor) -> str | None:
        fx = prog.functions
        if fx is None:
            return None
        self.ctx.line, self.ctx.col = stmt.lineno, stmt.col_offset
        if isinstance(stmt, ast.FunctionDef) and stmt.name in fx.builders:
            self.change(f"function '{stmt.name}' creates variables -> class {fx.builders[stmt.name].cls}(tf.Module)")
            return self.klass(prog, fx.builders[stmt.name], edit)
        if isinstance(stmt, ast.ImportFrom) and id(stmt) in prog.imported and (line := class_import(prog, stmt)):
            self.change(f"from {stmt.module} import: its layer functions are tf.Module classes after conversion")
            return line
        site = fx.sites.get(id(stmt))
        if site is None and statement_sites(fx, stmt):   # calls inside an expression, tuples unpacked
            return general_text(prog, stmt, edit, expression, self.change)
        return None if site is None or entity is None else self.site(prog, site, entity, edit)

    def site(self, prog: Program, site: Site, entity: Entity, edit: Editor) -> str:
        inst, b = site.instance, site.instance.builder
        call = arguments(site.call, b, b.call_params, lambda n: expression(prog, n, edit))
        body = prologue(prog, entity, edit) + [f"return {inst.name}({call})"]
        text = f"def {entity.func}({def_params(prog, entity)}):\n" + indent("\n".join(body))
        if not site.new:
            self.change(f"{b.node.name}() reuses the variables of '{inst.name}': the same {b.cls} instance")
            return text
        make = construction(prog, site, edit)
        self.change(f"{b.node.name}() creates {len(inst.variables)} variable(s): instance '{inst.name}' of {b.cls}")
        return make + "\n\n\n" + text

    def klass(self, prog: Program, b: Builder, edit: Editor) -> str:
        fn = b.node
        fx = prog.functions
        calls = {id(site.call.func) for site in fx.sites.values()} | {
            id(c.func) for other in fx.builders.values() for c in _builder_calls(fx, other.node) if id(c) in other.children}
        if any(isinstance(n, ast.Name) and n.id == fn.name and id(n) not in calls for n in ast.walk(prog.tree)):
            raise Blocked(fn.lineno, f"'{fn.name}' (a function that creates variables) is used other than by a call "
                                     "native mode follows (module-level `name = f(...)` or inside another such function)")
        own = b.own is not None and b.own_name_ok()
        name = edit.text(_scope_call(prog, b.own).args[0]) if own else ""
        init = ["super().__init__(" + (f"name={name}" if own else "") + ")"] + [
            f"self.{kept_attribute(p)} = {p}" for p in b.init if p in b.kept] + rnn_layers(self, prog, b, edit)
        attrs = {s.targets[0].id: f"self.{b.variables[id(s)]}" for s in ast.walk(fn) if id(s) in b.variables}
        attrs |= {p: f"self.{kept_attribute(p)}" for p in b.kept}
        if b.own is not None and b.own.items[0].optional_vars is not None:   # `name=scope.name` -> the module's name
            if not own:
                raise Blocked(b.own.lineno, f"'{fn.name}' uses its scope's name, which is not always a valid tf.Module name")
            attrs[b.own.items[0].optional_vars.id] = "self"
        compute = self.compute(prog, b, fn.body, edit, attrs)
        if b.lazy:   # NOTE: sizes come from the first input, as a Keras layer's build() would take them
            build = self.creation(prog, b, fn.body, Substituted(edit, attrs))
            init.append("self.built = False")
            compute = ["if not self.built:", indent("\n".join(build + ["self.built = True"]))] + compute
        else:
            init += self.creation(prog, b, fn.body, edit)
        if not compute:
            raise Blocked(fn.lineno, f"function '{fn.name}' creates variables but computes nothing")
        doc = [dedent(edit.text(fn.body[0]), fn.body[0].col_offset, fn.body[0].lineno), ""] if ast.get_docstring(fn) is not None else []
        params = lambda names: "".join(f", {p}" + (f"={edit.text(b.defaults[p])}" if p in b.defaults else "") for p in names)
        return (f"class {b.cls}({edit.tfx('Module')}):\n" + indent("\n".join(doc + [
            f"def __init__(self{params(b.init)}):", indent("\n".join(init)), "",
            f"def __call__(self{params(b.call_params)}):", indent("\n".join(compute))] + class_tail(prog, b, edit))))

    def creation(self, prog: Program, b: Builder, body: list[ast.stmt], edit: Editor) -> list[str]:
        fx, lines = prog.functions, []
        for s in body:
            call = _scope_call(prog, s)
            if call is not None:
                inner = self.creation(prog, b, s.body, edit)
                if not inner or prog.call_key(call) == "tf.name_scope" or current_scope(prog, call.args[0] if call.args else None):
                    lines += inner
                elif s is b.own and b.own_name_ok():
                    lines += ["with self.name_scope:", indent("\n".join(inner))]
                elif isinstance(name := call.args[0] if call.args else call.keywords[0].value, ast.Constant):
                    lines += [f"with {edit.tfx('name_scope')}({edit.text(name)}):", indent("\n".join(inner))]
                else:
                    raise Blocked(s.lineno, "a variable_scope named by a parameter that is not a valid tf.Module name")
            elif id(s) in b.prep:
                lines += comments(edit, s) + [dedent(edit.text(s), s.col_offset, s.lineno)]
            elif id(s) in b.made:
                lines += comments(edit, s) + [f"self.{b.variables[id(s)]} = {edit.text(s.value)}"]
            elif id(s) in b.variables:
                label = f"{b.node.name}: {s.value.args[0].value if s.value.args else 'variable'}"
                given = s.value.args[0] if s.value.args else next(k.value for k in s.value.keywords if k.arg == "name")
                lines += comments(edit, s) + [f"self.{b.variables[id(s)]} = {new_variable(self, s.value, edit, label, given.value)}"]
            else:   # nested builders' instances and tf.layers' Keras layers, in the order they run
                lines += constructions(self, prog, b, s, edit)
        return lines

    def compute(self, prog: Program, b: Builder, body: list[ast.stmt], edit: Editor, attrs: dict[str, str]) -> list[str]:
        fx, lines = prog.functions, []

        def render(node: ast.AST) -> str:
            edits: list[tuple[ast.AST, str]] = []
            for n in ast.walk(node):
                if isinstance(n, ast.Call) and (text := call_text(prog, b, n, render)) is not None:
                    edits.append((n, text))   # a nested builder's instance or a tf.layers call's Keras layer
                elif isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id in attrs:
                    edits.append((n, attrs[n.id]))
            return edit.with_edits(node, edits)

        later = {n.id for s in ast.walk(b.node) if isinstance(s, ast.stmt) and id(s) not in b.prep | set(b.variables)
                 for part in ast.iter_child_nodes(s) if not isinstance(part, ast.stmt)
                 for n in ast.walk(part) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        for i, s in enumerate(body):
            if i == 0 and s is b.node.body[0] and ast.get_docstring(b.node) is not None or id(s) in not_computed(prog, b):
                continue
            if id(s) in b.prep and not {t.id for t in s.targets if isinstance(t, ast.Name)} & later:
                continue   # only the first call's variable creation needed it
            if _scope_call(prog, s) is not None:
                lines += self.compute(prog, b, s.body, edit, attrs)
                continue
            lines += comments(edit, s) + (rnn_lines(prog, b.rnn[id(s)], edit, render) if id(s) in b.rnn else [
                dedent(render(s) + trailing(edit, s), s.col_offset, s.lineno)])
        return lines
