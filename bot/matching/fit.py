"""Fit the matcher's models on labelled questions, and measure them honestly (leave one set out).

    python -m bot.matching.fit [--shared ../shared] [--train bench/train] [--write]

Labelled sets: ``county-dev``, ``county-real`` and ``gd-dev`` of ``../shared/eval/`` and the training sets of
``bench/train/`` (over the demo hall, Guangdong and the product's own demo hall 青溪县). For each set, models
fitted on the other sets decide its questions (the figures printed); the shipped models
(``data/matcher-model.json``, with ``--write``) are fitted on all of them. Held-out sets
(``bench/heldout/``) are never read here. Fitting is deterministic: the same inputs give the same file.

Per mode: the candidate model on every candidate of every in-scope question (is it a right item?); the
answer and clarify models on every question's best candidates; the answer threshold is the lowest
probability at which the training questions answered wrongly stay within ``WRONG_MAX`` of all questions,
the clarify threshold the one that maximises right clarifications minus ``ASK_COST`` times useless ones (an
out-of-scope question clarified is useless).
"""

import argparse
import dataclasses
import json
import logging
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.matching.decision import Decision
from bot.matching.features import CANDIDATE_FEATURES, DECISION_FEATURES, MODES, Candidate, decision_values
from bot.matching.matcher import Matcher, SemanticStage
from bot.matching.model import fit_logistic
from bot.matching.normalize import normalize
from bot.matching.ranker import SHIPPED, Models, Ranker

#: Share of all questions the fitted answer threshold may answer wrongly (on the training questions).
WRONG_MAX = 0.02
#: What a numbered question that does not hold the right item costs, against 1 for one that does: the
#: citizen replies 都不是 and reaches the same person a handoff would, one message later, while a useful
#: question spares the handoff (and a clerk's time) altogether.
ASK_COST = 0.5
#: The lexical stage answers alone (no embedding) where its training answers were this precise.
FAST_PRECISION = 0.99
L2 = 1.0
#: Labelled sets under ``../shared``: (knowledge base, questions).
SHARED_SETS = {
    "county-dev": ("kb/county-hall.json", "eval/county-dev.jsonl"),
    "county-real": ("kb/county-hall.json", "eval/county-real.jsonl"),
    "gd-dev": ("kb/guangdong-2021.json", "eval/gd-dev.jsonl"),
}
#: Training sets under ``bench/train``: questions file → knowledge base (``shared:`` = under ../shared).
TRAIN_SETS = {
    "county-train": "shared:kb/county-hall.json",
    "gd-train": "shared:kb/guangdong-2021.json",
    "qingxi-train": "demo",
}


def labelled_sets(shared: Path, train: Path) -> dict[str, tuple[Path, Path]]:
    """Every labelled set that exists: name → (knowledge base, questions)."""
    from knowledge.storage import DEMO_PATH

    sets = {name: (shared / kb, shared / path) for name, (kb, path) in SHARED_SETS.items()}
    for name, kb in TRAIN_SETS.items():
        kb_path = DEMO_PATH if kb == "demo" else shared / kb.removeprefix("shared:")
        sets[name] = (kb_path, train / f"{name}.jsonl")
    return {name: paths for name, paths in sets.items() if paths[0].exists() and paths[1].exists()}


log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Example:
    """One labelled question."""

    set: str
    kb: str
    id: str
    question: str
    context: tuple[str, ...]
    gold: frozenset[str]
    field: str | None


def load_examples(sets: Mapping[str, tuple[Path, Path]]) -> list[Example]:
    """The questions of each named set (knowledge base, JSON-lines file)."""
    examples = []
    for name, (kb, path) in sets.items():
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                row = json.loads(line)
                item = row.get("item")
                gold = frozenset(item if isinstance(item, list) else [item] if item else [])
                examples.append(
                    Example(
                        name,
                        str(kb),
                        str(row["id"]),
                        row["question"],
                        tuple(row.get("context") or ()),
                        gold,
                        row.get("field"),
                    )
                )
    return examples


@dataclass(frozen=True)
class Row:
    """A question's candidates in one mode (features do not depend on the models)."""

    example: Example
    found: tuple[Candidate, ...]
    content: str
    names: Sequence[str]
    codes: Sequence[str]


def question_rows(examples: Iterable[Example], matchers: Mapping[str, Matcher], mode: str) -> list[Row]:
    """Every question's candidates in ``mode``, the question taken alone (fresh)."""
    rows = []
    for example in examples:
        matcher = matchers[example.kb]
        text = normalize(matcher.reader.read(example.question))
        content = matcher.prepare(example.question)
        found = tuple(matcher.candidates(text, content, mode))
        rows.append(Row(example, found, content, matcher.names, matcher.codes))
    return rows


def _answer_threshold(probabilities: np.ndarray, right: np.ndarray, total: int) -> float:
    for threshold in np.round(np.arange(0.20, 0.995, 0.005), 3):
        if np.sum((probabilities >= threshold) & ~right) <= WRONG_MAX * total:
            return float(threshold)
    return 0.995


