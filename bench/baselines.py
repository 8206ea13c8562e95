"""The two reference matchers of ../shared/eval/README.md, for bench/accuracy.py.

Neither normalises text nor uses the conversation context: they show what plain fuzzy matching and plain
BM25 retrieval do on the same questions.
"""

from collections.abc import Callable, Sequence
from typing import Any

Predict = Callable[[dict[str, Any]], dict[str, Any]]

WRATIO_CUTOFF = 60.0


def _answer(question: dict[str, Any], code: str | None, score: float) -> dict[str, Any]:
    action = "answer" if code else "handoff"
    return {
        "id": question["id"],
        "action": action,
        "item": code,
        "candidates": [],
        "field": None,
        "score": score,
    }


def wratio_predictor(items: Sequence[Any]) -> Predict:
    """rapidfuzz WRatio of the question against every name and alias; answer the best if ≥ 60."""
    from rapidfuzz import fuzz, process

    choices: list[str] = []
    owners: list[str] = []
    for item in items:
        for text in [item.name, *(item.aliases or [])]:
            choices.append(text)
            owners.append(item.code)

    def predict(question: dict[str, Any]) -> dict[str, Any]:
        best = process.extractOne(question["question"], choices, scorer=fuzz.WRatio)
        if best is None or best[1] < WRATIO_CUTOFF:
            return _answer(question, None, best[1] if best else 0.0)
        return _answer(question, owners[best[2]], best[1])

    return predict


def bm25_predictor(items: Sequence[Any]) -> Predict:
    """BM25Okapi over jieba tokens of name + aliases + department; answer the best when it scores > 0."""
    import jieba
    from rank_bm25 import BM25Okapi

    def tokenize(text: str) -> list[str]:
        return [t for t in jieba.lcut(text) if t.strip()]

    corpus = [tokenize(" ".join([item.name, *(item.aliases or []), item.department])) for item in items]
    bm25 = BM25Okapi(corpus)
    codes = [item.code for item in items]

    def predict(question: dict[str, Any]) -> dict[str, Any]:
        scores = bm25.get_scores(tokenize(question["question"]))
        best = int(scores.argmax())
        if scores[best] <= 0:
            return _answer(question, None, 0.0)
        return _answer(question, codes[best], float(scores[best]))

    return predict
