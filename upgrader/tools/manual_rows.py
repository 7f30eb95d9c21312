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
    **{f"tf.summary.{n}": "TF2 tf.summary.* writes to a default writer and needs `step`; TF1's returns a summary op"
       for n in ("audio", "histogram", "image", "scalar", "text")},
}


def _group(reason: str, names: str) -> dict[str, str]:
    return {n: reason for n in names.split()}


# NOTE: a v1 name that also exists in v2 but is not the same object keeps tf.compat.v1 unless it is listed
# here: the v2 function of that name is a drop-in replacement once the call's arguments are mapped by name
# (KEYWORD_ALIASES, ARG_RENAMES, reorders as keywords; v1-only arguments send that call to tf.compat.v1).
V2_REPLACES: dict[str, str] = {
    **_group("same computation; the v1 export is only a separate (dispatch/deprecation) wrapper", """
        tf.VariableAggregation tf.executing_eagerly tf.foldl tf.foldr tf.scan tf.map_fn tf.scalar_mul
        tf.saved_model.contains_saved_model tf.feature_column.make_parse_example_spec tf.image.extract_patches
        tf.debugging.assert_integer tf.debugging.assert_shapes tf.debugging.assert_type tf.debugging.check_numerics
        tf.linalg.diag tf.linalg.diag_part tf.linalg.matmul tf.linalg.matrix_transpose tf.linalg.tensor_diag_part
        tf.linalg.trace tf.math.bincount
        tf.nn.leaky_relu tf.nn.relu6 tf.nn.sigmoid tf.nn.silu tf.nn.softplus tf.nn.swish tf.nn.tanh
        tf.nn.sigmoid_cross_entropy_with_logits tf.nn.sparse_softmax_cross_entropy_with_logits
        tf.math.reduce_euclidean_norm tf.math.reduce_std tf.math.reduce_variance
    """ + " ".join(f"tf.math.{n}" for n in """abs acos acosh add angle asin asinh atan atanh bessel_i0 bessel_i0e
        bessel_i1 bessel_i1e ceil conj cos cosh digamma divide divide_no_nan erf erfc erfcinv erfinv exp expm1 floor
        floormod imag lgamma log log1p log_sigmoid maximum minimum mod multiply multiply_no_nan ndtri negative real
        reciprocal reciprocal_no_nan rint round rsqrt scalar_mul sigmoid sign sin sinh softplus sqrt square tan
        tanh""".split()) + " " + " ".join(f"tf.math.special.{n}" for n in """bessel_i0 bessel_i0e bessel_i1
        bessel_i1e bessel_j0 bessel_j1 bessel_k0 bessel_k0e bessel_k1 bessel_k1e bessel_y0 bessel_y1 dawsn expint
        fresnel_cos fresnel_sin spence""".split())),
    **_group("same computation; deprecated keyword spellings renamed by name", """
        tf.argmax tf.argmin tf.math.argmax tf.math.argmin tf.cond tf.expand_dims tf.squeeze tf.norm tf.linalg.norm
        tf.reduce_all tf.reduce_any tf.reduce_logsumexp tf.reduce_max tf.reduce_mean tf.reduce_min tf.reduce_prod
        tf.reduce_sum tf.math.reduce_all tf.math.reduce_any tf.math.reduce_logsumexp tf.math.reduce_max
        tf.math.reduce_mean tf.math.reduce_min tf.math.reduce_prod tf.math.reduce_sum tf.math.count_nonzero
        tf.nn.softmax tf.nn.log_softmax tf.math.softmax tf.math.log_softmax tf.nn.moments tf.nn.sufficient_statistics
        tf.nn.weighted_moments tf.strings.reduce_join tf.sparse.reduce_max tf.sparse.reduce_sum
        tf.nn.avg_pool tf.nn.avg_pool2d tf.nn.max_pool tf.nn.conv1d tf.nn.conv2d tf.nn.conv2d_transpose tf.nn.conv3d
        tf.nn.conv3d_transpose tf.nn.convolution tf.nn.pool tf.io.decode_raw tf.convert_to_tensor tf.ones_like
        tf.zeros_like tf.reverse_sequence tf.sparse.add tf.sparse.concat tf.sparse.split tf.strings.to_hash_bucket
        tf.strings.to_number tf.image.crop_and_resize tf.debugging.assert_all_finite
        tf.nn.batch_norm_with_global_normalization tf.nn.weighted_cross_entropy_with_logits
    """),
    **_group("same computation; only the argument order changed (positional arguments become keywords)", """
        tf.boolean_mask tf.gather tf.gather_nd tf.pad tf.transpose tf.tuple tf.nn.crelu tf.shape tf.size
        tf.io.decode_csv tf.io.parse_example tf.io.parse_single_example tf.io.serialize_many_sparse
        tf.io.serialize_sparse tf.sparse.segment_mean tf.sparse.segment_sqrt_n tf.sparse.segment_sum
        tf.strings.length tf.strings.substr tf.nn.depth_to_space tf.nn.space_to_depth tf.nn.in_top_k
        tf.math.in_top_k tf.random.poisson tf.math.confusion_matrix tf.debugging.assert_scalar
        tf.feature_column.categorical_column_with_vocabulary_file tf.test.assert_equal_graph_def
        tf.nn.max_pool_with_argmax
    """),
    **_group("same computation; calls passing the v1-only arguments (data=, rate=, ...) keep tf.compat.v1", """
        tf.assert_equal tf.assert_greater tf.assert_less tf.assert_rank tf.debugging.assert_equal
        tf.debugging.assert_greater tf.debugging.assert_greater_equal tf.debugging.assert_less
        tf.debugging.assert_less_equal tf.debugging.assert_near tf.debugging.assert_negative
        tf.debugging.assert_non_negative tf.debugging.assert_non_positive tf.debugging.assert_none_equal
        tf.debugging.assert_positive tf.debugging.assert_rank tf.debugging.assert_rank_at_least
        tf.debugging.assert_rank_in tf.autograph.to_code tf.autograph.to_graph tf.gradients tf.hessians
        tf.nn.depthwise_conv2d tf.nn.separable_conv2d tf.constant
    """),
    **_group("a deterministic initializer with the same values; dtype=/verify_shape= calls keep tf.compat.v1", """
        tf.constant_initializer tf.zeros_initializer tf.ones_initializer tf.initializers.constant
        tf.initializers.zeros tf.initializers.ones tf.initializers.identity
    """),
    "tf.Variable": "a resource variable, as TF1 with resource variables; collections=/expected_shape=/use_resource= keep tf.compat.v1",
    "tf.device": "same for device-name strings (the common case)",
    "tf.name_scope": "the name_scope rule rewrites the default_name/values forms; those left keep tf.compat.v1",
    "tf.nn.dropout": "the dropout_keep_prob rule rewrites keep_prob to rate=1 - keep_prob",
    "tf.nn.softmax_cross_entropy_with_logits": "the softmax_xent_stop_gradient rule adds TF1's stop_gradient on labels",
    **_group("a DatasetV2; the dataset_iterators rule rewrites the v1-only iterator methods and output_* properties", """
        tf.data.Dataset tf.data.FixedLengthRecordDataset tf.data.TFRecordDataset tf.data.TextLineDataset
        tf.data.experimental.Counter tf.data.experimental.CsvDataset tf.data.experimental.RandomDataset
        tf.data.experimental.SqlDataset tf.data.experimental.choose_from_datasets
        tf.data.experimental.make_batched_features_dataset tf.data.experimental.make_csv_dataset
        tf.data.experimental.sample_from_datasets
    """),
}

