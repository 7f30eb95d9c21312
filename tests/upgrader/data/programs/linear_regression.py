import numpy as np
import tensorflow as tf

tf.set_random_seed(0)
x = tf.placeholder(tf.float32, [None, 3], name="x")
w = tf.Variable(tf.ones([3, 1]))
y = tf.matmul(x, w)
loss = tf.reduce_mean(tf.square(y - 1.0), keep_dims=False)
total = tf.reduce_sum(tf.to_float(tf.argmax(y, dimension=1)), reduction_indices=[0])
step = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    data = np.arange(6, dtype=np.float32).reshape(2, 3) / 10.0
    for i in range(3):
        _, l = sess.run([step, loss], feed_dict={x: data})
        print("step", i, "loss", round(float(l), 5))
    print("w", np.round(sess.run(w).ravel(), 5).tolist(), "total", sess.run(total, {x: data}))
    print("log", sess.run(tf.log(tf.constant(2.0))))
