"""Hand-written table rows: what introspecting TensorFlow's API cannot show.

Each entry is merged over the derived row of the same v1 name by
`build_upgrade_tables.py`. Keys are v1 spellings (`tf.X`).

    "tf.image.resize": {"new": "tf.compat.v1.image.resize"}   # same name, other semantics
"""
from __future__ import annotations

# v1 names whose v2 namesake computes something else: keep v1 semantics.
FORCE_COMPAT: dict[str, str] = {
    "tf.image.resize": "TF2 tf.image.resize uses half-pixel centres (different values)",
    "tf.nn.ctc_loss": "argument meaning changed in TF2",
}

# v1 name -> v2 name whose signature the call is mapped onto (keyword renames
# are derived against the target's signature).
RENAMES: dict[str, str] = {
    "tf.nn.softmax_cross_entropy_with_logits_v2": "tf.nn.softmax_cross_entropy_with_logits",
}

# Deprecated v1 keyword spellings -> their TF2 names (applied when the target
# signature has the new name).
KEYWORD_ALIASES: dict[str, str] = {
    "keep_dims": "keepdims",
    "reduction_indices": "axis",
    "dim": "axis",
    "dimension": "axis",
    "squeeze_dims": "axis",
    "fn1": "true_fn",
    "fn2": "false_fn",
    "filter": "filters",
    "value": "input",
    "bytes": "input_bytes",
    "input": "input_tensor",
    "logits": "input",
}

# v1 arguments that have no effect in TF2 and may be dropped silently.
SAFE_DROPS: frozenset[str] = frozenset({"use_cudnn_on_gpu", "validate_indices"})

# (v1 default, v2 default) pairs that mean the same thing.
EQUIVALENT_DEFAULTS: frozenset[tuple[str | None, str | None]] = frozenset({
    ("None", "False"), ("0", "0.0"), ("'auto'", "'sum_over_batch_size'"),
    ("'channels_last'", "None"), ("None", None), ("None", "'NWC'"),
    ("[1, 1, 1, 1]", "None"), ("[1, 1, 1, 1, 1]", "None"), ("'NHWC'", "None"),
    ("None", "-1"),
})

# tf.contrib: a core equivalent ("new") or an error with a suggestion ("error").
CONTRIB: dict[str, dict[str, str]] = {
    **{f"tf.contrib.rnn.{c}": {"new": f"tf.compat.v1.nn.rnn_cell.{c}"} for c in (
        "BasicLSTMCell", "LSTMCell", "GRUCell", "BasicRNNCell", "MultiRNNCell",
        "DropoutWrapper", "LSTMStateTuple", "RNNCell", "ResidualWrapper", "DeviceWrapper")},
    "tf.contrib.rnn.static_rnn": {"new": "tf.compat.v1.nn.static_rnn"},
    "tf.contrib.rnn.static_bidirectional_rnn": {"new": "tf.compat.v1.nn.static_bidirectional_rnn"},
    "tf.contrib.layers.flatten": {"new": "tf.compat.v1.layers.flatten"},
    "tf.contrib.framework.get_or_create_global_step": {"new": "tf.compat.v1.train.get_or_create_global_step"},
    "tf.contrib.framework.nest": {"new": "tf.nest"},
    "tf.contrib.data.shuffle_and_repeat": {"new": "tf.data.experimental.shuffle_and_repeat"},
    "tf.contrib.data.map_and_batch": {"new": "tf.data.experimental.map_and_batch"},
    "tf.contrib.data.AUTOTUNE": {"new": "tf.data.experimental.AUTOTUNE"},
    "tf.contrib.layers.xavier_initializer": {"special": "xavier"},
    "tf.contrib.layers.xavier_initializer_conv2d": {"special": "xavier"},
    "tf.contrib.layers.l2_regularizer": {"special": "l2"},
    "tf.contrib.layers.l1_regularizer": {"special": "l1"},
    "tf.contrib.slim": {"error": "tf.contrib.slim is gone; install tf_slim and use `import tf_slim as slim`"},
    "tf.contrib.learn": {"error": "tf.contrib.learn is gone; use tf.keras or tf.data"},
    "tf.contrib.distributions": {"error": "use tensorflow_probability (tfp.distributions)"},
    "tf.contrib.seq2seq": {"error": "use tensorflow_addons (tfa.seq2seq)"},
    "tf.contrib.image": {"error": "use tensorflow_addons (tfa.image) or tf.image"},
    "tf.contrib.layers.batch_norm": {"error": "use tf.compat.v1.layers.batch_normalization (defaults differ: check decay/momentum and scale)"},
    "tf.contrib.layers.fully_connected": {"error": "use tf.compat.v1.layers.dense(x, units, activation=tf.nn.relu) (fully_connected defaults to relu)"},
    "tf.contrib.layers.conv2d": {"error": "use tf.compat.v1.layers.conv2d(..., activation=tf.nn.relu) (contrib conv2d defaults to relu)"},
    "tf.contrib.layers.variance_scaling_initializer": {"error": "use tf.compat.v1.variance_scaling_initializer (arguments renamed: factor->scale, mode lower-case)"},
    "tf.contrib.training.HParams": {"error": "HParams is gone; use a dict, dataclass or the tensorboard hparams plugin"},
    "tf.contrib.layers.optimize_loss": {"error": "write the optimizer step explicitly (optimizer.minimize(loss))"},
}

# Names that only work in graph mode: their use switches eager off in compat output.
GRAPH_ONLY: frozenset[str] = frozenset({
    "tf.placeholder", "tf.placeholder_with_default", "tf.sparse_placeholder",
    "tf.Session", "tf.InteractiveSession", "tf.global_variables_initializer",
    "tf.initialize_all_variables", "tf.local_variables_initializer",
    "tf.variables_initializer", "tf.tables_initializer", "tf.train.Saver",
    "tf.train.start_queue_runners", "tf.FIFOQueue", "tf.RandomShuffleQueue",
    "tf.PaddingFIFOQueue", "tf.train.batch", "tf.train.shuffle_batch",
    "tf.train.string_input_producer", "tf.train.MonitoredTrainingSession",
    "tf.get_variable", "tf.variable_scope", "tf.get_collection", "tf.add_to_collection",
    "tf.train.GradientDescentOptimizer", "tf.train.AdamOptimizer",
    "tf.train.MomentumOptimizer", "tf.train.RMSPropOptimizer", "tf.train.AdagradOptimizer",
    "tf.train.AdadeltaOptimizer", "tf.gradients", "tf.layers", "tf.reset_default_graph",
    "tf.summary.FileWriter", "tf.summary.merge_all", "tf.data.Iterator",
})
