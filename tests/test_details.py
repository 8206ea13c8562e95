"""bot.conversation.details: which situation a story tells (words, age, a proxy, meaning) and which FAQ entry
a question asks. The matcher is lexical here; ``test_conversation_semantic.py`` covers meaning."""

import pytest

from bot.conversation.details import ItemPassages, age_situation, faq_for, situation_from_story, topic_words
from bot.matching.matcher import Matcher
from knowledge.schema import FaqEntry, Item, Situation, load_kb


@pytest.fixture(scope="module")
def matcher(county_kb_path) -> Matcher:
    return Matcher.build(load_kb(county_kb_path).items)


def situations(*names: str) -> list[Situation]:
    return [Situation(name=name, materials=[]) for name in names]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我儿子刚满16岁，从来没办过身份证", "年满16周岁"),
        ("孩子12岁能办吗", "未满16周岁"),
        ("我闺女今年满十六了", "年满16周岁"),
        ("身份证丢了怎么补", None),
    ],
    ids=["just-sixteen", "twelve", "sixteen-in-words", "no-age"],
)
def test_an_age_told_falls_in_one_situations_bound(text, expected):
    found = age_situation(situations("未满16周岁", "年满16周岁", "城乡低保对象免收工本费"), text)
    assert (found.name if found else None) == expected


def test_bounds_above_and_below():
    pairs = situations("60周岁以上", "14周岁以下")
    assert [age_situation(pairs, t).name for t in ("老人八十岁了", "孩子十岁")] == [
        "60周岁以上",
        "14周岁以下",
    ]
    assert age_situation(pairs, "我三十岁") is None


def test_without_the_semantic_stage_a_situations_own_words_decide(matcher):
    item = matcher.item("SF-GA-014")  # 本人申请 / 委托他人代办 / 在经常居住地申请（非本县户籍）
    found = situation_from_story(matcher, item, "我户口在外省，经常居住地在这边", ItemPassages({}))
    assert found is not None and "经常居住地" in found.name
    proxy = situation_from_story(matcher, item, "我人在外地上学，让我妈去帮我开行不行", ItemPassages({}))
    assert proxy is not None and proxy.name == "委托他人代办"
    assert situation_from_story(matcher, item, "要带什么", ItemPassages({})) is None


def test_an_faq_entry_answers_a_yes_no_question_by_its_words():
    item = Item(
        code="T-1",
        name="结婚登记",
        department="民政局",
        materials=[],
        faq=[FaqEntry(q="领结婚证还要带户口本吗", a="不需要。")],
    )
    entry = faq_for(item, "领结婚证要带户口本吗", None, ItemPassages({}))
    assert entry is not None and entry.a == "不需要。"


def test_an_faq_entry_naming_the_thing_asked_about_answers_it():
    item = Item(
        code="T-1",
        name="内地居民结婚登记",
        department="民政局",
        materials=[],
        faq=[
            FaqEntry(q="结婚登记还要户口本吗？", a="不需要。"),
            FaqEntry(q="结婚可以一个人去领证吗？", a="不可以。"),
        ],
    )
    # Few words in common, but only the first entry names the thing asked about (户口本).
    entry = faq_for(item, "我跟女朋友下个月去领证，要带户口本吗", None, ItemPassages({}))
    assert entry is not None and entry.a == "不需要。"
    # A thing no entry names answers nothing from the FAQ.
    assert faq_for(item, "要带照片吗", None, ItemPassages({})) is None


def test_a_character_only_one_situation_has_tells_it_when_closest_in_meaning(matcher):
    item = Item(
        code="T-GJJ",
        name="住房公积金提取（购买自住住房）",
        department="住房公积金管理中心",
        materials=[],
        situations=situations("购买新建商品房", "购买二手房", "为父母或子女购房"),
    )
    scores = {
        f"{item.name}：{name}": score for name, score in [("购买新建商品房", 0.900), ("购买二手房", 0.901)]
    }
    # 子 is only in 为父母或子女购房; it is closest in meaning too, though by less than the margin.
    close = ItemPassages({**scores, f"{item.name}：为父母或子女购房": 0.905})
    found = situation_from_story(matcher, item, "我是给儿子买的房", close)
    assert found is not None and found.name == "为父母或子女购房"
    behind = ItemPassages({**scores, f"{item.name}：为父母或子女购房": 0.890})
    assert situation_from_story(matcher, item, "我是给儿子买的房", behind) is None


