"""Accuracy of the matcher, every figure from models that did not see the set they score.

usage: python bench/accuracy.py [--shared ../shared] [--vectors DIR] [--misses FILE] [--no-baselines]

Labelled sets (``bot/matching/fit.py`` fits on them): ``county-dev``, ``county-real``, ``gd-dev`` of
``../shared/eval/`` and ``county-train``, ``gd-train``, ``qingxi-train`` of ``bench/train/``. Each of them is
scored by models fitted on the OTHER labelled sets (leave one set out). The held-out sets of
``bench/heldout/`` (other hands, other styles, one hall never seen) are scored by the shipped models
(``bot/matching/data/matcher-model.json``), which were fitted on the labelled sets only.

Rows per set: guidebot as shipped (``auto``: the lexical stage, the semantic stage when the lexical one is
not sure), ``hybrid`` (both stages always), ``lexical`` only and ``semantic`` only, each with its own fitted
models; then two untuned baselines. Metrics are those of ``../shared/eval/score.py``:
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
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HELD_OUT = {
    "county-heldout": ("kb/county-hall.json", "county-heldout.jsonl"),
    "gd-heldout": ("kb/guangdong-2021.json", "gd-heldout.jsonl"),
    "city-heldout": (None, "city-heldout.jsonl"),  # its own hall, bench/heldout/city-hall.json
    # A third hall nobody tuned for (沅江区, by other hands, 2026-12-05): bench/heldout/river-hall.json.
    "river-heldout": ("heldout:river-hall.json", "river-questions.jsonl"),
    # A fourth (湖滨新区, Shandong), written the same day as a blind check.
    "lake-heldout": ("heldout:lake-hall.json", "lake-questions.jsonl"),
    # A fifth (松原县, Jilin), written as the last blind check of that stop.
    "pine-heldout": ("heldout:pine-hall.json", "pine-questions.jsonl"),
    # A sixth (海港区, a coastal district, 2026-12-05): its dialogues were development material, its
    # questions never read.
    "harbor-heldout": ("heldout:harbor-hall.json", "harbor-questions.jsonl"),
    # A seventh (枫林市, Guizhou), written as a blind check.
    "maple-heldout": ("heldout:maple-hall.json", "maple-questions.jsonl"),
    # Three more halls (third stop): ridge and bay's dialogues were development material, their questions
    # (written as training data, then kept out of fitting) never read; summit's were written blind.
    "ridge-heldout": ("heldout:ridge-hall.json", "ridge-questions.jsonl"),
    "bay-heldout": ("heldout:bay-hall.json", "bay-questions.jsonl"),
    "summit-heldout": ("heldout:summit-hall.json", "summit-questions.jsonl"),
    # An eleventh (溪谷县, Hubei, fourth stop), written blind.
    "valley-heldout": ("heldout:valley-hall.json", "valley-questions.jsonl"),
    # A thirteenth (塬上县, the Loess Plateau, fifth stop), written blind.
    "mesa-heldout": ("heldout:mesa-hall.json", "mesa-questions.jsonl"),
    # Two more (sixth stop), written blind: 椰岛县 (Hainan) and 梯田区 (a Chongqing mountain district).
    "isle-heldout": ("heldout:isle-hall.json", "isle-questions.jsonl"),
    "terrace-heldout": ("heldout:terrace-hall.json", "terrace-questions.jsonl"),
    # Seventh stop: 峡江县 (a Sichuan–Chongqing gorge county), written blind; and two halls whose questions
    # were read as development material (never fitted): 芦荡县 (northern Jiangsu) and 汾阳坡县 (Shanxi).
    "canyon-heldout": ("heldout:canyon-hall.json", "canyon-questions.jsonl"),
    "marsh-read": ("heldout:marsh-hall.json", "marsh-questions.jsonl"),
    "fen-read": ("heldout:fen-hall.json", "fen-questions.jsonl"),
    # Eighth stop: 盐湖县 (a Qinghai salt-lake county), written blind; 桦甸林区 (a northeastern forestry
    # district), whose dialogues were development material and whose questions were never read.
    "salt-heldout": ("heldout:salt-hall.json", "salt-questions.jsonl"),
    "birch-heldout": ("heldout:birch-hall.json", "birch-questions.jsonl"),
    # Ninth stop: 徽溪县 (a southern-Anhui mountain county), written blind; 沙坡县 (a Ningxia desert-edge
    # county), whose dialogues were development material and whose questions were never read.
    "creek-heldout": ("heldout:creek-hall.json", "creek-questions.jsonl"),
    "dune-heldout": ("heldout:dune-hall.json", "dune-questions.jsonl"),
    # Tenth stop: 竹茗县 (a western-Fujian bamboo and tea county), written blind; and
    "bamboo-heldout": ("heldout:bamboo-hall.json", "bamboo-questions.jsonl"),
    # 乌兰塔拉旗 (an Inner Mongolia pastoral banner), whose dialogues were development material and whose
    # questions were never read.
    "steppe-heldout": ("heldout:steppe-hall.json", "steppe-questions.jsonl"),
    # Eleventh stop: 雪山县 (a Tibetan-area county of western Sichuan), written blind; and 岩溪县 (a karst
    # county of north-western Guangxi), whose dialogues are development material and whose questions were
    # never read.
    "glacier-heldout": ("heldout:glacier-hall.json", "glacier-questions.jsonl"),
    "karst-heldout": ("heldout:karst-hall.json", "karst-questions.jsonl"),
    # Twelfth stop: 塬上县 (a loess-plateau county of the Shaanxi-Gansu border), whose dialogues are
    # development material and whose questions were never read; and 澳湾区 (a coastal Zhejiang district),
    # written blind.
    "loess-heldout": ("heldout:loess-hall.json", "loess-questions.jsonl"),
    "cove-heldout": ("heldout:cove-hall.json", "cove-questions.jsonl"),
    # Thirteenth stop: 边河县 (a Yunnan border county on a river crossing into Myanmar), whose dialogues are
    # development material and whose questions were never read; and 麦丰县 (a Henan plains county), written
    # blind.
    "border-heldout": ("heldout:border-hall.json", "border-questions.jsonl"),
    "wheat-heldout": ("heldout:wheat-hall.json", "wheat-questions.jsonl"),
    # Fourteenth stop: 渡口县 (a Poyang Lake county of northern Jiangxi), whose dialogues are development
    # material and whose questions were never read; and 钢城区 (an industrial district of Hebei), written
    # blind.
    "ferry-heldout": ("heldout:ferry-hall.json", "ferry-questions.jsonl"),
    "forge-heldout": ("heldout:forge-hall.json", "forge-questions.jsonl"),
    # Fifteenth stop: 柳营县 (a Shandong greenhouse-vegetable county), whose dialogues are development
    # material and whose questions were never read; and 黑河农垦区 (a reclamation area on the Russian border),
    # written blind.
    "willow-heldout": ("heldout:willow-hall.json", "willow-questions.jsonl"),
    "quarry-heldout": ("heldout:quarry-hall.json", "quarry-questions.jsonl"),
    # Sixteenth stop: 梅溪县 (a Hakka mountain county of north-eastern Guangdong), whose dialogues are
    # development material and whose questions were never read; and 棉田县 (a Xinjiang cotton county),
    # written blind.
    "brook-heldout": ("heldout:brook-hall.json", "brook-questions.jsonl"),
    "heath-heldout": ("heldout:heath-hall.json", "heath-questions.jsonl"),
    # Seventeenth stop: 苗岭县 (a Tujia–Miao county of western Hunan), whose dialogues are development
    # material and whose questions were never read; and 富锦湾县 (a Sanjiang Plain rice county of
    # Heilongjiang), written blind.
    "meadow-heldout": ("heldout:meadow-hall.json", "meadow-questions.jsonl"),
    "moor-heldout": ("heldout:moor-hall.json", "moor-questions.jsonl"),
    # Eighteenth stop: 澜湾县 (a coastal county of southern Fujian, Hokkien speech), whose dialogues are
    # development material and whose questions were never read; and 赣岭县 (a hilly county of southern
    # Jiangxi, Hakka speech), written blind.
    "aspen-heldout": ("heldout:aspen-hall.json", "aspen-questions.jsonl"),
    "sedge-heldout": ("heldout:sedge-hall.json", "sedge-questions.jsonl"),
    # Nineteenth stop: 莲泽县 (a Jianghan-plain county of Hubei), whose dialogues are development material and
    # whose questions were never read; and 箬川县 (a bamboo and silk county of northern Zhejiang), written
    # blind.
    "cedar-heldout": ("heldout:cedar-hall.json", "cedar-questions.jsonl"),
    "reed-heldout": ("heldout:reed-hall.json", "reed-questions.jsonl"),
    # Twentieth stop: 北沙窝县 (a farming county at the edge of the Junggar basin, northern Xinjiang), whose
    # dialogues are development material and whose questions were never read; and 窑岭县 (a kiln county of
    # central Hebei), written blind.
    "jade-heldout": ("heldout:jade-hall.json", "jade-questions.jsonl"),
    "kiln-heldout": ("heldout:kiln-hall.json", "kiln-questions.jsonl"),
    # Long messages telling a story around the ask (other hands), over the demo hall and the product's own.
    "county-stories": ("kb/county-hall.json", "county-stories.jsonl"),
    "qingxi-stories": ("demo", "qingxi-stories.jsonl"),
}
MODES = ("auto", "hybrid", "lexical", "semantic")


def _kb_path(shared: Path, kb: str | None) -> Path:
    """A held-out set's hall: under ../shared, the city hall beside the sets, or the demo hall."""
    if kb == "demo":
        from knowledge.storage import DEMO_PATH

        return Path(DEMO_PATH)
    if kb and kb.startswith("heldout:"):
        return ROOT / "bench" / "heldout" / kb.removeprefix("heldout:")
    return shared / kb if kb else ROOT / "bench" / "heldout" / "city-hall.json"