# v1 name -> v2 name whose signature the call is mapped onto (keyword renames
# are derived against the target's signature).
RENAMES: dict[str, str] = {
    "tf.nn.softmax_cross_entropy_with_logits_v2": "tf.nn.softmax_cross_entropy_with_logits",
    # TF2 has the same computation under another name (arguments mapped by name; reorders become keywords)
    "tf.count_nonzero": "tf.math.count_nonzero",
    "tf.extract_image_patches": "tf.image.extract_patches",
    "tf.random_poisson": "tf.random.poisson",
    "tf.multinomial": "tf.random.categorical",
    "tf.random.multinomial": "tf.random.categorical",
    "tf.random.stateless_multinomial": "tf.random.stateless_categorical",
    "tf.nn.conv2d_backprop_input": "tf.nn.conv2d_transpose",   # (sizes, filter, dy) == transpose(dy, filter, sizes)
    "tf.sparse_split": "tf.sparse.split",
    "tf.sparse_matmul": "tf.linalg.matmul",
    "tf.substr": "tf.strings.substr",
    "tf.nn.max_pool": "tf.nn.max_pool2d",   # v1 max_pool is 2-D only; v2 tf.nn.max_pool is N-D
    "tf.nn.avg_pool": "tf.nn.avg_pool2d",
    "tf.data.experimental.DatasetStructure": "tf.data.DatasetSpec",
    "tf.data.experimental.OptionalStructure": "tf.OptionalSpec",
    "tf.data.experimental.RaggedTensorStructure": "tf.RaggedTensorSpec",
    "tf.data.experimental.SparseTensorStructure": "tf.SparseTensorSpec",
    "tf.data.experimental.Structure": "tf.TypeSpec",
    "tf.data.experimental.TensorArrayStructure": "tf.TensorArraySpec",
    "tf.data.experimental.TensorStructure": "tf.TensorSpec",
    "tf.saved_model.load_v2": "tf.compat.v2.saved_model.load",   # v1's tf.saved_model.load is another loader
    "tf.arg_min": "tf.argmin",   # the raw op's (input, dimension, output_type, name): argmin's order, axis named
    "tf.arg_max": "tf.argmax",
}