def _clarify_threshold(probabilities: np.ndarray, useful: np.ndarray, answered: np.ndarray) -> float:
    best, best_gain = 0.995, 0.0
    for threshold in np.round(np.arange(0.05, 0.995, 0.01), 3):
        asked = (probabilities >= threshold) & ~answered
        gain = float(np.sum(asked & useful) - ASK_COST * np.sum(asked & ~useful))
        if gain > best_gain:
            best, best_gain = float(threshold), gain
    return best


def _fit_parts(rows: Sequence[Row], mode: str) -> Ranker:
    """The candidate, answer and clarify models of ``mode`` fitted on ``rows`` (thresholds unset)."""
    features = CANDIDATE_FEATURES[mode]
    x, y = [], []
    for row in rows:
        if row.example.gold:
            for candidate in row.found:
                x.append([candidate.values.get(f, 0.0) for f in features])
                y.append(row.codes[candidate.position] in row.example.gold)
    candidate_model = fit_logistic(np.array(x), np.array(y, dtype=float), features, l2=L2)
    stub = Ranker(mode, candidate_model, candidate_model, candidate_model, 1.0, 1.0)
    table = _decision_table(stub, rows)
    answer = fit_logistic(table.x, table.right.astype(float), DECISION_FEATURES[mode], l2=L2)
    clarify = fit_logistic(table.x, table.useful.astype(float), DECISION_FEATURES[mode], l2=L2)
    return Ranker(mode, candidate_model, answer, clarify, 1.0, 1.0)


@dataclass(frozen=True)
class _Table:
    x: np.ndarray
    right: np.ndarray  # the best candidate is a right item
    useful: np.ndarray  # a right item is among the first five


def _decision_table(ranker: Ranker, rows: Sequence[Row]) -> _Table:
    features = DECISION_FEATURES[ranker.mode]
    x, right, useful = [], [], []
    for row in rows:
        ordered, probabilities = ranker.order(row.found)
        if not ordered:
            x.append([0.0] * len(features))
            right.append(False)
            useful.append(False)
            continue
        values = decision_values(ordered, probabilities, row.names, row.content)
        x.append([values.get(f, 0.0) for f in features])
        # A question several items fit equally (公积金怎么取) is best asked back, not answered with one of
        # them: for the answer model only a single right item counts.
        right.append(len(row.example.gold) == 1 and row.codes[ordered[0].position] in row.example.gold)
        useful.append(bool(row.example.gold & {row.codes[c.position] for c in ordered[:5]}))
    return _Table(np.array(x), np.array(right, dtype=bool), np.array(useful, dtype=bool))


def fit_ranker(rows: Sequence[Row], mode: str) -> Ranker:
    """``mode``'s models fitted on ``rows``; thresholds chosen on out-of-fold probabilities: each labelled
    set judged by models fitted on the other sets, as a new hall's questions would be."""
    sets = sorted({row.example.set for row in rows})
    answer_p, clarify_p, right, useful = [], [], [], []
    for held in sets if len(sets) > 1 else []:
        inner = _fit_parts([r for r in rows if r.example.set != held], mode)
        test = [r for r in rows if r.example.set == held]
        table = _decision_table(inner, test)
        answer_p.append(inner.answer.predict_proba(table.x))
        clarify_p.append(inner.clarify.predict_proba(table.x))
        right.append(table.right)
        useful.append(table.useful)
    ranker = _fit_parts(rows, mode)
    if not answer_p:  # a single set: in-sample thresholds
        table = _decision_table(ranker, rows)
        answer_p, clarify_p = [ranker.answer.predict_proba(table.x)], [ranker.clarify.predict_proba(table.x)]
        right, useful = [table.right], [table.useful]
    pa, pc = np.concatenate(answer_p), np.concatenate(clarify_p)
    answer_at = _answer_threshold(pa, np.concatenate(right), len(pa))
    clarify_at = _clarify_threshold(pc, np.concatenate(useful), pa >= answer_at)
    return dataclasses.replace(ranker, answer_at=answer_at, clarify_at=clarify_at)


def fit_models(rows_by_mode: Mapping[str, Sequence[Row]], meta: dict[str, Any]) -> Models:
    """Rankers for every mode and the fast-path threshold, fitted on the given rows."""
    rankers = {mode: fit_ranker(rows, mode) for mode, rows in rows_by_mode.items()}
    lexical = rankers["lexical"]
    scored = []
    for row in rows_by_mode["lexical"]:
        verdict = lexical.judge(row.found, row.names, row.content)
        if verdict.ordered:
            scored.append((verdict.answer_p, row.codes[verdict.ordered[0].position] in row.example.gold))
    fast_at = 0.995
    for threshold in np.round(np.arange(0.5, 0.995, 0.005), 3):
        kept = [ok for p, ok in scored if p >= threshold]
        if kept and sum(kept) / len(kept) >= FAST_PRECISION:
            fast_at = float(threshold)
            break
    return Models(rankers=rankers, fast_at=max(fast_at, lexical.answer_at), meta=meta)


def decide(matcher: Matcher, example: Example) -> Decision:
    """What ``matcher`` decides for a labelled question, its context replayed first."""
    previous = matcher.replay(list(example.context)) if example.context else None
    return matcher.decide(example.question, previous)


