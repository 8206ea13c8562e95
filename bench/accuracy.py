"""Accuracy of the matcher on the shared evaluation files, beside two baselines run in the same run.

usage: python bench/accuracy.py [--shared ../shared] [--misses FILE]

Metrics are those of ``../shared/eval/score.py`` (re-implemented identically in ``score`` below; the figures
were cross-checked against score.py running ``guidebot match --kb``):
  top1   right answer, or a clarification offering the right item among its first five candidates (in-scope)
  strict right answer (in-scope)
  wrong  answered with a wrong item, over all questions (out-of-scope answered counts)
  oos    out-of-scope questions not answered
  field  right field, over in-scope questions answered with the right item that carry a field label
Baselines (no normalisation, no follow-up handling):
  wratio rapidfuzz fuzz.WRatio of the question against item names and aliases; answer the best if ≥ 60
  bm25   rank-bm25 BM25Okapi over jieba tokens of name + aliases + department; answer the best if score > 0
"""

import argparse
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SETS = (
    ("county-dev", "county-hall.json", "county-dev.jsonl"),
    ("county-real", "county-hall.json", "county-real.jsonl"),
    ("gd-dev", "guangdong-2021.json", "gd-dev.jsonl"),
)

Predict = Callable[[dict[str, Any]], dict[str, Any]]


def load_questions(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def score(gold: Sequence[dict[str, Any]], preds: dict[str, dict[str, Any]]) -> dict[str, float]:
    """score.py's metrics for predictions keyed by question id."""
    ins = [g for g in gold if g.get("item")]
    oos = [g for g in gold if not g.get("item")]
    top1 = strict = wrong = oos_ok = fld_n = fld_ok = 0
    for g in gold:
        d = preds.get(str(g["id"]), {"action": "MISSING"})
        act, item, cands = d.get("action"), d.get("item"), d.get("candidates") or []
        if g.get("item"):
            good = set(g["item"]) if isinstance(g["item"], list) else {g["item"]}
            right = act == "answer" and item in good
            top1 += right or (act == "clarify" and bool(good & set(cands[:5])))
            strict += right
            wrong += act == "answer" and not right
            if right and g.get("field"):
                fld_n += 1
                fld_ok += d.get("field") == g["field"]
        elif act == "answer":
            wrong += 1
        else:
            oos_ok += 1
    return {
        "top1": top1 / max(1, len(ins)),
        "strict": strict / max(1, len(ins)),
        "wrong": wrong / max(1, len(gold)),
        "oos": oos_ok / max(1, len(oos)),
        "field": fld_ok / max(1, fld_n),
    }


def guidebot_predictor(items: Sequence[Any]) -> Predict:
    """The product: Matcher.decide with the context replayed."""
    from bot.matching.matcher import Matcher

    matcher = Matcher.build(items)

    def predict(question: dict[str, Any]) -> dict[str, Any]:
        context = question.get("context") or []
        previous = matcher.replay(context) if context else None
        return matcher.decide(question["question"], previous).as_json(question["id"])

    return predict


def run(
    predict: Predict, gold: Sequence[dict[str, Any]]
) -> tuple[dict[str, float], dict[str, dict[str, Any]]]:
    preds = {str(g["id"]): predict(g) for g in gold}
    return score(gold, preds), preds


def main() -> None:
    from bench.baselines import bm25_predictor, wratio_predictor
    from knowledge.schema import load_kb

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--misses", type=Path, help="write guidebot's misses here (JSON lines)")
    args = parser.parse_args()
    misses = []
    print(
        f"{'set':<12} {'matcher':<9} {'top1':>6} {'strict':>6} {'wrong':>6} {'oos':>6} {'field':>6} "
        f"{'secs':>6}"
    )
    for name, kb_file, questions_file in SETS:
        kb = load_kb(args.shared / "kb" / kb_file)
        gold = load_questions(args.shared / "eval" / questions_file)
        for label, factory in (
            ("guidebot", guidebot_predictor),
            ("wratio", wratio_predictor),
            ("bm25", bm25_predictor),
        ):
            started = time.perf_counter()
            figures, preds = run(factory(kb.items), gold)
            seconds = time.perf_counter() - started
            print(
                f"{name:<12} {label:<9} {figures['top1']:6.3f} {figures['strict']:6.3f} "
                f"{figures['wrong']:6.3f} "
                f"{figures['oos']:6.3f} {figures['field']:6.3f} {seconds:6.2f}"
            )
            if label == "guidebot":
                for g in gold:
                    d = preds[str(g["id"])]
                    good = g["item"] if isinstance(g["item"], list) else [g["item"]]
                    if d["action"] != "answer" or d["item"] not in good or d["field"] != g.get("field"):
                        misses.append({"set": name, "gold": g, "pred": d})
    if args.misses:
        with open(args.misses, "w", encoding="utf-8") as handle:
            for miss in misses:
                handle.write(json.dumps(miss, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(ROOT))
    main()
