"""tf.app.flags / tf.flags, tf.app.run, tf.logging and tf.gfile / tf.io.gfile."""
from __future__ import annotations

import os

import pytest

import tfcompat as tf
import tfcompat.compat.v1 as v1
from runtime.errors import AlreadyExistsError, NotFoundError
from tfcompat._impl.io.app_flags import (DEFINE_boolean, DEFINE_float, DEFINE_integer, DEFINE_list,
                                         DEFINE_string, DuplicateFlagError, FlagValues, IllegalFlagValueError)


def _flags() -> FlagValues:
    fv = FlagValues()
    DEFINE_string("name", "x", "a name", flag_values=fv)
    DEFINE_integer("epochs", 3, "passes", lower_bound=0, flag_values=fv)
    DEFINE_float("lr", 0.1, "rate", flag_values=fv)
    DEFINE_boolean("verbose", True, "talk", flag_values=fv)
    DEFINE_list("layers", "8,4", "sizes", flag_values=fv)
    return fv


def test_parsing_forms() -> None:
    fv = _flags()
    rest = fv(["prog", "--name=abc", "--epochs", "5", "-lr=0.5", "--noverbose", "pos", "--unknown=1",
               "--layers=1,2,3"], known_only=True)
    assert (fv.name, fv.epochs, fv.lr, fv.verbose, fv.layers) == ("abc", 5, 0.5, False, ["1", "2", "3"])
    assert rest == ["prog", "pos", "--unknown=1"]
    fv.epochs = 9
    assert fv.flag_values_dict()["epochs"] == 9 and "lr" in fv


def test_errors() -> None:
    fv = _flags()
    with pytest.raises(DuplicateFlagError, match="'name' is defined twice"):
        DEFINE_string("name", "y", "again", flag_values=fv)
    with pytest.raises(IllegalFlagValueError, match="flag --epochs=abc"):
        fv(["prog", "--epochs=abc"])
    with pytest.raises(IllegalFlagValueError, match="not in the range"):
        fv(["prog", "--epochs=-1"])


def test_lazy_parse_of_sys_argv_and_app_run(monkeypatch) -> None:
    fv = v1.flags.FLAGS
    assert fv is v1.app.flags.FLAGS
    if "test_flag_steps" not in fv:
        v1.flags.DEFINE_integer("test_flag_steps", 1, "steps")
        v1.app.flags.DEFINE_bool("test_flag_fast", False, "fast")
    fv.unparse_flags()
    monkeypatch.setattr("sys.argv", ["prog", "--test_flag_steps=7", "--test_flag_fast", "extra"])
    assert fv.test_flag_steps == 7 and fv.test_flag_fast is True
    fv.unparse_flags()
    seen = []
    with pytest.raises(SystemExit) as e:
        v1.app.run(main=lambda argv: seen.append(argv) or 3, argv=["p", "--test_flag_steps=2", "x"])
    assert e.value.code == 3 and seen == [["p", "x"]] and fv.test_flag_steps == 2
    fv.unparse_flags()


def test_logging_levels(capsys) -> None:
    assert (v1.logging.DEBUG, v1.logging.INFO, v1.logging.WARN, v1.logging.ERROR, v1.logging.FATAL) == \
        (10, 20, 30, 40, 50)
    old = v1.logging.get_verbosity()
    try:
        v1.logging.set_verbosity(v1.logging.INFO)
        v1.logging.info("step %d", 3)
        v1.logging.debug("hidden")
        v1.logging.warn("careful")
        err = capsys.readouterr().err
        assert "INFO:tensorflow:step 3" in err and "WARNING:tensorflow:careful" in err and "hidden" not in err
    finally:
        v1.logging.set_verbosity(old)


