"""bot.conversation.smalltalk: thanks, greetings, emergencies and English, with service questions kept out."""

import pytest

from bot.conversation.smalltalk import Kind, SmallTalk, classify, emergency_line, loose, reply, theft_told
from knowledge.schema import Hall

HALL = Hall(name="示范县政务服务中心", phone="0999-1234567")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("谢谢", Kind.THANKS),
        ("多谢！", Kind.THANKS),
        ("感谢", Kind.THANKS),
        ("行吧 巴雅尔拉", Kind.THANKS),  # Mongolian thanks
        ("赛音白努", Kind.GREETING),  # Mongolian hello
        ("辛苦了", Kind.THANKS),
        ("谢谢你们，辛苦了", Kind.THANKS),
        ("好的谢谢", Kind.THANKS),
        ("[抱拳]谢谢", Kind.THANKS),
        ("thanks", Kind.THANKS),
        ("唔該晒", Kind.THANKS),
        ("多谢晒", Kind.THANKS),
        ("xiexie", Kind.THANKS),
        ("已经打咗，唔该", Kind.THANKS),
        ("好的", Kind.ACK),
        ("嗯", Kind.ACK),
        ("嗯嗯", Kind.ACK),
        ("哦", Kind.ACK),
        ("知道了", Kind.ACK),
        ("明白了。", Kind.ACK),
        ("OK", Kind.ACK),
        ("好 没麻达", Kind.ACK),
        ("中", Kind.ACK),
        ("好 我先打", Kind.ACK),
        ("那我去问问", Kind.ACK),
        ("好的我先打电话问一下", Kind.ACK),
        ("你好", Kind.GREETING),
        ("您好！", Kind.GREETING),
        ("在吗？", Kind.GREETING),
        ("你好，在吗", Kind.GREETING),
        ("有人吗", Kind.GREETING),
        ("再见", Kind.GOODBYE),
        ("好的，谢谢，再见", Kind.GOODBYE),
        ("拜拜", Kind.GOODBYE),
        ("没事了", Kind.GOODBYE),
        ("先不办了，谢谢", Kind.GOODBYE),
        ("算了不补了", Kind.GOODBYE),
        ("好吧 那等放完假再说", Kind.ACK),
        ("好 那我一点半再来", Kind.ACK),  # a plan told: nothing asked
        ("我下午就过去", Kind.ACK),
        ("好吧，新年快乐", Kind.GREETING),  # season's greetings
        ("过年好", Kind.GREETING),
    ],
    ids=[
        "thanks",
        "many-thanks",
        "grateful",
        "mongolian-thanks",
        "mongolian-hello",
        "hard-work",
        "thanks-all",
        "ok-thanks",
        "wechat-emoji",
        "english-thanks",
        "cantonese-thanks",
        "cantonese-many-thanks",
        "pinyin-thanks",
        "done-and-thanks",
        "ok",
        "en",
        "en-en",
        "oh",
        "got-it",
        "understood",
        "latin-ok",
        "northwest-fine",
        "henan-fine",
        "will-call",
        "will-ask",
        "will-phone",
        "hello",
        "polite-hello",
        "there",
        "hello-there",
        "anyone",
        "bye",
        "ok-thanks-bye",
        "byebye",
        "nothing-else",
        "called-off-thanks",
        "called-off",
        "later",
        "coming-back-later",
        "coming-this-afternoon",
        "new-year-wishes",
        "spring-festival-wishes",
    ],
)
def test_small_talk(text, kind):
    assert classify(text) == SmallTalk(kind)


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("孩子发烧了怎么办", ("120",)),
        ("我爸晕倒了", ("120",)),
        ("需要急救", ("120",)),
        ("门口出车祸了", ("120",)),
        ("着火了！", ("119",)),
        ("楼下失火了", ("119",)),
        ("我被打了", ("110",)),
        ("有人抢劫", ("110",)),
        ("大厅里有人闹事", ("110",)),
        ("着火了有人受伤", ("119", "120")),
        ("救命", ("110",)),
        ("他喝多了回来砸东西还打我 我现在躲在屋里", ("110",)),
        ("钱包刚在公交站被人抢了 那人往北边跑了", ("110",)),
        ("我外公刚才吃着饭突然嘴歪了 说不出话来了", ("120",)),
        ("我男人喝醉了在外面踹门 说要弄死我", ("110",)),
    ],
    ids=[
        "fever",
        "fainted",
        "first-aid",
        "car-crash",
        "fire",
        "fire-downstairs",
        "beaten",
        "robbery",
        "trouble-in-hall",
        "fire-and-injury",
        "help",
        "violence-at-home",
        "robbed-by-someone",
        "stroke",
        "threat-at-the-door",
    ],
)
def test_emergency(text, numbers):
    talk = classify(text)
    assert talk == SmallTalk(Kind.EMERGENCY, numbers)
    first = reply(talk).splitlines()[0]
    assert all(number in first for number in numbers)


