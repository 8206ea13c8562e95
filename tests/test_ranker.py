"""bot.matching.ranker: what a clarification offers."""

from bot.matching.features import Candidate
from bot.matching.ranker import Verdict


def _verdict(probabilities: tuple[float, ...], values: list[dict[str, float]]) -> Verdict:
    ordered = tuple(Candidate(i, v) for i, v in enumerate(values))
    return Verdict("clarify", ordered, probabilities, 0.5, 0.9, {})


def test_close_candidates_are_offered_best_first() -> None:
    verdict = _verdict((0.6, 0.5, 0.05), [{}, {}, {}])
    assert [c.position for c in verdict.choices()] == [0, 1]


def test_beside_one_credible_item_the_second_option_does_what_the_message_asks() -> None:
    # 注销营业执照: 个体工商户设立登记 (second by probability) lacks 注销; 公司注销登记 does not.
    verdict = _verdict((0.93, 0.07, 0.02), [{}, {"missing_op": 1.0}, {}])
    assert [c.position for c in verdict.choices()] == [0, 2]
    # Every runner-up lacks it: the runner-up by probability.
    verdict = _verdict((0.93, 0.07, 0.02), [{}, {"missing_op": 1.0}, {"missing_op": 1.0}])
    assert [c.position for c in verdict.choices()] == [0, 1]
    assert [c.position for c in _verdict((0.9,), [{}]).choices()] == [0]


def test_cases_of_one_service_are_one_family():
    from bot.matching.ranker import same_family

    assert same_family("住房公积金提取（租赁住房）", "住房公积金提取（离休、退休）")  # one base name
    assert same_family("住房公积金租房提取", "住房公积金购房提取")  # alike around a different middle
    assert same_family("住房公积金离职销户提取", "住房公积金购房提取")
    assert not same_family("个体工商户设立登记", "个体工商户注销登记")  # operations between: other services
    assert not same_family("个体工商户税务登记", "个体工商户注销登记")
    assert not same_family("居民身份证首次申领", "居民身份证补领")  # different operations
    assert not same_family("住房公积金租房提取", "住房公积金个人住房贷款申请")
