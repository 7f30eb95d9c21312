import numpy as np
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 4])
h = tf.layers.dense(x, 3, activation=tf.nn.relu, kernel_initializer=tf.constant_initializer(0.1))
out = tf.layers.dense(h, 1, kernel_initializer=tf.contrib.layers.xavier_initializer(seed=1) if False else tf.ones_initializer())
with tf.variable_scope("extra"):
    v = tf.get_variable("v", [2], initializer=tf.zeros_initializer())
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print("out", np.round(sess.run(out, {x: np.ones((2, 4))}), 5).ravel().tolist())
    print("v", v.name, sess.run(v).tolist())
