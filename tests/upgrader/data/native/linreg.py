"""The seed's TF1 linear regression: placeholders, GradientDescentOptimizer, per-sample feed_dict."""
import numpy as np
import tensorflow as tf

rng = np.random.RandomState(0)
inputs = rng.uniform(0.0, 1.0, size=20).astype(np.float32)
outputs = (2.0 * inputs + 0.5 + rng.normal(scale=0.05, size=20)).astype(np.float32)

X = tf.placeholder("float")
Y = tf.placeholder("float")
W = tf.Variable(5.0, name="weight")
b = tf.Variable(0.0, name="bias")
pred = tf.add(tf.multiply(X, W), b)

N_EPOCHS = 100
LEARNING_RATE = 0.1
loss = tf.reduce_mean(tf.square(pred - Y))
optimizer = tf.train.GradientDescentOptimizer(LEARNING_RATE).minimize(loss)
init = tf.global_variables_initializer()
with tf.Session() as sess:
    sess.run(init)
    for epoch in range(N_EPOCHS):
        for (x, y) in zip(inputs, outputs):
            sess.run(optimizer, feed_dict={X: x, Y: y})
        if epoch % 20 == 0:
            c = sess.run(loss, feed_dict={X: inputs, Y: outputs})
            print("epoch %d loss %.6f" % (epoch, c))
    w_val, b_val = sess.run([W, b])
    print("W = %.5f b = %.5f" % (w_val, b_val))
    print("pred(2) = %.5f" % sess.run(pred, feed_dict={X: 2.0}))
