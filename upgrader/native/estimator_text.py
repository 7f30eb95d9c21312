"""The TF2 class a converted Estimator program gets once: what `tf.estimator.Estimator` did, written out.

    est = tf.estimator.Estimator(model_fn, model_dir, config, params)
    ->  est = Estimator(ModelFn, model_dir, config, params)    # ModelFn: rules/native_estimator.py

It keeps the Estimator's method names and results (`train`, `evaluate` with `loss` as the mean of
the batch losses and `global_step`, `predict` as a generator, `get_variable_value`...), so the
calls that drive it stay as the user wrote them. `{name}` is the class's name in the file.
"""
from __future__ import annotations

ESTIMATOR = '''
class {name}:
    """What tf.estimator.Estimator did, in TF2: a GradientTape train step, Keras metrics, checkpoints in model_dir.

    model_fn(params) builds the model, a tf.Module called with (features, labels, mode), mode "train", "eval" or
    "infer": it returns predictions in "infer" mode and otherwise (loss, {{metric: update_state arguments}}), and the
    tensors train hooks name ({{graph name: tensor}}) when there are some.
    Checkpoints are TF2 object-based ones (tf.train.CheckpointManager), written when train() starts and ends and
    every save_checkpoints_steps in between; without a model_dir nothing is written.
    """

    def __init__(self, model_fn, model_dir=None, config=None, params=None, warm_start_from=None):
        config = config or {{}}
        self.warm_start_from = warm_start_from
        if config.get("tf_random_seed") is not None:
            {tf}.random.set_seed(config["tf_random_seed"])
        self.model, self.params = model_fn(params), params
        self.model_dir = model_dir or config.get("model_dir")
        self.optimizer, self.metrics = self.model.optimizer(), self.model.metrics()
        self.metrics["loss"] = {tf}.keras.metrics.Mean()
        self.save_steps = config.get("save_checkpoints_steps")
        self.global_step = {tf}.Variable(0, dtype={tf}.int64, trainable=False, name="global_step")
        self.manager = None
        if self.model_dir:
            checkpoint = {tf}.train.Checkpoint(model=self.model, optimizer=self.optimizer, global_step=self.global_step)
            self.manager = {tf}.train.CheckpointManager(checkpoint, self.model_dir, config.get("keep_checkpoint_max", 5),
                                                      checkpoint_name="model.ckpt")
            checkpoint.restore(self.manager.latest_checkpoint)

    @{tf}.function
    def train_step(self, features, labels, fetches=()):
        """One training step; also returns the model_fn tensors named in `fetches` (what the hooks asked for)."""
        with {tf}.GradientTape() as tape:
            loss, _, *named = self.model(features, labels, "train")
        variables = self.model.trainable_variables
        # NOTE: an embedding's gradient (IndexedSlices) made dense: TF1's optimizers summed the rows of repeated ids
        # before updating (Adagrad's accumulator adds the square of that sum); Keras's add each row's square
        gradients = [g if g is None else {tf}.convert_to_tensor(g) for g in tape.gradient(loss, variables)]
        self.optimizer.apply_gradients(zip(gradients, variables))
        self.global_step.assign_add(1)
        return loss, {{name: named[0][name] for name in fetches}}

    @{tf}.function
    def eval_step(self, features, labels):
        loss, updates, *_ = self.model(features, labels, "eval")
        self.metrics["loss"].update_state(loss)
        for name, arguments in updates.items():
            self.metrics[name].update_state(*arguments)

    def dataset(self, input_fn):
        """input_fn's dataset: a tf.data.Dataset, or a function returning one (given params if it takes them)."""
        if isinstance(input_fn, {tf}.data.Dataset):
            return input_fn
        return input_fn(self.params) if "params" in inspect.signature(input_fn).parameters else input_fn()

    def save(self):
        """A checkpoint of this step in model_dir (once); returns the step."""
        step = int(self.global_step.numpy())
        if self.manager is not None and not (self.manager.latest_checkpoint or "").endswith("-%d" % step):
            self.manager.save(checkpoint_number=step)
        return step

    def train(self, input_fn, steps=None, max_steps=None, hooks=None):
        """hooks: SessionRunHooks, called around each step: begin(estimator) once; before_run(estimator) returns what
        to fetch (model_fn tensor names, variables: read after the step) and after_run(estimator, values) gets it;
        end(estimator) when training ends. A hook stops training with estimator.request_stop()."""
        if max_steps is not None:
            steps = max_steps - int(self.global_step.numpy())
            if steps <= 0:
                return self
        if self.warm_start_from is not None:   # NOTE: as TF, only a training that starts without a checkpoint
            if self.latest_checkpoint() is None:
                self.warm_start(self.warm_start_from)
            self.warm_start_from = None
        given = list(hooks or [])
        hooks = given + (self.model.training_hooks() if hasattr(self.model, "training_hooks") else [])
        saves = not any(getattr(hook, "saves_checkpoints", False) for hook in hooks)   # NOTE: else a hook saves
        for hook in hooks:
            hook.begin(self)
        if saves:   # NOTE: as TF's CheckpointSaverHook: once training starts, then every save_steps counted from there
            saved = self.save()
        self.stop_requested = False
        for features, labels in self.dataset(input_fn).take(-1 if steps is None else steps):
            requests = [hook.before_run(self) for hook in hooks]
            names = sorted({{f for r in requests for f in {tf}.nest.flatten(r) if isinstance(f, str)}})
            loss, named = self.train_step(features, labels, tuple(names))
            if saves and self.save_steps and int(self.global_step.numpy()) >= saved + self.save_steps:
                saved = self.save()
            self.after_run(given, requests, named)
            if {tf}.math.is_nan(loss):   # NOTE: TF's Estimator ran its own NanTensorHook(loss) after the hooks given here
                {tf}.get_logger().error("Model diverged with loss = NaN.")
                raise RuntimeError("NaN loss during training.")
            self.after_run(hooks[len(given):], requests[len(given):], named)
            if self.stop_requested:
                break
        if saves:
            self.save()
        for hook in hooks:
            hook.end(self)
        return self

    def after_run(self, hooks, requests, named):
        """Each hook's after_run, given what its before_run asked for: model_fn tensors by name, variables' values."""
        for hook, request in zip(hooks, requests):
            hook.after_run(self, None if request is None else {tf}.nest.map_structure(
                lambda f: {tf}.nest.map_structure(lambda t: t.numpy(), named[f] if isinstance(f, str) else f), request))

    def request_stop(self):
        """What run_context.request_stop() did: training stops after this step's hooks."""
        self.stop_requested = True

    def warm_start(self, path):
        """warm_start_from: the model's trainable variables from the checkpoint `path` (or a directory's newest): by TF1
        name from a TF1 checkpoint, by the model's attributes from a converted Estimator's (object-based) one."""
        reader = {tf}.train.load_checkpoint(path)
        if reader.has_tensor("_CHECKPOINTABLE_OBJECT_GRAPH"):
            path = {tf}.train.latest_checkpoint(path) or path
            {tf}.train.Checkpoint(model=self.model).read(path).expect_partial().assert_existing_objects_matched()
            return
        for variable in self.model.trainable_variables:
            name = getattr(variable, "path", variable.name).split(":")[0]
            if not reader.has_tensor(name):
                raise ValueError("warm_start_from: %s has no tensor %r for the model's variable" % (path, name))
            variable.assign(reader.get_tensor(name))

    def evaluate(self, input_fn, steps=None, name=None):
        for metric in self.metrics.values():
            metric.reset_state()
        for features, labels in self.dataset(input_fn).take(-1 if steps is None else steps):
            self.eval_step(features, labels)
        values = {{key: metric.result().numpy() for key, metric in self.metrics.items()}}
        return dict(sorted(values.items()), global_step=int(self.global_step.numpy()))

    def train_and_evaluate(self, train_spec, eval_spec):
        """tf.estimator.train_and_evaluate in one process: train to max_steps, then the last evaluation and no exports."""
        self.train(train_spec["input_fn"], max_steps=train_spec.get("max_steps"), hooks=train_spec.get("hooks"))
        return self.evaluate(eval_spec["input_fn"], steps=eval_spec.get("steps", 100), name=eval_spec.get("name")), []

    def predict(self, input_fn, predict_keys=None, yield_single_examples=True):
        for features in self.dataset(input_fn):
            if isinstance(features, tuple):   # (features, labels): labels are not used
                features = features[0]
            predictions = self.model(features, None, "infer")
            if not isinstance(predictions, dict):
                yield from (predictions.numpy() if yield_single_examples else [predictions.numpy()])
                continue
            batch = {{k: v.numpy() for k, v in predictions.items() if predict_keys is None or k in predict_keys}}
            if not yield_single_examples:
                yield batch
                continue
            for i in range(len(next(iter(batch.values())))):
                yield {{k: v[i] for k, v in batch.items()}}

    def variables(self):
        """The model's variables and global_step by name, a Keras layer's by path: 'dense/kernel' (no optimizer slots)."""
        return {{getattr(v, "path", v.name).split(":")[0]: v for v in list(self.model.variables) + [self.global_step]}}

    def get_variable_names(self):
        return sorted(self.variables())

    def get_variable_value(self, name):
        return self.variables()[name].numpy()

    def latest_checkpoint(self):
        return None if self.manager is None else self.manager.latest_checkpoint
'''
