import numpy as np
import tensorflow as tf

labels = tf.constant([[0.0, 1.0], [1.0, 0.0]])
logits = tf.constant([[1.0, 2.0], [0.5, -0.5]])
xent = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits, dim=1)
kept = tf.nn.dropout(tf.ones([4]), keep_prob=1.0)
img = tf.reshape(tf.range(16, dtype=tf.float32), [1, 4, 4, 1])
small = tf.image.resize_bilinear(img, [2, 2])
with tf.name_scope("scope"):
    named = tf.identity(xent, name="named")
ds = tf.data.Dataset.from_tensor_slices(np.arange(3)).batch(2)
nxt = ds.make_one_shot_iterator().get_next()
with tf.Session() as sess:
    print("xent", np.round(sess.run(xent), 5).tolist())
    print("kept", sess.run(kept).tolist())
    print("resize", sess.run(small).ravel().tolist())
    print("name", named.name)
    print("batch", sess.run(nxt).tolist())