@pytest.mark.parametrize(
    "text",
    [
        "身份证被偷了怎么补办",
        "家里着火了户口本烧了怎么补",
        "好的，那要带什么材料",
        "你好，身份证怎么办",
        "谢谢，社保卡在哪办",
        "我没发烧可以办吗",
        "发烧住院的费用怎么报销",
        "车祸受伤的医疗费怎么报销",
        "报警回执丢了怎么办",
        "急救培训在哪报名",
        "发烧门诊几点开",
        "好的，身份证",
        "在哪",
        "shebaoka zenme ban",
        "wo yao ban hu zhao",
        "sfz",
        "",
        "？",
        "已经丢了",
        "我爸中风以后半边身子不能动了 想给他办残疾证",
        "他前年中风了 现在干不动了 店想让我接着开",
    ],
    ids=[
        "stolen-id-card",
        "document-burnt",
        "ack-then-question",
        "hello-then-question",
        "thanks-then-question",
        "negated-fever",
        "hospital-bill",
        "crash-bill",
        "police-receipt",
        "first-aid-course",
        "fever-clinic",
        "ack-then-item",
        "follow-up",
        "pinyin",
        "pinyin-spaced",
        "pinyin-initials",
        "empty",
        "punctuation",
        "done-without-thanks",
        "stroke-long-ago",
        "stroke-a-condition",
    ],
)
def test_not_small_talk(text):
    assert classify(text) is None


@pytest.mark.parametrize(
    "text",
    ["How do I get an ID card?", "Where is the passport office", "what time do you open", "Hi, I need help"],
    ids=["id-card", "where", "hours", "help"],
)
def test_english(text):
    assert classify(text) == SmallTalk(Kind.ENGLISH)
    answer = reply(classify(text), HALL)
    assert "Chinese" in answer and "0999-1234567" in answer and "示范县政务服务中心" in answer


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("家里着火了户口本烧了怎么补", "119"),
        ("我爸晕倒了，他的社保卡怎么办", "120"),
        ("有人在窗口打人，我还能办理吗", "110"),
        ("身份证被偷了怎么补办", None),
        ("发烧住院的费用怎么报销", None),
        ("身份证丢了怎么补办", None),
        ("着火了", None),
    ],
    ids=[
        "fire-document",
        "fainted-card",
        "violence-window",
        "theft",
        "past-illness",
        "plain",
        "not-a-service",
    ],
)
def test_emergency_line(text, line):
    found = emergency_line(text)
    assert (found is None) if line is None else (line in found)


@pytest.mark.parametrize(
    "talk",
    [SmallTalk(kind) for kind in (Kind.THANKS, Kind.ACK, Kind.GREETING, Kind.GOODBYE, Kind.ENGLISH)]
    + [SmallTalk(Kind.EMERGENCY, ("119", "120"))],
    ids=["thanks", "ack", "greeting", "goodbye", "english", "emergency"],
)
def test_replies_are_short(talk):
    answer = reply(talk, HALL)
    assert 0 < len(answer.encode("utf-8")) <= 300
    assert "1." not in answer and "①" not in answer  # no item list