def _row(name: str, label: str, figures: dict[str, float], seconds: float) -> str:
    return (
        f"{name:<15} {label:<9} {figures['top1']:6.3f} {figures['strict']:6.3f} {figures['wrong']:6.3f} "
        f"{figures['oos']:6.3f} {figures['field']:6.3f} {seconds:6.1f}"
    )


def main() -> None:
    from bench.baselines import bm25_predictor, wratio_predictor
    from bot.matching import fit
    from knowledge.schema import load_kb

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--vectors", default=str(ROOT / "instance" / "vectors"), help="passage vector cache")
    parser.add_argument("--misses", type=Path, help="write the shipped matcher's misses here (JSON lines)")
    parser.add_argument("--no-baselines", action="store_true")
    args = parser.parse_args()

    labelled = fit.labelled_sets(args.shared, ROOT / "bench" / "train")
    examples = fit.load_examples(labelled)
    heldout_sets = {
        name: (_kb_path(args.shared, kb), ROOT / "bench" / "heldout" / path)
        for name, (kb, path) in HELD_OUT.items()
    }
    heldout = fit.load_examples(heldout_sets)
    matchers = fit.build_matchers([e.kb for e in examples + heldout], cache_dir=args.vectors)
    rows = {mode: fit.question_rows(examples, matchers, mode) for mode in fit.MODES}
    print(
        f"{'set':<15} {'matcher':<9} {'top1':>6} {'strict':>6} {'wrong':>6} {'oos':>6} {'field':>6} "
        f"{'secs':>6}"
    )
    misses = []

    def report(name: str, test: list[fit.Example], models: fit.Models) -> None:
        for mode in MODES:
            started = time.perf_counter()
            pairs = fit.with_models(matchers, models, mode, test)
            decisions = [fit.decide(matcher, example) for example, matcher in pairs]
            print(
                _row(
                    name,
                    "guidebot" if mode == "auto" else mode,
                    fit.metrics(test, decisions),
                    time.perf_counter() - started,
                ),
                flush=True,
            )
            if mode == "auto" and args.misses:
                misses.extend(fit.misses(name, test, decisions))
        if args.no_baselines:
            return
        kb_path = test[0].kb
        items = load_kb(kb_path).items
        for label, factory in (("wratio", wratio_predictor), ("bm25", bm25_predictor)):
            started = time.perf_counter()
            predict = factory(items)
            decisions = [fit.as_decision(predict({"id": e.id, "question": e.question})) for e in test]
            print(_row(name, label, fit.metrics(test, decisions), time.perf_counter() - started), flush=True)

    for held in labelled:
        train = {mode: [r for r in rs if r.example.set != held] for mode, rs in rows.items()}
        report(held, [e for e in examples if e.set == held], fit.fit_models(train, {}))
    shipped = fit.shipped_models()
    for name in heldout_sets:
        report(name, [e for e in heldout if e.set == name], shipped)
    if args.misses:
        with open(args.misses, "w", encoding="utf-8") as handle:
            for miss in misses:
                handle.write(json.dumps(miss, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
