"""Matcher speed on guangdong-2021 (2,262 items) and on a 10× synthetic expansion of it.

usage: python bench/match_speed.py [--shared ../shared] [--factor 10] [--vectors DIR] [--cold]

Prints index build time (lexical, then the semantic stage from the passage vector cache), per-question latency
p50/p99 of ``Matcher.decide`` as shipped (the lexical stage, the semantic stage when it is not sure; every
cache cleared before each question, so each is measured uncached), the share of questions that needed the
semantic stage, and resident memory (RSS, PSS). ``--cold`` also times embedding the 1× passages into an
empty cache (what a first start costs). The 10× "distinct" expansion has 22,620 new passage texts, about a
quarter of an hour of embedding on one core: it is measured lexically only.
The expansion clones every item ``factor`` times with a different city on the department (广州市/深圳市/…),
so names repeat across departments as they do in real provincial catalogues (the issue's 10× case); the
"distinct" row also puts the city in front of every name and alias, so no phrase is shared (no target).
Questions: every question of gd-dev.jsonl plus a templated question per sampled item.
Targets (issue 3): p99 ≤ 10 ms (1×), ≤ 50 ms (10×); build ≤ 3 s and RSS ≤ 200 MB at 10×.
"""

import argparse
import gc
import json
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CITIES = ("广州", "深圳", "珠海", "汕头", "佛山", "韶关", "湛江", "肇庆", "江门", "茂名", "惠州", "梅州")
TEMPLATES = ("{name}要带什么材料", "{name}多久能办好", "请问{name}在哪里办", "{alias}怎么办", "{name}收费吗")


def expand(items: list, factor: int, *, distinct: bool = False) -> list:
    """``factor`` copies of every item; copies after the first get a city's department and code, and with
    ``distinct`` also the city in front of the name and aliases (so no phrase is shared)."""
    expanded = list(items)
    for copy in range(1, factor):
        city = CITIES[copy % len(CITIES)]
        for item in items:
            department = (
                item.department.replace("广东省", f"{city}市")
                if "广东省" in item.department
                else f"{city}市{item.department}"
            )
            update = {"code": f"{item.code}-{copy}", "department": department}
            if distinct:
                update["name"] = city + item.name
                update["aliases"] = [city + alias for alias in item.aliases] if item.aliases else None
            expanded.append(item.model_copy(update=update))
    return expanded


def rss_mb() -> float:
    """Current resident set size in MB (Linux /proc, else peak RSS)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def questions(items: list, gold_path: Path, count: int = 400) -> list[str]:
    rng = random.Random(7)
    texts = [
        json.loads(line)["question"] for line in gold_path.read_text(encoding="utf-8").splitlines() if line
    ]
    for item in rng.sample(items, min(count, len(items))):
        alias = (item.aliases or [item.name])[0]
        texts.append(rng.choice(TEMPLATES).format(name=item.name, alias=alias))
    return texts


def _clear_caches() -> None:
    from bot.matching import normalize, segment, synonyms

    normalize.normalize.cache_clear()
    segment.content_words.cache_clear()
    synonyms._char_pinyin.cache_clear()


def latency(matcher, texts: list[str]) -> tuple[float, float, float, float]:
    """p50, p99 and max milliseconds per question, and the share that reached the semantic stage."""
    from bot.matching import normalize, segment

    timings = []
    embedded = 0
    for text in texts:
        normalize.normalize.cache_clear()  # measure normalisation too, not a cache hit
        segment.content_words.cache_clear()
        for cache in (
            matcher._prepare,
            matcher._rank,
            matcher._surface,
            matcher._read,
            matcher._query,
            matcher._fresh_for,
        ):
            cache.cache_clear()  # every question uncached
        started = time.perf_counter()
        matcher.decide(text)
        timings.append((time.perf_counter() - started) * 1000)
        embedded += matcher._query.cache_info().misses
    timings.sort()
    return (
        statistics.median(timings),
        timings[int(len(timings) * 0.99) - 1],
        timings[-1],
        embedded / len(texts),
    )


def pss_mb() -> float:
    try:
        for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from bot.matching.embedding import load
    from bot.matching.matcher import Matcher, SemanticStage
    from bot.matching.segment import content_words
    from bot.matching.semantic import MemoryVectorCache, SemanticIndex
    from bot.matching.vectorcache import LmdbVectorCache
    from knowledge.schema import load_kb

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--factor", type=int, default=10)
    parser.add_argument("--vectors", default=str(ROOT / "instance" / "vectors"), help="passage vector cache")
    parser.add_argument("--cold", action="store_true", help="also time a cold (empty cache) embedding of 1×")
    args = parser.parse_args()
    kb = load_kb(args.shared / "kb" / "guangdong-2021.json")
    content_words("预热")  # load jieba's dictionary once, outside the build timings
    embedder = load("auto").embedder
    cache = LmdbVectorCache(args.vectors)
    if embedder is not None and args.cold:
        started = time.perf_counter()
        SemanticIndex.build(kb.items, embedder, MemoryVectorCache())
        print(
            f"cold: embedding the 1× passages into an empty cache took {time.perf_counter() - started:.0f} s"
        )
    gold = args.shared / "eval" / "gd-dev.jsonl"
    print(
        f"{'kb':<14} {'items':>6} {'lex s':>6} {'sem s':>6} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} "
        f"{'semantic':>8} {'RSS MB':>7} {'PSS MB':>7}"
    )
    cases = (
        ("guangdong 1×", lambda: kb.items, True),
        (f"guangdong {args.factor}×", lambda: expand(kb.items, args.factor), True),
        (f"distinct {args.factor}×", lambda: expand(kb.items, args.factor, distinct=True), False),
    )
    for label, make_items, semantic in cases:  # built one at a time, so RSS shows one index and its items
        items = make_items()
        gc.collect()
        _clear_caches()  # each build starts cold, as after a restart (the segmentation dictionary stays)
        started = time.perf_counter()
        matcher = Matcher.build(items)
        lexical = time.perf_counter() - started
        seconds = float("nan")
        if semantic and embedder is not None:
            started = time.perf_counter()
            index = SemanticIndex.build(items, embedder, cache)  # a warm start: vectors from the cache
            seconds = time.perf_counter() - started
            assert index is not None
            matcher = matcher.with_semantic(SemanticStage(index, embedder))
        texts = questions(items, gold)
        matcher.decide(texts[0])
        p50, p99, worst, share = latency(matcher, texts)
        print(
            f"{label:<14} {len(items):>6} {lexical:6.2f} {seconds:6.2f} {p50:7.2f} {p99:7.2f} {worst:7.2f} "
            f"{share:8.0%} {rss_mb():7.0f} {pss_mb():7.0f}"
        )
        del matcher, items


if __name__ == "__main__":
    main()
