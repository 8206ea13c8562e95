"""bot.conversation.choices: numbered questions answered by number, ordinal or circled digit."""

import pytest

from bot.conversation.choices import Pick, after_ordinal, counted_part, counted_parts, number_in

OPTIONS = [
    "住房公积金提取（购买自住住房）",
    "住房公积金提取（偿还购房贷款）",
    "住房公积金提取（租赁住房）",
    "住房公积金提取（离休、退休）",
]


@pytest.mark.parametrize(
    ("text", "pick"),
    [
        ("2", Pick(index=1)),
        ("第二个", Pick(index=1)),
        ("②", Pick(index=1)),
        ("选3", Pick(index=2)),
        ("第4项吧", Pick(index=3)),
        ("最后一个", Pick(index=3)),
        ("后面那个", Pick(index=3)),
        ("就前面那个吧", Pick(index=0)),
        ("９", Pick(out_of_range=9)),
        ("第七个", Pick(out_of_range=7)),
    ],
    ids=[
        "digit",
        "ordinal",
        "circled",
        "xuan",
        "ordinal-with-particle",
        "last",
        "the-one-after",
        "the-one-before",
        "full-width-out-of-range",
        "ordinal-out-of-range",
    ],
)
def test_numbers(text, pick):
    assert number_in(text, 4) == pick


@pytest.mark.parametrize(
    "text",
    ["租房的", "身份证怎么办", "2026年买的房", "", "后面那个窗口在哪"],
    ids=["words", "question", "year", "empty", "a-place-behind"],
)
def test_not_a_number(text):
    assert number_in(text, 4) is None


def test_an_ordinal_deep_in_a_message_picks_nothing():
    # 我有两个问题第一个…: the citizen counts their own questions.
    assert number_in("我有两个问题第一个我在浙江交了社保怎么转回来", 3) is None
    assert number_in("第一个问题是护照要多久", 3) is None
    assert number_in("那就第二个吧", 3) == Pick(index=1)
    assert number_in("我选第三个", 3) == Pick(index=2)


def test_counted_questions_are_split_in_order():
    parts = counted_parts("我有两个问题，第一个，养老保险怎么转回来；第二个医保要不要也转")
    assert parts == ["养老保险怎么转回来", "医保要不要也转"]
    assert counted_parts("第二个医保要不要也转") == []  # not from 第一 on
    assert counted_parts("就一个问题第一个护照") == []
    told = ["身份证丢了", "问两个事第一个护照多久第二个港澳通行证多少钱"]
    assert counted_part(told, 2) == "港澳通行证多少钱"
    assert counted_part(told, 3) is None
    assert counted_part(["身份证丢了"], 2) is None


@pytest.mark.parametrize(("text", "index"), [("2 要多久", 1), ("③，在哪办", 2), ("1 多少钱", 0)])
def test_a_number_then_a_field_question_picks_the_option(text, index):
    assert number_in(text, 4) == Pick(index=index)


@pytest.mark.parametrize("text", ["③ 被偷了", "10 月份去办", "2个孩子都要办"])
def test_a_number_before_other_words_picks_nothing(text):
    assert number_in(text, 4) is None


def test_two_questions_told_as_one_and_the_other():
    two = counted_parts("问两件事，一个是身份证丢了咋补，一个是社保卡在哪办")
    assert two == ["身份证丢了咋补", "社保卡在哪办"]
    assert counted_parts("一是户口本丢了，二是结婚证咋领") == ["户口本丢了", "结婚证咋领"]
    # A long story's two errands are left to the matcher, which reads them with the story.
    story = (
        "我在县里厂里干了好多年，上个月厂子倒闭了，工资也没结清，现在还没找到活干，"
        "一是想问问能不能领点钱，二是社保断了咋办"
    )
    assert counted_parts(story) == []


def test_what_is_asked_beside_an_ordinal():
    assert after_ordinal("那第一个呢，在哪个窗口") == "在哪个窗口"
    assert after_ordinal("第二个") == ""
