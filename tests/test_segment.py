"""bot.matching.segment: the content words of a message, without how it asks."""

import pytest

from bot.matching.normalize import normalize
from bot.matching.segment import content_words, tokens


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("办下来要多久", "下来"),  # a directional complement says how, not what
        ("公积金能取出来吗", "出来"),
        ("身份证怎么办理", "怎么"),
    ],
)
def test_how_a_citizen_asks_is_not_content(text, absent):
    assert absent not in content_words(normalize(text)).split()


def test_what_it_is_about_stays():
    words = content_words(normalize("公积金能取出来吗")).split()
    assert "公积金" in words
    assert tokens("居民身份证") != []


def test_a_clause_ends_a_word():
    # 离婚 then 她 in the next clause: no 离婚她, which a typo fixer would read as 离婚证.
    assert content_words("女儿想离婚 她在外地").split() == ["女儿", "离婚", "她", "外地"]


def test_a_few_of_them_is_no_content():
    assert content_words(normalize("那要办些啥手续")) == ""


def test_a_word_citizens_say_as_two_is_cut_apart():
    assert tokens("我要领补贴")[-2:] == ["领", "补贴"]  # 要 + 领, not 要领 (the gist of something)
