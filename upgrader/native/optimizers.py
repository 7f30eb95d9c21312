"""TF1 optimizers and the Keras optimizers that compute the same numbers (data for rules/native_minimize.py)."""
from __future__ import annotations

# TF1 optimizer -> (Keras class, {TF1 argument: Keras argument}, TF1 defaults Keras lacks, warning or None)
OPTIMIZERS: dict[str, tuple[str, dict[str, str], dict[str, str], str | None]] = {
    "GradientDescentOptimizer": ("SGD", {"learning_rate": "learning_rate"}, {}, None),
    "AdamOptimizer": ("Adam", {"learning_rate": "learning_rate", "beta1": "beta_1", "beta2": "beta_2",
                               "epsilon": "epsilon"}, {"learning_rate": "0.001", "epsilon": "1e-8"}, None),
    "MomentumOptimizer": ("SGD", {"learning_rate": "learning_rate", "momentum": "momentum",
                                  "use_nesterov": "nesterov"}, {}, "MomentumOptimizer keeps accum = m*accum + g and "
                          "steps lr*accum; Keras SGD(momentum=) folds lr into the velocity, so results differ once "
                          "the learning rate changes"),
    "RMSPropOptimizer": ("RMSprop", {"learning_rate": "learning_rate", "decay": "rho", "momentum": "momentum",
                                     "epsilon": "epsilon", "centered": "centered"}, {"epsilon": "1e-10"},
                         "RMSPropOptimizer starts its accumulator at ones, Keras RMSprop at zeros; early steps differ"),
    "AdagradOptimizer": ("Adagrad", {"learning_rate": "learning_rate",
                                     "initial_accumulator_value": "initial_accumulator_value"},
                         {"initial_accumulator_value": "0.1", "epsilon": "0.0"}, None),
}
POSITIONAL = {"GradientDescentOptimizer": ("learning_rate",), "AdamOptimizer": ("learning_rate", "beta1", "beta2", "epsilon"),
              "MomentumOptimizer": ("learning_rate", "momentum"), "RMSPropOptimizer": ("learning_rate", "decay", "momentum", "epsilon"),
              "AdagradOptimizer": ("learning_rate", "initial_accumulator_value")}
