"""Sentences that lead an item's answer: whether a material is still needed (需要。 and its line)."""

from bot.conversation.itemreply import need_asked, needed_material
from knowledge.schema import Item, Material

TRANSFER = Item(
    code="T-1",
    name="养老保险关系转移接续",
    department="人社局",
    materials=[Material(name="《基本养老保险关系转移接续申请表》"), Material(name="居民身份证", form="原件")],
)


def test_a_material_asked_about_near_the_asking_words_is_said_needed():
    assert needed_material(TRANSFER, None, ["申请表"], "还要带申请表吗") == (
        "需要。《基本养老保险关系转移接续申请表》"
    )


def test_a_word_far_from_the_asking_words_asks_of_no_material():
    # 养老保险 opens the story; 要不要 asks whether 医保 moves too.
    text = "我有两个问题第一个我在浙江交了八年社保养老保险怎么转回来第二个医保要不要也转"
    assert need_asked(text) == "转回来第二个医保要不要也转"
    assert need_asked("还要带户口本吗") == "还要带户口本吗"
    assert need_asked("户口本在哪办") is None


def test_whether_a_material_is_needed_may_end_in_bu():
    assert need_asked("要带户口本不") is not None
    assert need_asked("要交居住证明不") is not None