# v1 wrappers of raw ops that TF2 exports only under tf.raw_ops (keyword-only: every argument becomes a keyword;
# the v1 parameter names are the op's input and attribute names).
RAW_OPS: dict[str, str] = {
    "tf.train.sdca_fprint": "SdcaFprint",
    "tf.train.sdca_optimizer": "SdcaOptimizer",
    "tf.train.sdca_shrink_l1": "SdcaShrinkL1",
}

# Deprecated v1 keyword spellings -> their TF2 names (applied when the target
# signature has the new name).
KEYWORD_ALIASES: dict[str, str] = {
    "keep_dims": "keepdims",
    "reduction_indices": "axis",
    "dim": "axis",
    "dimension": "axis",
    "squeeze_dims": "axis",
    "filter": "filters",
    "value": "input",
    "reduction_axes": "axis",
    "preferred_dtype": "dtype_hint",
    "dilation_rate": "dilations",
}

# Per-function keyword renames that are the same argument under a new name (never derived by position).
ARG_RENAMES: dict[str, dict[str, str]] = {
    "tf.cond": {"fn1": "true_fn", "fn2": "false_fn"},
    "tf.nn.separable_conv2d": {"rate": "dilations"},   # TF1 read `rate` as the deprecated spelling of `dilations`
    "tf.nn.depthwise_conv2d": {"rate": "dilations"},
    "tf.arg_min": {"dimension": "axis"},
    "tf.arg_max": {"dimension": "axis"},
    "tf.math.count_nonzero": {"input_tensor": "input"},
    "tf.device": {"device_name_or_function": "device_name"},
    "tf.io.decode_raw": {"bytes": "input_bytes"},
    "tf.ones_like": {"tensor": "input"},
    "tf.zeros_like": {"tensor": "input"},
    "tf.reverse_sequence": {"seq_dim": "seq_axis", "batch_dim": "batch_axis"},
    "tf.sparse.add": {"thresh": "threshold"},
    "tf.sparse.concat": {"concat_dim": "axis", "expand_nonconcat_dim": "expand_nonconcat_dims"},
    "tf.sparse.split": {"split_dim": "axis"},
    "tf.strings.to_hash_bucket": {"string_tensor": "input"},
    "tf.strings.to_number": {"string_tensor": "input"},
    "tf.image.crop_and_resize": {"box_ind": "box_indices"},
    "tf.debugging.assert_all_finite": {"t": "x", "msg": "message"},
    "tf.nn.batch_norm_with_global_normalization": {"t": "input", "m": "mean", "v": "variance"},
    "tf.nn.weighted_cross_entropy_with_logits": {"targets": "labels"},
    "tf.count_nonzero": {"input_tensor": "input"},
    "tf.extract_image_patches": {"ksizes": "sizes"},
    "tf.multinomial": {"output_dtype": "dtype"},
    "tf.random.multinomial": {"output_dtype": "dtype"},
    "tf.random.stateless_multinomial": {"output_dtype": "dtype"},
    "tf.nn.conv2d_backprop_input": {"input_sizes": "output_shape", "out_backprop": "input"},
    "tf.sparse_split": {"split_dim": "axis"},
    "tf.nn.max_pool": {"value": "input"},
    "tf.nn.avg_pool": {"value": "input"},
}

