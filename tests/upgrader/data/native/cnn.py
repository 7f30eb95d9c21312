"""A small CNN: conv2d, max_pool, relu, fully connected, AdamOptimizer, numpy-seeded weights."""
import numpy as np
import tensorflow as tf

rng = np.random.RandomState(2)
images = rng.uniform(size=(16, 8, 8, 1)).astype(np.float32)
labels = np.eye(2, dtype=np.float32)[(images.mean(axis=(1, 2, 3)) > 0.5).astype(int)]

x = tf.placeholder(tf.float32, [None, 8, 8, 1])
y_ = tf.placeholder(tf.float32, [None, 2])
W1 = tf.Variable(rng.normal(scale=0.3, size=(3, 3, 1, 4)).astype(np.float32))
b1 = tf.Variable(tf.constant(0.1, shape=[4]))
h1 = tf.nn.relu(tf.nn.conv2d(x, W1, strides=[1, 1, 1, 1], padding="SAME") + b1)
p1 = tf.nn.max_pool(h1, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
flat = tf.reshape(p1, [-1, 4 * 4 * 4])
W2 = tf.Variable(rng.normal(scale=0.1, size=(64, 2)).astype(np.float32))
b2 = tf.Variable(tf.zeros([2]))
logits = tf.matmul(flat, W2) + b2
loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=logits))
train = tf.train.AdamOptimizer(1e-2).minimize(loss)
acc = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y_, 1)), tf.float32))
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(20):
        _, l = sess.run([train, loss], feed_dict={x: images, y_: labels})
        if step % 5 == 0:
            print("step %d loss %.5f" % (step, l))
    print("final loss %.5f acc %.3f" % tuple(sess.run([loss, acc], {x: images, y_: labels})))
    print("b1", np.round(sess.run(b1), 4))
