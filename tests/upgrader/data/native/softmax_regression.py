"""Softmax regression with accuracy: reduce_sum(reduction_indices=), argmax, equal, cast."""
import numpy as np
import tensorflow as tf

rng = np.random.RandomState(1)
centers = rng.normal(size=(3, 4)).astype(np.float32) * 2.0
labels = rng.randint(0, 3, size=120)
data = (centers[labels] + rng.normal(size=(120, 4))).astype(np.float32)
onehot = np.eye(3, dtype=np.float32)[labels]

x = tf.placeholder(tf.float32, [None, 4], name="x")
y_ = tf.placeholder(tf.float32, [None, 3], name="y_")
W = tf.Variable(tf.zeros([4, 3]))
b = tf.Variable(tf.zeros([3]))
y = tf.nn.softmax(tf.matmul(x, W) + b)
cross_entropy = tf.reduce_mean(-tf.reduce_sum(y_ * tf.log(y + 1e-10), reduction_indices=[1]))
train_step = tf.train.GradientDescentOptimizer(0.5).minimize(cross_entropy)
correct = tf.equal(tf.argmax(y, 1), tf.argmax(y_, 1))
accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
logits = tf.matmul(x, W) + b
ce2 = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y_, logits=logits))

sess = tf.InteractiveSession()
tf.global_variables_initializer().run()
for i in range(30):
    lo = (i * 40) % 120
    sess.run(train_step, feed_dict={x: data[lo:lo + 40], y_: onehot[lo:lo + 40]})
    if i % 10 == 9:
        acc, ce, c2 = sess.run([accuracy, cross_entropy, ce2], feed_dict={x: data, y_: onehot})
        print("step %d accuracy %.4f xent %.5f xent2 %.5f" % (i, acc, ce, c2))
print("accuracy via eval %.4f" % accuracy.eval(feed_dict={"x:0": data, "y_:0": onehot}))
print("W row sums", np.round(sess.run(tf.reduce_sum(W, axis=1)), 4))
print("b", np.round(b.eval(), 4))
sess.close()