# v1 arguments a v2 function does not take, where the API data shows v2's signature only as *args/**kwargs:
# a call passing them keeps tf.compat.v1 (TF2's Zeros()/Ones() take no dtype when built).
V1_ONLY_ARGS: dict[str, tuple[str, ...]] = {
    "tf.zeros_initializer": ("dtype",), "tf.ones_initializer": ("dtype",),
    "tf.initializers.zeros": ("dtype",), "tf.initializers.ones": ("dtype",),
}

# Reordered functions whose calls keep their positional arguments in compat mode (a rule writes them).
POSITIONAL_KEPT: dict[str, str] = {
    "tf.nn.dropout": "the dropout_keep_prob rule: TF2's second positional parameter is the rate it writes",
}

# v1 arguments that have no effect in TF2 and may be dropped silently.
SAFE_DROPS: frozenset[str] = frozenset({
    "use_cudnn_on_gpu", "validate_indices",
    "colocate_gradients_with_ops",             # gradients/hessians: TF2 always colocates
    "arg_values", "arg_types", "indentation",  # autograph.to_graph/to_code: ignored since TF 1.13
})

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
    "tf.contrib.keras.datasets": {"new": "tf.keras.datasets"},   # TF 1.4+: the tf.keras loaders themselves
    "tf.contrib.util.make_tensor_proto": {"new": "tf.make_tensor_proto"},   # the same tensor_util functions
    "tf.contrib.util.make_ndarray": {"new": "tf.make_ndarray"},
    "tf.contrib.util.constant_value": {"new": "tf.get_static_value"},
    "tf.contrib.framework.is_tensor": {"new": "tf.is_tensor"},
    "tf.contrib.framework.argsort": {"new": "tf.argsort"},
    "tf.contrib.framework.sort": {"new": "tf.sort"},
    "tf.contrib.framework.CriticalSection": {"new": "tf.CriticalSection"},
    "tf.contrib.framework.load_variable": {"new": "tf.train.load_variable", "renames": {"checkpoint_dir": "ckpt_dir_or_file"}},
    "tf.contrib.framework.list_variables": {"new": "tf.train.list_variables", "renames": {"checkpoint_dir": "ckpt_dir_or_file"}},
    "tf.contrib.layers.recompute_grad": {"new": "tf.recompute_grad"},
    "tf.contrib.rnn.static_state_saving_rnn": {"new": "tf.compat.v1.nn.static_state_saving_rnn"},
    "tf.contrib.summary.initialize": {"new": "tf.compat.v1.summary.initialize"},
    "tf.contrib.summary.all_summary_ops": {"new": "tf.compat.v1.summary.all_v2_summary_ops"},
    "tf.contrib.summary.flush": {"new": "tf.compat.v2.summary.flush"},
    "tf.contrib.summary.graph": {"error": "use tf.compat.v2.summary.trace_on/trace_export to record the graph"},
    "tf.contrib.summary.import_event": {"error": "use tf.compat.v2.summary.experimental.write_raw_pb"},
    "tf.contrib.summary.record_summaries_every_n_global_steps": {"error": "replaced by a call to "
        "tf.compat.v2.summary.record_if() with a condition on the step, e.g. record_if(step % n == 0)"},
    **{f"tf.contrib.distribute.{c}": {"new": f"tf.distribute.{c}"} for c in (
        "CrossDeviceOps", "ReductionToOneDevice", "NcclAllReduce", "HierarchicalCopyAllReduce", "ReduceOp",
        "InputContext")},
    **{f"tf.contrib.distribute.{c}": {"error": f"tf.contrib.distribute.{c} has been migrated to "
                                               f"tf.distribute.{c}; its constructor arguments changed"}
       for c in ("MirroredStrategy", "TPUStrategy", "OneDeviceStrategy", "CollectiveAllReduceStrategy",
                 "ParameterServerStrategy")},
    "tf.contrib.distribute": {"error": "tf.contrib.distribute.* have been migrated to tf.distribute.*"},
    **{f"tf.contrib.estimator.{h}": {"error": "`tf.contrib.estimator.*_head` has been deprecated; the Estimator "
                                             "heads left with tf.estimator (removed in TF 2.16): rewrite with Keras"}
       for h in ("binary_classification_head", "logistic_regression_head", "multi_class_head", "multi_head",
                 "multi_label_head", "poisson_regression_head", "regression_head")},
    **{f"tf.contrib.estimator.{h}": {"new": f"tf.estimator.experimental.{h}"} for h in (
        "make_early_stopping_hook", "stop_if_higher_hook", "stop_if_lower_hook", "stop_if_no_decrease_hook",
        "stop_if_no_increase_hook")},
    "tf.estimator.inputs": {"new": "tf.compat.v1.estimator.inputs"},   # numpy_input_fn/pandas_input_fn: v1 only
    "tf.contrib.layers.layer_norm": {"error": "`tf.contrib.layers.layer_norm` has been deprecated; use "
                                              "tf.keras.layers.LayerNormalization (check its epsilon and axis)"},
    "tf.contrib.rnn": {"error": "tf.contrib.rnn.* has been deprecated; cells are in tf.keras.layers "
                                "(LSTMCell, GRUCell, RNN) or tf.compat.v1.nn.rnn_cell"},
    "tf.contrib.cudnn_rnn": {"error": "tf.contrib.cudnn_rnn.* has been deprecated; tf.keras.layers.LSTM and GRU "
                                     "use cuDNN kernels when their arguments allow it"},
    "tf.contrib.layers.poincare_normalize": {"error": "moved to TensorFlow Addons as tfa.layers.PoincareNormalize "
                                                      "(Addons is no longer maintained)"},
    "tf.contrib.layers.maxout": {"error": "moved to TensorFlow Addons as tfa.layers.Maxout (Addons is no longer maintained)"},
    "tf.contrib.layers.group_norm": {"error": "moved to TensorFlow Addons as tfa.layers.GroupNormalization; "
                                              "TF2 has tf.keras.layers.GroupNormalization"},
    "tf.contrib.layers.instance_norm": {"error": "moved to TensorFlow Addons as tfa.layers.InstanceNormalization "
                                                 "(Addons is no longer maintained)"},
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
    # v1 layers, which contrib_layers_v1 turns these into, build graph variables (no eager form)
    "tf.contrib.layers.fully_connected", "tf.contrib.layers.conv2d", "tf.contrib.layers.max_pool2d",
    "tf.contrib.layers.avg_pool2d", "tf.contrib.layers.flatten",
    "tf.summary.FileWriter", "tf.summary.merge_all", "tf.data.Iterator",
})