def test_gfile_v2(tmp_path) -> None:
    g = tf.io.gfile
    d = str(tmp_path / "a" / "b")
    g.makedirs(d)
    with g.GFile(os.path.join(d, "f.txt"), "w") as f:
        f.write("hello\nworld\n")
    with g.GFile(os.path.join(d, "f.txt")) as f:
        assert f.readlines() == ["hello\n", "world\n"]
    with g.GFile(os.path.join(d, "f.txt"), "rb") as f:
        assert f.read(5) == b"hello" and f.size() == 12
    assert g.listdir(d) == ["f.txt"] and g.isdir(d) and g.exists(os.path.join(d, "f.txt"))
    g.copy(os.path.join(d, "f.txt"), os.path.join(d, "g.txt"))
    with pytest.raises(AlreadyExistsError):
        g.copy(os.path.join(d, "f.txt"), os.path.join(d, "g.txt"))
    g.rename(os.path.join(d, "g.txt"), os.path.join(d, "h.txt"))
    assert g.glob(os.path.join(d, "*.txt")) == [os.path.join(d, "f.txt"), os.path.join(d, "h.txt")]
    assert g.stat(os.path.join(d, "f.txt")).length == 12
    assert [w[0] for w in g.walk(str(tmp_path))] == [str(tmp_path), str(tmp_path / "a"), d]
    g.remove(os.path.join(d, "h.txt"))
    with pytest.raises(NotFoundError, match="No such file"):
        g.remove(os.path.join(d, "h.txt"))
    with pytest.raises(NotFoundError):
        g.GFile(os.path.join(d, "missing")).read()
    g.rmtree(str(tmp_path / "a"))
    assert not g.exists(str(tmp_path / "a"))


def test_gfile_v1_names(tmp_path) -> None:
    gf = v1.gfile
    gf.MakeDirs(str(tmp_path / "x"))
    with gf.Open(str(tmp_path / "x" / "f"), "wb") as f:
        f.write(b"\x00\x01")
    with gf.FastGFile(str(tmp_path / "x" / "f"), "rb") as f:
        assert f.read() == b"\x00\x01"
    assert gf.Exists(str(tmp_path / "x")) and gf.IsDirectory(str(tmp_path / "x"))
    assert gf.ListDirectory(str(tmp_path / "x")) == ["f"] and gf.Stat(str(tmp_path / "x" / "f")).length == 2
    gf.Copy(str(tmp_path / "x" / "f"), str(tmp_path / "x" / "g"), overwrite=True)
    gf.Rename(str(tmp_path / "x" / "g"), str(tmp_path / "x" / "f"), overwrite=True)
    assert gf.Glob(str(tmp_path / "x" / "*")) == [str(tmp_path / "x" / "f")]
    assert list(gf.Walk(str(tmp_path)))[0][1] == ["x"]
    with pytest.raises(AlreadyExistsError):
        gf.MkDir(str(tmp_path / "x"))
    gf.Remove(str(tmp_path / "x" / "f"))
    gf.DeleteRecursively(str(tmp_path / "x"))
    assert not gf.Exists(str(tmp_path / "x"))


@pytest.mark.oracle
def test_flag_parsing_matches_absl(oracle) -> None:
    from absl import flags as absl_flags  # noqa: PLC0415
    argv = ["prog", "--name=abc", "--epochs", "5", "--noverbose", "rest", "--layers=a,b"]
    theirs = absl_flags.FlagValues()
    absl_flags.DEFINE_string("name", "x", "", flag_values=theirs)
    absl_flags.DEFINE_integer("epochs", 3, "", flag_values=theirs)
    absl_flags.DEFINE_float("lr", 0.1, "", flag_values=theirs)
    absl_flags.DEFINE_boolean("verbose", True, "", flag_values=theirs)
    absl_flags.DEFINE_list("layers", "8,4", "", flag_values=theirs)
    ours = _flags()
    assert ours(list(argv)) == theirs(list(argv))
    assert ours.flag_values_dict() == {k: theirs[k].value for k in ("name", "epochs", "lr", "verbose", "layers")}
