"""bot.matching.model: the logistic regression is deterministic, calibrated on simple data, and readable."""

import numpy as np

from bot.matching.model import LogisticModel, fit_logistic


def _data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2000, 2))
    p = 1 / (1 + np.exp(-(2.0 * x[:, 0] - 1.0 * x[:, 1] + 0.5)))
    return x, (rng.random(2000) < p).astype(float)


def test_fit_recovers_the_true_weights():
    x, y = _data()
    model = fit_logistic(x, y, ("a", "b"), l2=0.01)
    weights = np.array(model.weights) / np.array(model.scale)  # back to raw units
    assert abs(weights[0] - 2.0) < 0.25 and abs(weights[1] + 1.0) < 0.2


def test_refitting_reproduces_the_model_exactly():
    x, y = _data()
    assert fit_logistic(x, y, ("a", "b")).as_json() == fit_logistic(x, y, ("a", "b")).as_json()


def test_json_round_trip_and_explain():
    x, y = _data(1)
    model = fit_logistic(x, y, ("a", "b"))
    again = LogisticModel.from_json(model.as_json())
    row = {"a": 1.0, "b": -1.0}
    assert abs(again.probability(row) - model.probability(row)) < 1e-5
    explained = model.explain(row)
    assert [name for name, _, _ in explained][0] == "a"  # the larger contribution first
    assert model.probability({"a": 3.0, "b": -3.0}) > 0.99 > 0.01 > model.probability({"a": -3.0, "b": 3.0})