def test_greeting_names_the_hall():
    assert "示范县政务服务中心" in reply(SmallTalk(Kind.GREETING), HALL)
    assert reply(SmallTalk(Kind.GREETING)).startswith("您好")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("好 谢谢你啊闺女", Kind.THANKS),
        ("嗯嗯 晓得了", Kind.ACK),
        ("好久能拿到", None),
        ("要好多钱", None),
        ("你们门口好停车不", None),
    ],
    ids=["thanks-among-words", "ack-among-words", "hao-of-haojiu", "hao-of-haoduo", "hao-of-parking"],
)
def test_loose_small_talk_needs_the_polite_words_to_be_most_of_it(text, kind):
    talk = loose(text)
    assert (talk.kind if talk else None) == kind


@pytest.mark.parametrize(
    ("text", "told"),
    [
        ("被偷的", True),
        ("我包被偷了", True),
        ("有人在门口打人", False),
        ("小偷打人了", False),
        ("发烧了", False),
    ],
)
def test_a_theft_already_done_is_told_apart_from_danger(text, told):
    assert theft_told(text) == told


def test_dialect_acknowledgements_and_a_collapse() -> None:
    assert classify("好的 晓得哒") == SmallTalk(Kind.ACK)  # 湖南话
    assert classify("要得") == SmallTalk(Kind.ACK)
    talk = classify("我屋里老倌子突然倒在地上喊不应了 怎么办啊")
    assert talk is not None and talk.kind is Kind.EMERGENCY and talk.numbers[0] == "120"


def test_an_english_reply_says_where_and_when_the_hall_is() -> None:
    hall = Hall(
        name="示范县政务服务中心",
        phone="0999-1234567",
        address="示范县人民路88号",
        hours="周一至周五 9:00-17:30",
    )
    answer = reply(SmallTalk(Kind.ENGLISH), hall)
    assert "0999-1234567" in answer and "人民路88号" in answer and "9:00" in answer


def test_a_fever_told_by_the_thermometer_is_an_emergency():
    assert classify("我家娃烧到39度了 哭个不停 现在咋办") == SmallTalk(Kind.EMERGENCY, ("120",))
    assert classify("孩子三十九度多了") == SmallTalk(Kind.EMERGENCY, ("120",))


def test_a_short_question_ending_in_呢_is_no_small_talk():
    assert loose("那要是初中的呢") is None
    assert loose("再说一遍") is None


@pytest.mark.parametrize("text", ["那你能帮我办啥", "你都会些什么", "机器人能干嘛", "你们能办什么业务呀"])
def test_what_the_assistant_can_do_is_told(text):
    talk = classify(text)
    assert talk is not None and talk.kind is Kind.ABILITY
    assert "办事指南" in reply(talk) and "人工" in reply(talk)


def test_a_service_asked_of_the_assistant_is_no_question_of_its_abilities():
    assert classify("你能办护照吗") is None


def test_a_fall_now_is_an_emergency_and_a_fall_in_a_story_of_a_service_is_not():
    talk = classify("喂喂 我爸在大厅门口摔倒了 起不来了 流血了 怎么办啊")
    assert talk is not None and talk.kind is Kind.EMERGENCY and talk.numbers == ("120",)
    assert classify("我妈摔倒骨折了住院报销怎么弄") is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("👍", Kind.ACK),
        ("👍👍！", Kind.ACK),
        ("[强]", Kind.ACK),
        ("😊", Kind.ACK),
        ("🙏", Kind.THANKS),
        ("[抱拳]", Kind.THANKS),
    ],
)
def test_an_emoji_alone_is_a_nod_or_thanks(text, kind) -> None:
    talk = classify(text)
    assert talk is not None and talk.kind is kind


def test_punctuation_alone_is_no_emoji() -> None:
    assert classify("？") is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [("谢谢 我周末回去跟我爸说", Kind.THANKS), ("行 那我下周一去", Kind.ACK), ("好 我下午过去", Kind.ACK)],
)
def test_a_plan_or_telling_someone_after_an_answer_is_small_talk(text, kind):
    assert classify(text) == SmallTalk(kind)


@pytest.mark.parametrize("text", ["我跟我老公一起去行不行", "我去哪办", "我去办", "我跟他说了他不信"])
def test_a_plan_that_asks_or_names_more_is_not_small_talk(text):
    assert classify(text) is None


