"""A small logistic regression, fitted and read back as plain data: the matcher's learned parts.

``fit_logistic`` is L2-regularised Newton's method (IRLS) on standardised features: deterministic, so
re-fitting the same rows reproduces the shipped file exactly. ``LogisticModel`` is what ships: feature
names, the standardisation, weights and bias, printable by a person (``explain``).
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class LogisticModel:
    """P(y = 1 | x) = sigmoid(bias + Σ weight · (x − mean) / scale), over named features."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    def vector(self, values: Mapping[str, float]) -> np.ndarray:
        """The feature vector of one row given by name (a missing feature is 0)."""
        return np.array([float(values.get(name, 0.0)) for name in self.features], dtype=np.float64)

    def probability(self, values: Mapping[str, float]) -> float:
        """P(y = 1) for one row given by name."""
        return float(self.predict_proba(self.vector(values)[None, :])[0])

    def predict_proba(self, rows: np.ndarray) -> np.ndarray:
        """P(y = 1) for each row of a (n, features) array."""
        z = (rows - np.asarray(self.mean)) / np.asarray(self.scale)
        logits = z @ np.asarray(self.weights) + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))  # type: ignore[no-any-return]

    def explain(self, values: Mapping[str, float]) -> list[tuple[str, float, float]]:
        """(feature, value, contribution to the logit) for one row, largest contribution first."""
        parts = []
        for name, mean, scale, weight in zip(self.features, self.mean, self.scale, self.weights, strict=True):
            value = float(values.get(name, 0.0))
            parts.append((name, value, weight * (value - mean) / scale))
        return sorted(parts, key=lambda part: -abs(part[2]))

    def as_json(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "mean": [round(v, 6) for v in self.mean],
            "scale": [round(v, 6) for v in self.scale],
            "weights": [round(v, 6) for v in self.weights],
            "bias": round(self.bias, 6),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "LogisticModel":
        return cls(
            features=tuple(data["features"]),
            mean=tuple(float(v) for v in data["mean"]),
            scale=tuple(float(v) for v in data["scale"]),
            weights=tuple(float(v) for v in data["weights"]),
            bias=float(data["bias"]),
        )


def fit_logistic(
    rows: np.ndarray,
    labels: np.ndarray,
    features: Sequence[str],
    *,
    l2: float = 1.0,
    iterations: int = 50,
    sample_weight: np.ndarray | None = None,
) -> LogisticModel:
    """Fit on a (n, features) array and 0/1 labels; ``l2`` penalises weights (not the bias)."""
    x = np.asarray(rows, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    w_rows = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    beta = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ beta, -30, 30)))
        gradient = z.T @ (w_rows * (p - y)) + penalty * beta
        hessian = (z * (w_rows * p * (1 - p))[:, None]).T @ z + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if math.sqrt(float(step @ step)) < 1e-10:
            break
    return LogisticModel(
        features=tuple(features),
        mean=tuple(float(v) for v in mean),
        scale=tuple(float(v) for v in scale),
        weights=tuple(float(v) for v in beta[:-1]),
        bias=float(beta[-1]),
    )
