"""TF1's `tf.app.flags` / `tf.flags` (absl-style command-line flags) and `tf.app.run`.

    tf.app.flags.DEFINE_integer("epochs", 3, "passes over the data")
    FLAGS = tf.app.flags.FLAGS
    FLAGS.epochs      # parses sys.argv on first access: `--epochs=5`, `--epochs 5`, `--noverbose`
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Callable

from ..._export import export, export_value

_NAMES = ("app.flags.{0}", "flags.{0}")


def _v1(name: str) -> tuple[str, ...]:
    return tuple(n.format(name) for n in _NAMES)


class Error(Exception):
    """Base of the flag errors (absl's flags.Error)."""


class DuplicateFlagError(Error):
    pass


class IllegalFlagValueError(Error):
    pass


class UnrecognizedFlagError(Error):
    pass


class UnparsedFlagAccessError(Error):
    pass


for _cls in (Error, DuplicateFlagError, IllegalFlagValueError, UnrecognizedFlagError, UnparsedFlagAccessError):
    export_value(_cls, v1=_v1(_cls.__name__))


def _parse_bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in ("true", "t", "1", "yes", "y"):
        return True
    if lowered in ("false", "f", "0", "no", "n"):
        return False
    raise ValueError(f"Non-boolean argument to boolean flag: {text!r}")


@dataclass
class Flag:
    """One flag: its parser, default, current value and help."""

    name: str
    default: Any
    help: str
    parse: Callable[[str], Any]
    boolean: bool = False
    value: Any = None
    present: int = 0

    def parse_value(self, text: Any) -> Any:
        if not isinstance(text, str):
            return text
        try:
            return self.parse(text)
        except ValueError as e:
            raise IllegalFlagValueError(f"flag --{self.name}={text}: {e}") from None


class FlagValues:
    """The flag registry; attribute access reads values, parsing `sys.argv` on first use as TF1 did."""

    def __init__(self) -> None:
        object.__setattr__(self, "_flags", {})
        object.__setattr__(self, "_parsed", False)

    def define(self, flag: Flag) -> None:
        if flag.name in self._flags:
            raise DuplicateFlagError(f"The flag '{flag.name}' is defined twice. First from "
                                     f"{sys.argv[0] if sys.argv else '?'}, Second from the same program.")
        flag.value = flag.parse_value(flag.default) if flag.default is not None else None
        self._flags[flag.name] = flag

    def __call__(self, argv: list[str], known_only: bool = False) -> list[str]:
        """Parse `argv` (argv[0] is the program): set flags, return [argv[0]] + the arguments left over."""
        args, rest, i = list(argv[1:]), [argv[0]] if argv else [], 0
        while i < len(args):
            arg = args[i]
            i += 1
            if arg == "--":
                rest.extend(args[i:])
                break
            if not arg.startswith("-") or arg == "-":
                rest.append(arg)
                continue
            name, eq, text = arg.lstrip("-").partition("=")
            flag = self._flags.get(name)
            if flag is None and name.startswith("no") and not eq and name[2:] in self._flags \
                    and self._flags[name[2:]].boolean:
                flag, text, eq = self._flags[name[2:]], "false", "="
            if flag is None:
                if known_only:
                    rest.append(arg)
                    continue
                raise UnrecognizedFlagError(f"Unknown command line flag '{name}'")
            if not eq:
                if flag.boolean:
                    text = "true"
                elif i < len(args):
                    text, i = args[i], i + 1
                else:
                    raise IllegalFlagValueError(f"Flag --{name} must have a value other than None.")
            flag.value, flag.present = flag.parse_value(text), flag.present + 1
        object.__setattr__(self, "_parsed", True)
        return rest

    def _ensure_parsed(self) -> None:
        if not self._parsed:  # NOTE: TF1's wrapper parsed sys.argv lazily, tolerating unknown flags
            self(sys.argv or [""], known_only=True)

    def __getattr__(self, name: str) -> Any:
        flags = object.__getattribute__(self, "_flags")
        if name not in flags:
            raise AttributeError(name)
        self._ensure_parsed()
        return flags[name].value

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self._flags:
            raise AttributeError(f"Unknown flag '{name}': define it with DEFINE_* before setting it")
        self._flags[name].value = value

    def __getitem__(self, name: str) -> Flag:
        return self._flags[name]

    def __contains__(self, name: str) -> bool:
        return name in self._flags

    def __iter__(self) -> Any:
        return iter(self._flags)

    def is_parsed(self) -> bool:
        return self._parsed

    def mark_as_parsed(self) -> None:
        object.__setattr__(self, "_parsed", True)

    def unparse_flags(self) -> None:
        for flag in self._flags.values():
            flag.value, flag.present = (flag.parse_value(flag.default) if flag.default is not None else None), 0
        object.__setattr__(self, "_parsed", False)

    def flag_values_dict(self) -> dict[str, Any]:
        self._ensure_parsed()
        return {name: flag.value for name, flag in self._flags.items()}

    def get_flag_value(self, name: str, default: Any) -> Any:
        return getattr(self, name) if name in self._flags else default


FLAGS = export_value(FlagValues(), v1=_v1("FLAGS"))
export_value(FlagValues, v1=_v1("FlagValues"))


def _number(kind: type, lower_bound: Any, upper_bound: Any) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        value = kind(text)
        if (lower_bound is not None and value < lower_bound) or (upper_bound is not None and value > upper_bound):
            raise ValueError(f"{value} is not in the range [{lower_bound}, {upper_bound}]")
        return value
    return parse


@export(v1=_v1("DEFINE_string"))
def DEFINE_string(name: str, default: Any, help: str, flag_values: FlagValues = FLAGS,  # noqa: N802,A002
                  required: bool = False, **args: Any) -> None:
    flag_values.define(Flag(name, default, help, str))


@export(v1=_v1("DEFINE_integer"))
def DEFINE_integer(name: str, default: Any, help: str, lower_bound: Any = None, upper_bound: Any = None,  # noqa: N802,A002
                   flag_values: FlagValues = FLAGS, required: bool = False, **args: Any) -> None:
    flag_values.define(Flag(name, default, help, _number(int, lower_bound, upper_bound)))


@export(v1=_v1("DEFINE_float"))
def DEFINE_float(name: str, default: Any, help: str, lower_bound: Any = None, upper_bound: Any = None,  # noqa: N802,A002
                 flag_values: FlagValues = FLAGS, required: bool = False, **args: Any) -> None:
    flag_values.define(Flag(name, default, help, _number(float, lower_bound, upper_bound)))


@export(v1=_v1("DEFINE_boolean") + _v1("DEFINE_bool"))
def DEFINE_boolean(name: str, default: Any, help: str, flag_values: FlagValues = FLAGS,  # noqa: N802,A002
                   module_name: str | None = None, required: bool = False, **args: Any) -> None:
    flag_values.define(Flag(name, default, help, _parse_bool, boolean=True))


DEFINE_bool = DEFINE_boolean


@export(v1=_v1("DEFINE_list"))
def DEFINE_list(name: str, default: Any, help: str, flag_values: FlagValues = FLAGS,  # noqa: N802,A002
                required: bool = False, **args: Any) -> None:
    def parse(text: str) -> list[str]:
        return [s.strip() for s in text.split(",") if s.strip()] if text else []
    default = parse(default) if isinstance(default, str) else default
    flag_values.define(Flag(name, list(default) if default is not None else None, help, parse))


@export(v1=_v1("mark_flag_as_required"))
def mark_flag_as_required(flag_name: str, flag_values: FlagValues = FLAGS) -> None:
    """Make `tf.app.run` refuse to start while --flag_name has no value."""
    flag_values[flag_name]  # NOTE: KeyError now for an undefined flag, not later
    _REQUIRED.add((id(flag_values), flag_name))


_REQUIRED: set[tuple[int, str]] = set()


@export(v1=("app.run",))
def run(main: Callable[[list[str]], Any] | None = None, argv: list[str] | None = None) -> None:
    """Parse flags from `argv` (default sys.argv, unknown flags kept), call `main(argv)`, exit with its result."""
    main = main or sys.modules["__main__"].main
    remaining = FLAGS(sys.argv if argv is None else argv, known_only=True)
    for key, name in sorted(_REQUIRED):
        if key == id(FLAGS) and FLAGS[name].value is None:
            sys.stderr.write(f"FATAL Flags parsing error: flag --{name} must have a value other than None.\n")
            sys.exit(1)
    sys.exit(main(remaining))
