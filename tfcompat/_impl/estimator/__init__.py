"""`tf.estimator`: Estimators on tfcompat's graphs and sessions (TensorFlow removed them in 2.16).

    est = tf.estimator.Estimator(model_fn, model_dir="/tmp/m")
    est.train(tf.estimator.inputs.numpy_input_fn({"x": xs}, ys, batch_size=4, num_epochs=None), steps=100)
    est.evaluate(input_fn)   # {"loss": ..., "global_step": 100, <eval_metric_ops>...}

Checkpoints and events are written to `model_dir` in TensorFlow's formats; log lines are TF 1.15's.
"""