def test_an_alias_that_tells_a_situation_is_not_the_topic():
    card = Item(
        code="C",
        name="社会保障卡挂失与补换",
        department="人社局",
        materials=[],
        aliases=["社保卡丢了", "社保卡坏了", "换社保卡"],
        situations=situations("临时挂失", "遗失补卡", "损坏或到期换卡"),
    )
    topic = topic_words(card)
    # 坏 is only 损坏或到期换卡's: that alias is the situation's words; 换 is in the item's own name.
    assert "社保卡坏了" not in topic
    assert "社保卡丢了" in topic and "换社保卡" in topic


def test_what_the_citizen_does_not_want_names_no_situation(matcher):
    veteran = matcher.item("SF-TY-002")  # 自主就业 / 安排工作 / 户口需要迁回本县
    told = "刚从部队退伍回来，不要安排工作，打算自己找活干，去哪报到"
    found = situation_from_story(matcher, veteran, told, ItemPassages({}))
    assert found is None or found.name != "安排工作"
    assert situation_from_story(matcher, veteran, "退伍了要安排工作", ItemPassages({})).name == "安排工作"


def test_a_part_of_a_situation_that_is_the_items_own_name_tells_nothing(matcher):
    permit = matcher.item("SF-GA-008")  # 居住证申领: …, 居住证签注（续期）
    work = situation_from_story(matcher, permit, "我想办居住证，外地来这边厂里打工的", ItemPassages({}))
    assert work is not None and "就业" in work.name
    renew = situation_from_story(matcher, permit, "居住证要签注", ItemPassages({}))
    assert renew is not None and "签注" in renew.name


def test_what_a_situation_name_says_it_is_not_is_told_by_a_denial_not_by_the_plain_words(matcher):
    insurance = matcher.item("SF-YB-001")  # 新生儿 / 非本县户籍居民 / 在校学生 / …
    story = "我老婆上个月在县医院生了个闺女，我俩都是本县户口，结婚证也有，现在要给孩子上户口"
    found = situation_from_story(matcher, insurance, story, ItemPassages({}))
    assert found is not None and found.name == "新生儿"
    assert situation_from_story(matcher, insurance, "我俩都是本县户口", ItemPassages({})) is None
    other = situation_from_story(matcher, insurance, "我不是本县户口，能在这交医保吗", ItemPassages({}))
    assert other is not None and other.name == "非本县户籍居民"


def test_a_birth_out_of_wedlock_is_told_by_denying_the_marriage(matcher):
    birth = Item(
        code="X",
        name="出生登记",
        department="公安局",
        materials=[],
        situations=situations("婚内生育（父母已登记结婚）", "非婚生育"),
    )
    unmarried = situation_from_story(matcher, birth, "我跟男朋友还没结婚，孩子生了想上户口", ItemPassages({}))
    assert unmarried is not None and unmarried.name == "非婚生育"
    married = situation_from_story(matcher, birth, "老婆上个礼拜生了个儿子，想给孩子上户口", ItemPassages({}))
    assert married is not None and married.name.startswith("婚内")


def test_a_name_joining_its_cases_leaves_their_own_words_to_them():
    both = Item(
        code="T-9",
        name="困难残疾人生活补贴和重度残疾人护理补贴申请",
        department="残联",
        materials=[],
        situations=[
            Situation(name=n, materials=[]) for n in ("申请生活补贴", "申请护理补贴", "监护人或亲属代办")
        ],
    )
    assert "护理" not in topic_words(both) and "生活" not in topic_words(both)
    # A name joining nothing keeps its words whole.
    one = both.model_copy(update={"name": "重度残疾人护理补贴申请"})
    assert "护理" in topic_words(one)


def test_a_place_someone_was_not_taken_to_tells_no_situation(matcher):
    item = matcher.item("SF-GA-015")  # 在医疗机构死亡 / 在家中正常死亡 / …
    at_home = situation_from_story(matcher, item, "没在医院走的，在家里走的", ItemPassages({}))
    assert at_home is not None and at_home.name == "在家中正常死亡"
    in_hospital = situation_from_story(matcher, item, "老人在医院走的", ItemPassages({}))
    assert in_hospital is not None and in_hospital.name == "在医疗机构死亡"