def test_a_fall_and_a_wound_now_is_an_emergency_but_one_weeks_ago_is_a_bill():
    assert classify("他刚才在你们大厅门口摔了一跤 头磕破了流了好多血") == SmallTalk(Kind.EMERGENCY, ("120",))
    for text in ["上个月摔了一跤住院 医药费能报吗", "我爸上个月摔伤了 住院花了两万 能报多少"]:
        assert classify(text) is None, text


@pytest.mark.parametrize(
    "text", ["我下午一点过去行不", "那我明早几点好来", "我儿子帮我去办行不", "我爸以前从来没办过"]
)
def test_a_plan_asked_about_is_not_small_talk(text):
    assert classify(text) is None and loose(text) is None


def test_violence_that_began_weeks_ago_and_is_back_now_is_still_an_emergency():
    assert classify("我老公上个月就开始打我 现在又打我") == SmallTalk(Kind.EMERGENCY, ("110",))


def test_a_fire_or_an_accident_years_ago_is_over_now():
    assert classify("上个月我们帐篷着火了 东西烧了好多 有没有啥救助") is None
    assert classify("我弟前年出车祸瘫在床上了 听说可以单独给他办低保") is None


@pytest.mark.parametrize("text", ["好 已经打了", "刚打了120", "报过警了"])
def test_having_done_what_the_reply_said_is_an_acknowledgement(text):
    found = classify(text)
    assert found is not None and found.kind is Kind.ACK


def test_a_call_that_went_unanswered_is_no_acknowledgement():
    assert classify("我打过电话了 没人接") is None


def test_a_call_like_hello_and_polite_words_in_pinyin_are_small_talk():
    assert classify("喂喂，在不在") == SmallTalk(Kind.GREETING)
    assert classify("hao ba, xie xie ni") == SmallTalk(Kind.THANKS)
    assert classify("haode") == SmallTalk(Kind.ACK)
    assert classify("喂，户口本丢了怎么补") is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("好 我们回去商量商量日子 拜拜", Kind.GOODBYE),  # what they will do, then goodbye
        ("那行，等材料齐了再说 再见", Kind.GOODBYE),
        ("那你们几点下班 拜拜", None),  # a question before the goodbye
        ("下礼拜", None),  # 拜 of 礼拜 is no goodbye
    ],
)
def test_a_message_ending_in_goodbye_that_asks_nothing_signs_off(text, kind):
    talk = classify(text)
    assert (talk.kind if talk else None) is kind


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("屋里细娃烧得好厉害 一直哭 么办", ("120",)),  # a fever told by how bad it is
        ("孩子体温38.6度 还在往上升", ("120",)),  # by the degrees beside the fever
        ("今天外面39度 热得很", None),  # the weather, no one ill
    ],
)
def test_a_high_fever_told_in_other_words_is_an_emergency(text, numbers):
    talk = classify(text)
    assert (talk.numbers if talk and talk.kind is Kind.EMERGENCY else None) == numbers


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("好嘛", Kind.ACK),  # fine, south-west and north-west
        ("行嘛", Kind.ACK),
        ("打了120了 车子来了 谢谢你们", Kind.THANKS),  # help has come: thanks, nothing asked
        ("警察来了", Kind.ACK),
        ("车子来了 人也醒了 谢谢你啊", Kind.THANKS),  # and the one in danger better
    ],
)
def test_fine_said_with_ma_and_help_come_are_small_talk(text, kind):
    assert classify(text) == SmallTalk(kind)


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("在汽车站给几个烂仔打了 手机都给抢了", ("110",)),  # the passive said with 给
        ("钱包让人抢了", ("110",)),
        ("给孩子打了疫苗 有点发烧", ("120",)),  # 给…打了 of a jab is no violence
        ("报警了 身份证也给抢走了 回头要补", None),  # reported already; a card to replace
    ],
)
def test_violence_said_with_gei_is_an_emergency_and_a_report_made_is_not(text, numbers):
    talk = classify(text)
    assert (talk.numbers if talk and talk.kind is Kind.EMERGENCY else None) == numbers