def metrics(examples: Sequence[Example], decisions: Sequence[Decision]) -> dict[str, float]:
    """``../shared/eval/score.py``'s figures: top1, strict, wrong, oos, field."""
    inside = top1 = strict = wrong = outside = oos_ok = asked = field_ok = 0
    for example, decision in zip(examples, decisions, strict=True):
        if example.gold:
            inside += 1
            right = decision.action == "answer" and decision.item in example.gold
            offered = decision.action == "clarify" and bool(example.gold & set(decision.candidates[:5]))
            top1 += right or offered
            strict += right
            wrong += decision.action == "answer" and not right
            if right and example.field:
                asked += 1
                field_ok += decision.field == example.field
        else:
            outside += 1
            wrong += decision.action == "answer"
            oos_ok += decision.action != "answer"
    total = inside + outside
    return {
        "top1": top1 / max(inside, 1),
        "strict": strict / max(inside, 1),
        "wrong": wrong / max(total, 1),
        "oos": oos_ok / max(outside, 1),
        "field": field_ok / max(asked, 1),
    }


def build_matchers(
    kbs: Iterable[str], *, semantic: str = "auto", cache_dir: str | None = None
) -> dict[str, Matcher]:
    """A matcher per knowledge-base file, with the semantic stage when the model loads."""
    from bot.matching.embedding import load
    from bot.matching.semantic import MemoryVectorCache, SemanticIndex, VectorCache
    from knowledge.schema import load_kb

    loaded = load(semantic)
    cache: VectorCache = MemoryVectorCache()
    if cache_dir:
        from bot.matching.vectorcache import LmdbVectorCache

        cache = LmdbVectorCache(cache_dir)
    matchers = {}
    for kb in dict.fromkeys(kbs):
        items = load_kb(kb).items
        matcher = Matcher.build(items)
        if loaded.embedder is not None:
            index = SemanticIndex.build(items, loaded.embedder, cache)
            assert index is not None
            matcher = matcher.with_semantic(SemanticStage(index, loaded.embedder))
        matchers[kb] = matcher
    return matchers


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", default="../shared", help="folder with kb/ and eval/")
    parser.add_argument("--train", default="bench/train", help="folder of the training sets")
    parser.add_argument("--vectors", default="instance/vectors", help="passage vector cache folder")
    parser.add_argument("--write", action="store_true", help=f"write {SHIPPED}")
    args = parser.parse_args(argv)
    sets = labelled_sets(Path(args.shared), Path(args.train))
    examples = load_examples(sets)
    matchers = build_matchers([e.kb for e in examples], cache_dir=args.vectors)
    rows = {mode: question_rows(examples, matchers, mode) for mode in MODES}
    for held in sets:
        train = {mode: [r for r in rs if r.example.set != held] for mode, rs in rows.items()}
        models = fit_models(train, {})
        test = [e for e in examples if e.set == held]
        for mode in ("auto", *MODES):
            figures = metrics(test, [decide(m, e) for e, m in with_models(matchers, models, mode, test)])
            print(f"{held:12s} {mode:9s} " + " ".join(f"{k} {v:.3f}" for k, v in figures.items()), flush=True)
    meta = {"fitted_on": list(sets), "questions": len(examples), "wrong_max": WRONG_MAX, "l2": L2}
    models = fit_models(rows, meta)
    if args.write:
        models.save(SHIPPED)
        print(f"wrote {SHIPPED}")
    return 0


def with_models(
    matchers: Mapping[str, Matcher], models: Models, mode: str, examples: Sequence[Example]
) -> list[tuple[Example, Matcher]]:
    """Each example with its knowledge base's matcher deciding in ``mode`` with ``models``."""
    adjusted = {kb: m.with_models(models).in_mode(mode) for kb, m in matchers.items()}
    return [(e, adjusted[e.kb]) for e in examples]


def shipped_models() -> Models:
    """The models guidebot ships (``data/matcher-model.json``)."""
    from bot.matching.ranker import shipped

    return shipped()


def as_decision(line: Mapping[str, Any]) -> Decision:
    """A ``guidebot match`` output line (a baseline's prediction) as a Decision."""
    return Decision(
        line.get("action") or "handoff",
        item=line.get("item"),
        candidates=tuple(line.get("candidates") or ()),
        field=line.get("field"),
    )


def misses(name: str, examples: Sequence[Example], decisions: Sequence[Decision]) -> list[dict[str, Any]]:
    """The questions not answered with the right item and field, for reading."""
    out = []
    for example, decision in zip(examples, decisions, strict=True):
        right = decision.action == "answer" and decision.item in example.gold
        if not example.gold and decision.action != "answer":
            continue
        if right and decision.field == example.field:
            continue
        out.append(
            {
                "set": name,
                "id": example.id,
                "question": example.question,
                "context": list(example.context),
                "gold": sorted(example.gold),
                "field": example.field,
                "decision": decision.as_json(example.id),
            }
        )
    return out


if __name__ == "__main__":
    sys.exit(main())
