"""The TensorFlow 1 layer: `tfcompat.compat.v1` names whose TF1 meaning differs from TF2.

Graphs and sessions, v1 variables and scopes, optimizers, `tf.layers`, `tf.nn.rnn_cell`,
queues, `train.Saver`, summaries and the `tf.contrib` names real code uses. Everything
runs on the runtime's graph IR and executor; this package only adds TF1's API.
"""
