"""bot.matching.surface: what a message says before any matching."""

import pytest

from bot.matching.surface import STORY_LENGTH, ask_clause, asks, read_surface


@pytest.mark.parametrize(
    ("text", "pick"), [("2", 2), ("第二个", 2), ("选3", 3), ("二手房", None), ("12", None)]
)
def test_a_bare_number_is_a_pick(text, pick):
    assert read_surface(text).pick == pick


def test_people_and_complaints():
    assert read_surface("转人工").human and not read_surface("人工智能是什么").human
    assert read_surface("你这个说得我还是不懂 给我转个人工").human
    assert read_surface("那我喊个人工问下嘛").human and read_surface("叫一下人工").human
    assert read_surface("人工吧").human and not read_surface("人工流产能报销吗").human
    assert read_surface("我想问人工").human and read_surface("有没有人工").human
    assert read_surface("我要跟人工说几句").human and read_surface("我想同人工讲一下").human
    assert not read_surface("人工费要多少").human
    assert read_surface("我想跟工作人员说几句").human and not read_surface("工作人员态度很好").human
    assert read_surface("这些我搞不懂 能不能找位工作人员给我讲讲").human
    assert read_surface("我要投诉窗口态度差").complaint


def test_the_clause_that_asks_in_a_story():
    story = (
        "我奶奶今年67，坐公交老跟司机吵说老年人免费，司机说要有证才行。那个老年证去哪里办？她身份证在我手上"
    )
    assert len(story) >= STORY_LENGTH
    assert ask_clause(story).endswith("那个老年证去哪里办")
    assert read_surface(story).field == "location"  # not fee, for 免费 on the way
    assert ask_clause("身份证丢了怎么补办") == ""  # short: one clause


def test_a_message_asks_by_a_question_word_or_a_tag():
    assert asks("可以寄到家里吗") and asks("旧的还能用不") and asks("行不行 我自己去")
    assert not asks("关于审查农村低保户的建议")


def test_a_story_asking_how_to_get_it_done_asks_for_all_of_it():
    # 费用 told on the way; the asking clause asks how, so the whole one-trip answer is due.
    story = "听人说办了残疾证每个月有补贴，还能减免一些费用，我该怎么给他办"
    assert read_surface(story).field is None
    assert read_surface("房东说房贷还没还完，中介说也能过户，价格都谈好了，这种过户要怎么办").field is None
    # A field asked in the last clause still counts.
    assert read_surface("孩子明年九月要上小学了，户口不在这边，报名要交多少钱").field == "fee"
    # How to get it done beside a field, in a story told in one breath: the whole trip, which says that
    # field too.
    voice = "我爸腿脚不方便村里的医生说可以给他办个残疾证这个到底咋个办理在哪里办"
    assert read_surface(voice.replace("咋个办理", "怎么办理")).field is None
    # Told in clauses, the field asked in its own clause still counts.
    story = "家里老人瘫在床上好几年了，听说能领护理补贴，这个补贴怎么申请、多久能批"
    assert read_surface(story).field == "time_limit"
    # A short question asks its field.
    assert read_surface("残疾证怎么办在哪办").field == "location"


@pytest.mark.parametrize(
    "text", ["你们这什么破机器人 问半天都答不对", "说了半天还是不对", "这系统答非所问", "垃圾机器人"]
)
def test_a_citizen_fed_up_with_the_bot_wants_a_person(text):
    assert read_surface(text).human


@pytest.mark.parametrize("text", ["机器人能办吗", "系统登不上去怎么办", "半天能办好吗", "问一下答复要多久"])
def test_the_words_of_the_bot_alone_are_no_request(text):
    assert not read_surface(text).human


def test_a_field_asked_in_a_homophone_typo_is_read_after_fixing():
    fixes = {"这个能网伤办吗": "这个能网上办吗"}
    assert read_surface("这个能网伤办吗").field != "online"
    assert read_surface("这个能网伤办吗", fix=lambda t: fixes.get(t, t)).field == "online"
    # A field the text asks as typed stays.
    assert read_surface("多少钱", fix=lambda t: "网上办吗").field == "fee"
