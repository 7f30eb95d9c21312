"""`tf.feature_column`: columns (columns.py), TensorFlow's string hash (fingerprint.py), and the v1
`input_layer` / `linear_model` that turn a features dict into a dense tensor or linear logits (layers.py)."""
