"""Queue-based input pipelines become tf.data pipelines (upgrader/native/queues.py, queue_text.py).

End to end (TF 2.21 prints what TF1 printed): fixtures/programs/v1/queue_pipeline.py, native_queue_runners.py,
and below, tests/upgrader/data/queues/file_records.py (TFRecord, fixed-length and whole-file readers).
"""
from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

from tests import warm_python
from tests.oracle_python import oracle_python
from tests.output_compare import differences

from upgrader.engine import upgrade_source
from upgrader.native.base import Blocked
from upgrader.native.queues import queue_pipelines

READER = ("import tensorflow as tf\n\nq = tf.train.string_input_producer(['a.csv', 'b.csv'], num_epochs=2)\n"
          "reader = tf.TextLineReader(skip_header_lines=1)\n_, line = reader.read(q)\n"
          "x, y = tf.decode_csv(line, record_defaults=[[0.0], [0]])\n"
          "xb, yb = tf.train.shuffle_batch([x, y], batch_size=4, capacity=50, min_after_dequeue=10)\n")
SESSION = ("with tf.Session() as sess:\n    sess.run(tf.local_variables_initializer())\n"
           "    coord = tf.train.Coordinator()\n    threads = tf.train.start_queue_runners(coord=coord)\n"
           "    try:\n        while not coord.should_stop():\n            print(sess.run(xb).shape)\n"
           "    except tf.errors.OutOfRangeError:\n        print('done')\n"
           "    finally:\n        coord.request_stop()\n    coord.join(threads)\n")


def _respelt(source: str) -> str | None:
    return queue_pipelines(source, ast.parse(source))


def _native(source: str) -> tuple[str, list[str]]:
    result = upgrade_source(source, "native")
    return result.code, [d.message for d in result.warnings if d.rule == "native"]


def test_a_reader_pipeline_becomes_one_dataset_and_the_threads_go() -> None:
    assert _respelt(READER + SESSION) == (
        "import tensorflow as tf\n\n\n"
        "def parse_record(line):\n    x, y = tf.decode_csv(line, record_defaults=[[0.0], [0]])\n    return x, y\n\n\n"
        "dataset = (tf.data.Dataset.from_tensor_slices(['a.csv', 'b.csv']).shuffle(len(['a.csv', 'b.csv'])).repeat(2)\n"
        "           .flat_map(lambda filename: tf.data.TextLineDataset(filename).skip(1))\n"
        "           .map(parse_record)\n           .shuffle(10)\n           .batch(4, drop_remainder=True))\n"
        "xb, yb = dataset.make_one_shot_iterator().get_next()\n"
        "with tf.Session() as sess:\n    sess.run(tf.local_variables_initializer())\n"
        "    try:\n        while True:\n            print(sess.run(xb).shape)\n"
        "    except tf.errors.OutOfRangeError:\n        print('done')\n")


def test_the_converted_program_iterates_the_dataset() -> None:
    code, blocked = _native(READER + SESSION)
    assert not blocked
    assert "for xb, yb in dataset:\n    print(xb.numpy().shape)\nprint('done')\n" in code
    assert "Coordinator" not in code and "queue" not in code and "tf.io.decode_csv(" in code


def test_a_try_left_with_nothing_to_catch_goes_and_its_body_is_dedented() -> None:
    src = READER.replace(", num_epochs=2", "") + (
        "with tf.Session() as sess:\n\tcoord = tf.train.Coordinator()\n\tthreads = tf.train.start_queue_runners(coord=coord)\n"
        "\ttry:\n\t\tfor step in range(3):\n\t\t\tif coord.should_stop():\n\t\t\t\tbreak\n\t\t\tprint(sess.run(yb))\n"
        "\texcept Exception as e:\n\t\tcoord.request_stop(e)\n\tfinally:\n\t\tcoord.request_stop()\n\t\tcoord.join(threads)\n")
    assert _respelt(src).endswith("with tf.Session() as sess:\n\tfor step in range(3):\n\t\tprint(sess.run(yb))\n")


def test_an_in_memory_queue_filled_by_runners_becomes_repeated_slices() -> None:
    src = ("import numpy as np\nimport tensorflow as tf\n\ndata = np.ones((6, 2))\n"
           "q = tf.RandomShuffleQueue(capacity=8, min_after_dequeue=2, dtypes=[tf.float32])\n"
           "put = q.enqueue_many([data])\nbatch = q.dequeue_many(3)\nqr = tf.train.QueueRunner(q, [put] * 2)\n"
           "tf.train.add_queue_runner(qr)\nwith tf.Session() as sess:\n    tf.train.start_queue_runners(sess)\n"
           "    print(sess.run(batch).shape)\n")
    assert _respelt(src) == (
        "import numpy as np\nimport tensorflow as tf\n\ndata = np.ones((6, 2))\n"
        "dataset = tf.data.Dataset.from_tensor_slices(tf.constant(data, tf.float32)).repeat().shuffle(8)"
        ".batch(3, drop_remainder=True)\nbatch = dataset.make_one_shot_iterator().get_next()\n"
        "with tf.Session() as sess:\n    print(sess.run(batch).shape)\n")
    code, blocked = _native(src)
    assert not blocked and code.endswith("iterator = iter(dataset)\nbatch = next(iterator)\nprint(batch.numpy().shape)\n")


