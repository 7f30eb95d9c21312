"""The TF2 hook classes a converted Estimator program gets (estimator_hooks.py decides when): `{tf}` is the module's name.

    class CountSteps(tf.train.SessionRunHook): ...     ->  class CountSteps(SessionRunHook): ...
    tf.train.LoggingTensorHook({"loss": "loss"}, 10)   ->  LoggingTensorHook({"loss": "loss"}, 10)

Estimator.train (estimator_text.py) calls them around each train step as TF's MonitoredSession called its
hooks: before_run says what to fetch with the step (names of model_fn tensors, variables) and after_run gets
those values, computed by that same step; a hook that asks for nothing gets None.
"""
from __future__ import annotations

HOOK_CLASSES = '''
class SessionRunHook:
    """What tf.train.SessionRunHook was, for the converted Estimator's training loop: begin(estimator) once,
    before_run(estimator) -> what to fetch with the step (model_fn tensor names, variables; None: nothing),
    after_run(estimator, the values fetched, computed by that step), end(estimator) when training ends."""

    def begin(self, estimator):
        pass

    def before_run(self, estimator):
        return None

    def after_run(self, estimator, run_values):
        pass

    def end(self, estimator):
        pass


class LoggingTensorHook(SessionRunHook):
    """tf.train.LoggingTensorHook for the converted Estimator: logs the model_fn tensors it names (tf.get_logger() at
    INFO, or formatter(values)) every_n_iter train steps or every_n_secs seconds, from each train call's first step.
    metrics: {{tag: Keras metric}} for a tf.metrics update op (the tensor named is its update_state arguments): it is
    updated on the steps that log, as TF ran the update op only when the hook fetched it."""

    def __init__(self, tensors, every_n_iter=None, every_n_secs=None, at_end=False, formatter=None, metrics=None):
        if (every_n_iter is None) == (every_n_secs is None):
            raise ValueError("exactly one of every_n_iter and every_n_secs must be provided.")
        if every_n_iter is not None and every_n_iter <= 0:
            raise ValueError("invalid every_n_iter=%s." % every_n_iter)
        self.tags = sorted(tensors) if isinstance(tensors, dict) else list(tensors)
        self.names = {{tag: (tensors[tag] if isinstance(tensors, dict) else tag).split(":")[0] for tag in self.tags}}
        self.every_n_iter, self.every_n_secs, self.formatter = every_n_iter, every_n_secs, formatter
        self.metrics = metrics or {{}}

    def begin(self, estimator):
        self.iteration, self.last_iteration, self.last_time = 0, None, None

    def before_run(self, estimator):
        due = self.last_iteration is None or (self.every_n_iter is not None and
                                              self.iteration >= self.last_iteration + self.every_n_iter) or \\
            (self.every_n_secs is not None and self.iteration != self.last_iteration and
             time.time() >= self.last_time + self.every_n_secs)
        return dict(self.names) if due else None

    def after_run(self, estimator, run_values):
        if run_values is not None:
            for tag, metric in self.metrics.items():
                metric.update_state(*run_values[tag])
                run_values[tag] = metric.result().numpy()
            now = time.time()
            elapsed = None if self.last_time is None else now - self.last_time
            self.last_iteration, self.last_time = self.iteration, now
            with numpy.printoptions(suppress=True):
                if self.formatter:
                    {tf}.get_logger().info(self.formatter(run_values))
                else:
                    stats = ", ".join("%s = %s" % (tag, run_values[tag]) for tag in self.tags)
                    {tf}.get_logger().info("%s (%.3f sec)" % (stats, elapsed) if elapsed is not None else stats)
        self.iteration += 1


class StopAtStepHook(SessionRunHook):
    """tf.train.StopAtStepHook for the converted Estimator: training stops once global_step reaches last_step
    (num_steps: that many steps after the first train call it is given to)."""

    def __init__(self, num_steps=None, last_step=None):
        if (num_steps is None) == (last_step is None):
            raise ValueError("exactly one of num_steps and last_step must be specified.")
        self.num_steps, self.last_step = num_steps, last_step

    def begin(self, estimator):
        if self.last_step is None:
            self.last_step = int(estimator.global_step.numpy()) + self.num_steps

    def after_run(self, estimator, run_values):
        if int(estimator.global_step.numpy()) >= self.last_step:
            estimator.request_stop()


class NanTensorHook(SessionRunHook):
    """tf.train.NanTensorHook for the converted Estimator: a NaN loss (the model_fn tensor it names) after a step
    raises RuntimeError("NaN loss during training."), or with fail_on_nan_loss=False stops training."""

    def __init__(self, loss_tensor, fail_on_nan_loss=True):
        self.loss_tensor, self.fail_on_nan_loss = loss_tensor, fail_on_nan_loss

    def before_run(self, estimator):
        return self.loss_tensor

    def after_run(self, estimator, run_values):
        if numpy.isnan(run_values):
            if self.fail_on_nan_loss:
                {tf}.get_logger().error("Model diverged with loss = NaN.")
                raise RuntimeError("NaN loss during training.")
            {tf}.get_logger().warning("Model diverged with loss = NaN.")
            estimator.request_stop()


class CheckpointSaverHook(SessionRunHook):
    """tf.train.CheckpointSaverHook for the converted Estimator: TF2 checkpoints of the model in checkpoint_dir (through
    the Estimator's CheckpointManager when that is its model_dir) when training starts, every save_steps steps counted
    from there or save_secs seconds, and when it ends; the Estimator then saves nothing itself, as TF's did."""

    saves_checkpoints = True

    def __init__(self, checkpoint_dir, save_secs=None, save_steps=None, checkpoint_basename="model.ckpt"):
        if (save_secs is None) == (save_steps is None):
            raise ValueError("exactly one of save_secs or save_steps must be provided.")
        self.checkpoint_dir, self.save_secs, self.save_steps = checkpoint_dir, save_secs, save_steps
        self.checkpoint_basename = checkpoint_basename

    def begin(self, estimator):
        self.manager = estimator.manager
        if estimator.manager is None or str(self.checkpoint_dir).rstrip("/") != str(estimator.model_dir).rstrip("/") \
                or self.checkpoint_basename != "model.ckpt":
            checkpoint = {tf}.train.Checkpoint(model=estimator.model, optimizer=estimator.optimizer,
                                             global_step=estimator.global_step)
            self.manager = {tf}.train.CheckpointManager(checkpoint, self.checkpoint_dir, 5,
                                                      checkpoint_name=self.checkpoint_basename)
        self.save(estimator)   # NOTE: TF saved once the session was made, before the first step

    def after_run(self, estimator, run_values):
        step = int(estimator.global_step.numpy())
        if step != self.last_step and (self.save_steps is not None and step >= self.last_step + self.save_steps or
                                       self.save_secs is not None and time.time() >= self.last_time + self.save_secs):
            self.save(estimator)

    def end(self, estimator):
        if int(estimator.global_step.numpy()) != self.last_step:
            self.save(estimator)

    def save(self, estimator):
        step = int(estimator.global_step.numpy())
        if not (self.manager.latest_checkpoint or "").endswith("-%d" % step):
            self.manager.save(checkpoint_number=step)
        self.last_step, self.last_time = step, time.time()
'''