def test_what_a_message_says_is_not_so_tells_no_situation(matcher):
    item = matcher.item("SF-ZR-004")  # 遗失、灭失补证 / 损坏换证 / 房屋为共有
    found = situation_from_story(matcher, item, "哦不是丢了 刚翻出来了 是被水泡烂了", ItemPassages({}))
    assert found is not None and found.name == "损坏换证"


def test_a_loss_denied_and_a_card_damaged_in_other_words_tell_the_damage(matcher):
    item = matcher.item("SF-GA-003")  # 丢失、被盗补领 / 损坏换领 / …
    text = "补办的，哦不对，没丢，是揣兜里让洗衣机给洗了，现在刷不出来"
    found = situation_from_story(matcher, item, text, ItemPassages({}))
    assert found is not None and found.name == "损坏换领"


def test_what_has_not_expired_tells_no_expiry():
    dismissed = Item(
        code="U-1",
        name="失业保险金申领",
        department="人社局",
        materials=[],
        situations=[
            Situation(name="合同到期单位不续签", materials=[]),
            Situation(name="被单位辞退、裁员", materials=[]),
        ],
    )
    matcher = Matcher.build([dismissed])
    text = "老板说活少 把我们几个都辞了 合同还没到期呢 听说能领失业金"
    found = situation_from_story(matcher, dismissed, text, ItemPassages({}))
    assert found is not None and found.name == "被单位辞退、裁员"


def test_a_first_application_is_not_read_beside_a_case_told_already(matcher):
    options = situations("首次申领", "有效期满换领", "丢失或被盗补领")
    item = Item(
        code="T-ID", name="居民身份证申领、换领、补领", department="公安局", materials=[], situations=options
    )
    asked = "能让我老婆帮我去办吗"
    # Fresh, 去办 asks for a first card; after 身份证丢了 it asks who may go for the lost one.
    assert situation_from_story(matcher, item, asked, ItemPassages({})).name == "首次申领"
    assert situation_from_story(matcher, item, asked, ItemPassages({}), established=True) is None


def test_a_theft_is_the_loss_case_where_no_case_names_a_theft(matcher):
    card = Item(
        code="X-9",
        name="居民身份证申领、换领、补领",
        department="公安局",
        materials=[],
        situations=situations("首次申领", "有效期满换领", "遗失补领", "损坏换领"),
    )
    told = situation_from_story(matcher, card, "钱包在集上叫人偷了，身份证在里面", ItemPassages({}))
    assert told is not None and told.name == "遗失补领"
    broken = situation_from_story(matcher, card, "身份证掰断了，要换一个", ItemPassages({}))
    assert broken is None or broken.name != "遗失补领"


def test_a_loan_on_the_home_not_paid_off_is_the_pledged_case(matcher):
    transfer = matcher.item("SF-ZR-001")  # 存量房转移登记: 带押过户, 买方贷款购房, …
    owed = situation_from_story(matcher, transfer, "房子还有二十万贷款没还完", ItemPassages({}))
    assert owed is not None and "带押" in owed.name
    buying = situation_from_story(matcher, transfer, "我们首付交了，剩下的找银行贷款", ItemPassages({}))
    assert buying is None or "带押" not in buying.name


def test_an_faq_entry_asking_another_field_does_not_answer_the_question():
    card = Item(
        code="X-7",
        name="居民身份证补领（丢失、损坏）",
        department="公安局",
        materials=[],
        faq=[FaqEntry(q="补办身份证要多少钱？", a="工本费40元。"), FaqEntry(q="要登报吗？", a="不用。")],
    )
    close = ItemPassages(
        {"补办身份证要多少钱？": 0.97, "要登报吗？": 0.80, "居民身份证补领（丢失、损坏）": 0.90}
    )
    assert faq_for(card, "身份证补办要几天", "time_limit", close) is None
    assert faq_for(card, "身份证补办要交多少钱", "fee", close) == card.faq[0]