@pytest.mark.parametrize("change, named", [
    ("batch_size=4, capacity=50", "enqueue_many=True, dynamic_pad=True"),
    ("batch_size=4, capacity=50", "shared_name='s'"),
])
def test_arguments_with_no_tf_data_form_block_naming_them(change: str, named: str) -> None:
    src = READER.replace("tf.train.shuffle_batch", "tf.train.batch").replace(", min_after_dequeue=10", "")
    with pytest.raises(Blocked, match="dynamic_pad=|shared_name="):
        _respelt(src.replace(change, change + ", " + named))


def test_uses_the_dataset_has_no_counterpart_for_block() -> None:
    with pytest.raises(Blocked, match="'key' \(the reader's record key\) is read"):
        _respelt(READER.replace("_, line", "key, line") + "k = key\n")
    with pytest.raises(Blocked, match="hop_bytes="):
        _respelt(READER.replace("tf.TextLineReader(skip_header_lines=1)", "tf.FixedLengthRecordReader(4, hop_bytes=2)"))
    with pytest.raises(Blocked, match="'coord' .* is used in a way"):
        _respelt(READER + SESSION.replace("    coord.join(threads)\n", "    print(coord.joined)\n"))
    src = ("import tensorflow as tf\n\nx = tf.placeholder(tf.float32, [None])\n"
           "q = tf.FIFOQueue(4, [tf.float32])\nput = q.enqueue_many([x])\ny = q.dequeue()\n"
           "qr = tf.train.QueueRunner(q, [put])\n")
    with pytest.raises(Blocked, match="reads the graph value 'x'"):
        _respelt(src)
    with pytest.raises(Blocked, match="not q.size"):
        _respelt(src.replace("[x]", "[[1.0, 2.0]]") + "n = q.size()\n")


def test_a_file_without_queues_is_left_alone() -> None:
    assert _respelt("import tensorflow as tf\n\nx = tf.constant(1.0)\n") is None


def test_a_pipeline_built_in_a_helper_def_is_respelt_there() -> None:
    src = ("import tensorflow as tf\n\n\ndef batches(files):\n    q = tf.train.string_input_producer(files, shuffle=False)\n"
           "    reader = tf.TFRecordReader()\n    _, raw = reader.read(q)\n    # one example\n"
           "    ex = tf.parse_single_example(raw, {'y': tf.FixedLenFeature([], tf.int64)})\n"
           "    yb = tf.train.batch([ex['y']], batch_size=2)\n    return yb\n")
    dataset = ("    dataset = (tf.data.Dataset.from_tensor_slices(files).repeat()\n"
               "               .flat_map(tf.data.TFRecordDataset)\n               .map(parse_record)\n"
               "               .batch(2, drop_remainder=True))\n"
               "    yb = dataset.make_one_shot_iterator().get_next()\n    return yb\n")
    assert _respelt(src) == (   # the parse function reads no local of the def: it goes beside it
        "import tensorflow as tf\n\n\ndef parse_record(raw):\n    # one example\n"
        "    ex = tf.parse_single_example(raw, {'y': tf.FixedLenFeature([], tf.int64)})\n    return ex['y']\n\n\n"
        "def batches(files):\n" + dataset)
    local = src.replace("def batches(files):", "def batches(files, key='y'):").replace("{'y'", "{key")
    assert _respelt(local) == (
        "import tensorflow as tf\n\n\ndef batches(files, key='y'):\n    def parse_record(raw):\n        # one example\n"
        "        ex = tf.parse_single_example(raw, {key: tf.FixedLenFeature([], tf.int64)})\n"
        "        return ex['y']\n\n" + dataset)


def test_records_read_unbatched_are_the_element_each_run_takes() -> None:
    src = ("import tensorflow as tf\n\nq = tf.train.string_input_producer(['a.png'], shuffle=False)\n"
           "reader = tf.WholeFileReader()\n_, contents = reader.read(q)\nimage = tf.image.decode_png(contents)\n"
           "size = tf.shape(image)\nwith tf.Session() as sess:\n    coord = tf.train.Coordinator()\n"
           "    threads = tf.train.start_queue_runners(coord=coord)\n    print(sess.run([size, image]))\n"
           "    coord.request_stop()\n    coord.join(threads)\n")
    assert _respelt(src) == (
        "import tensorflow as tf\n\n\ndef parse_record(contents):\n    image = tf.image.decode_png(contents)\n"
        "    size = tf.shape(image)\n    return size, image\n\n\n"
        "dataset = (tf.data.Dataset.from_tensor_slices(['a.png']).repeat()\n           .map(tf.read_file)\n"
        "           .map(parse_record))\nsize, image = dataset.make_one_shot_iterator().get_next()\n"
        "with tf.Session() as sess:\n    print(sess.run([size, image]))\n")


@pytest.mark.oracle
def test_file_record_readers_convert_and_print_what_tf1_printed(tmp_path: Path) -> None:
    program = Path(__file__).parent / "data" / "queues" / "file_records.py"
    code, blocked = _native(program.read_text())
    assert not blocked and "Reader(" not in code and "Coordinator(" not in code
    py = oracle_python()
    if py is None:
        pytest.skip("no TensorFlow oracle (set TFCOMPAT_ORACLE_PYTHON)")
    (tmp_path / "converted.py").write_text(code)
    run = warm_python.run([py, str(tmp_path / "converted.py")], capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"), cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert differences(program.with_suffix(".expected.txt").read_text(), run.stdout) is None, run.stdout
