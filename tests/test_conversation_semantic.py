"""What the semantic stage adds to conversations: stories told in the citizen's words, follow-ups that name
no item, a request for a person that still names its topic. Skips where the model cannot load (the
lexical behaviours are in ``test_conversation.py``)."""

import datetime as dt
import itertools
from pathlib import Path

import pytest

from bot.conversation.engine import Context, respond
from bot.conversation.holidays import load_calendar
from bot.conversation.hours import CHINA
from bot.conversation.knowledge import SemanticSetup, StaticKnowledge
from bot.conversation.messages import Message, Reply
from bot.conversation.records import MemoryRecorder
from bot.conversation.state import MemoryStore
from knowledge.schema import load_kb

TUESDAY = dt.datetime(2026, 12, 8, 10, 30, tzinfo=CHINA)
VECTORS = Path(__file__).resolve().parent.parent / "instance" / "vectors"
_ids = itertools.count(1)


def semantic_knowledge(kb_path: Path) -> StaticKnowledge:
    """The hall at ``kb_path`` with the semantic stage, or a skip where the model cannot load."""
    from bot.matching.embedding import load
    from bot.matching.vectorcache import LmdbVectorCache

    loaded = load("auto")
    if loaded.embedder is None:
        pytest.skip(f"the semantic model does not load here: {loaded.state} {loaded.detail}")
    VECTORS.mkdir(parents=True, exist_ok=True)  # the cache the accuracy tests and the bench share
    return StaticKnowledge(load_kb(kb_path), SemanticSetup(loaded.embedder, LmdbVectorCache(str(VECTORS))))


@pytest.fixture(scope="module")
def knowledge(county_kb_path) -> StaticKnowledge:
    return semantic_knowledge(county_kb_path)


def make_context(knowledge: StaticKnowledge) -> Context:
    return Context(
        knowledge=knowledge,
        store=MemoryStore(),
        recorder=MemoryRecorder(),
        clock=lambda: TUESDAY,
        calendar=load_calendar(),
        service_hours=None,
    )


@pytest.fixture
def context(knowledge) -> Context:
    return make_context(knowledge)


def say(context: Context, text: str) -> Reply:
    return respond(Message(kind="text", openid="oSemantic", text=text, msg_id=str(next(_ids))), context)


def test_a_request_for_a_person_keeps_the_item_it_names(context):
    first = say(context, "异地就医备案我在手机上弄了半天弄不好，帮我转人工")
    assert first.action == "handoff" and first.text
    where = say(context, "那我下午直接过去，在几号窗口")
    assert (where.action, where.item, where.field) == ("answer", "SF-YB-002", "location")


def test_a_request_for_a_person_alone_keeps_the_item_under_discussion(context):
    assert say(context, "异地就医备案怎么办").item == "SF-YB-002"
    assert say(context, "转人工").action == "handoff"
    assert say(context, "要带什么").item == "SF-YB-002"


def test_a_follow_up_telling_a_situation_stays_on_the_item(context):
    assert say(context, "我爸的残疾证怎么弄").choices[:1] == ("SF-CL-001",)
    assert say(context, "1").item == "SF-CL-001"
    reply = say(context, "他下不了床，去不了医院评定，咋办")
    assert (reply.action, reply.item, reply.situation) == ("answer", "SF-CL-001", "行动不便无法到评定机构")


def test_a_situation_word_of_the_topic_does_not_pick_the_option_that_repeats_it(context):
    """公积金 is in the item's name: it tells no situation of 住房公积金提取（购买自住住房） apart."""
    first = say(context, "买房提取公积金要带什么")
    assert first.item == "SF-GJJ-001"
    reply = say(context, "我老婆也有公积金，能一起取吗")
    assert (reply.item, reply.situation) == ("SF-GJJ-001", "配偶一并提取")


def test_the_story_told_before_a_numbered_question_gives_the_situation_once_picked(context):
    # Which card is not said (证件): a numbered question; the story kept tells the situation once picked.
    first = say(context, "我的证件在公交上丢了，补办的话要带啥")
    assert first.action == "clarify" and "SF-GA-003" in first.choices
    picked = say(context, str(first.choices.index("SF-GA-003") + 1))
    assert (picked.item, picked.situation) == ("SF-GA-003", "丢失、被盗补领")
    assert "不同情形" not in picked.text  # the situation is not asked again


def test_the_kept_story_is_masked(context):
    # Which card is not said (证件): a numbered question, and the story kept for once the citizen picks.
    say(context, "我叫张三，电话13912345678，我的证件在公交上丢了，补办的话要带啥")
    pending = context.store.load("oSemantic").get("pending") or {}
    assert "公交上丢了" in pending.get("story", "")  # kept, for the situation once the citizen picks
    assert "13912345678" not in str(pending)


def test_a_reply_telling_a_situation_of_several_options_is_settled_by_the_story_and_its_words(context):
    first = say(context, "我们去年在县城买了套商品房，公积金能提吗")
    assert first.action == "clarify" and "SF-GJJ-001" in first.choices
    # 配偶 is a situation of 购买自住住房 and of 公积金贷款; the story (买了商品房) fits both, 取 only one.
    reply = say(context, "我老公也有公积金，能一起取吗")
    assert (reply.action, reply.item, reply.situation) == ("answer", "SF-GJJ-001", "配偶一并提取")


def test_a_character_an_alias_shares_with_one_situation_still_tells_it(context):
    # 社会保障卡挂失与补换 has the alias 社保卡坏了: 坏 still tells 损坏或到期换卡 among its situations.
    say(context, "社保卡挂失与补换")
    reply = say(context, "卡坏了刷不出来，要带啥")
    assert (reply.item, reply.situation) == ("SF-RS-002", "损坏或到期换卡")


def test_an_faq_answer_needs_a_word_in_common_not_only_a_close_meaning(context):
    say(context, "护照补发要带什么材料")
    unrelated = say(context, "附近有银行吗")
    assert not unrelated.text.startswith("可以。护照申请")  # 户口不在示范县能在这里办护照吗's answer
    asked = say(context, "我户口不在示范县，能在这里办护照吗")
    assert asked.text.startswith("可以。护照申请已实行全国通办")


def test_meaning_alone_does_not_pick_a_situation_the_message_says_nothing_of(context):
    say(context, "教师资格认定怎么办")
    reply = say(context, "我考的是高中的，能在县里认定吗")
    # Close in meaning to 非本县户籍 (县), but it says nothing of one's household registration: the FAQ
    # that answers the question leads instead.
    assert reply.item == "SF-JY-001" and reply.situation != "非本县户籍"
    assert reply.text.startswith("不能。")


def test_words_settling_a_situation_get_the_faq_answer_first(context):
    say(context, "户口迁入怎么办")
    reply = say(context, "房产证还没下来，只有购房合同和发票，能办吗")
    assert (reply.item, reply.situation) == ("SF-GA-006", "购房落户（合法稳定住所）")
    assert reply.text.startswith("可以凭已备案的商品房买卖合同")


def test_a_side_question_pointing_at_one_option_alone_settles_the_list(context):
    first = say(context, "老人去世了要办什么手续")
    assert first.action == "clarify" and "SF-GA-015" in first.choices
    # Alone, the question points at 死亡人员户口注销 only (its FAQ on 身后一件事), not at the option whose
    # name shares a character with it (医 of 出生医学证明).
    reply = say(context, "那社保医保那些还要另外去跑吗")
    assert (reply.action, reply.item) == ("answer", "SF-GA-015")
    assert "身后一件事" in reply.text


def test_a_day_asked_after_a_situation_tells_no_other(context):
    say(context, "身份证丢了怎么补办")
    # 周 of 周六 is no word of 未满16周岁.
    reply = say(context, "周六能办吗")
    assert (reply.item, reply.situation) == ("SF-GA-003", "丢失、被盗补领")


def test_a_very_likely_first_option_is_answered_and_the_runner_up_named(context):
    text = "想办个公证 在哪个窗口"
    assert context.knowledge().matcher.decide(text).action == "clarify"  # the matcher alone would ask
    where = say(context, text)
    assert (where.action, where.item, where.field) == ("answer", "SF-SFJ-002", "location")
    assert "如您要办理的是“无犯罪记录证明开具”" in where.text
    record = context.recorder.questions[-1]
    assert (record["action"], record["item_code"], record["reason"]) == ("answer", "SF-SFJ-002", "likely")
    # A follow-up is about the answered item.
    fee = say(context, "要多少钱")
    assert (fee.item, fee.field) == ("SF-SFJ-002", "fee")


def test_a_likely_first_answer_asking_its_own_situation_names_no_runner_up(context):
    text = "喂你好我家宝宝上个礼拜刚生的想给他上户口要带些什么东西"
    born = say(context, text)
    assert (born.action, born.item, born.field) == ("answer", "SF-GA-005", None)
    # Its situations are listed by number: a second list of items would make "1" mean two things.
    assert born.choices and "如您要办理的是" not in born.text


def test_a_likely_first_option_whose_name_the_message_does_not_set_apart_is_still_asked(context):
    # 公积金怎么取出来 says only what every 住房公积金提取 item shares: the deciding question is due.
    broad = say(context, "公积金怎么取出来")
    assert broad.action == "clarify" and len(broad.choices) >= 3


def test_a_day_asked_beside_an_item_is_about_its_desk_that_day(context):
    first = say(context, "二手房过户要带什么")
    assert first.action == "answer" and first.item
    day = say(context, "今天下午还可以去不")
    assert (day.action, day.item, day.field) == ("answer", first.item, "hours")


def test_a_new_item_named_beside_a_situation_list_is_a_new_question(context):
    shop = say(context, "个体工商户设立登记要带什么")
    assert shop.item == "SF-SJ-001" and shop.choices  # its situations, one about licences (前置许可)
    food = say(context, "食品经营许可证要多久")
    assert (food.item, food.field) == ("SF-SJ-007", "time_limit")


def test_a_new_item_named_under_a_numbered_list_is_not_read_as_a_pick(context):
    from bot.matching.decision import Turn

    matcher = context.knowledge().matcher
    pensions = Turn(candidates=("SF-RS-005", "SF-RS-009"))
    decision = matcher.decide("那公积金退休了能全部取出来吗", pensions)
    assert decision.item == "SF-GJJ-004"  # 退休 is an option's word, but 公积金 names another item


def test_items_all_named_by_a_word_the_current_one_lacks_are_a_new_question(context):
    house = say(context, "二手房过户要带什么")
    assert house.item == "SF-ZR-001"
    fund = say(context, "房子是我出钱给儿子买的 写的他的名字 我的公积金能取出来不")
    # 公积金 names the 住房公积金提取 items, none of them 二手房过户: which one is asked, not 过户's.
    assert fund.item != "SF-ZR-001"
    assert fund.action == "clarify" or fund.item.startswith("SF-GJJ")


def test_an_faq_answer_naming_a_situation_puts_the_citizen_in_it(context):
    house = say(
        context, "相中了一套二手房，卖家说房子还押在银行里，贷款还差十几万没还，这样的房子能直接过户吗"
    )
    assert house.item == "SF-ZR-001" and "带押过户" in house.text
    assert house.situation and "带押过户" in house.situation


@pytest.fixture(scope="module")
def river(knowledge) -> StaticKnowledge:
    """A hall the matcher was never built for (bench/heldout/river-hall.json), with the semantic stage."""
    return _hall_knowledge(knowledge, "river")


def test_a_message_that_alone_surely_names_another_item_guesses_no_neighbour(river):
    from bot.matching.decision import Turn

    matcher = river().matcher
    food = Turn(item="YJQ-SJ-04", extra={"topic": matcher.prepare("想在桃花仑开个米粉店 要办哪些证")})
    decision = matcher.decide("先办执照 个体户 就我一个人搞", food)
    assert decision.item == "YJQ-SJ-01"  # 个体工商户注册登记, not 注销 guessed from the topic's neighbours


def test_a_situation_named_in_the_story_s_words_needs_meaning_only_not_to_point_elsewhere(context):
    # From the dev dialogues (dd-016): 在家里头 names 在家中正常死亡, a hair behind 在医疗机构死亡 in meaning.
    died = say(
        context,
        "唉我老伴上个礼拜在家里头走了村卫生院的医生来看过开了个证明现在要去把他户口销了"
        "我这个老太婆啥也不懂要拿些什么东西去",
    )
    assert died.item == "SF-GA-015" and died.situation and "在家中" in died.situation


def test_the_situation_told_again_leads_with_its_note(context):
    # From the dev dialogues (dd-029): the first story already told 行动不便; told again, its note answers.
    say(context, "我家老头子前年中风了半边身子动不了想给他办个残疾证评残要花钱不")
    again = say(context, "他下不了床，去不了医院评定，咋办")
    assert again.item == "SF-CL-001" and "上门" in again.text
    assert again.text.startswith("行动不便无法到评定机构：")


def test_an_option_named_only_by_what_the_citizen_did_not_do_is_not_offered(context):
    # From the dev dialogues (dd-019): 没备案 is the story, 报销 the ask; 异地就医备案 is not what is asked,
    # and of 报销's situations the words point at 外伤住院 and 异地就医未备案, meaning at the second.
    claim = say(context, "我爸上个月在省城住院花了三万多当时没备案回来找医保报销要怎么弄")
    assert (claim.action, claim.item) == ("answer", "SF-YB-005")
    assert claim.situation == "异地就医未备案"


def test_a_follow_up_the_record_answers_stays_though_a_weak_list_names_the_item_too(context):
    from bot.matching.decision import Turn

    matcher = context.knowledge().matcher
    laid_off = Turn(item="SF-RS-004", extra={"topic": matcher.prepare("公司裁员把我辞退了 听说能领失业金")})
    decision = matcher.decide("单位一直拖着不给我办减员怎么办", laid_off)
    assert (decision.action, decision.item) == ("answer", "SF-RS-004")  # its record tells of 减员


def test_the_citizen_may_go_back_to_the_item_talked_about_before(context):
    school = say(context, "孩子今年要上一年级 在县城报名要带什么")
    assert school.item == "SF-JY-002"
    assert say(context, "租房备案怎么办").item == "SF-ZJ-002"
    back = say(context, "孩子是9月3号生的，今年能报不")
    assert back.item == "SF-JY-002" and "8月31日" in back.text


def test_a_count_in_a_follow_up_names_no_other_item(river):
    from bot.matching.decision import Turn

    matcher = river().matcher
    insured = Turn(item="YJQ-YB-01", extra={"topic": matcher.prepare("孩子的医保也要买吧 怎么弄")})
    decision = matcher.decide("多少钱一年", insured)
    assert (decision.item, decision.field) == ("YJQ-YB-01", "fee")  # 一年 is no word of 育儿补贴's


def test_a_bare_name_of_several_services_asks_which(context):
    card = say(context, "社保卡")
    assert card.action == "clarify" and set(card.choices) == {"SF-RS-001", "SF-RS-002"}


def test_a_bare_name_of_one_service_or_with_a_field_is_answered(context):
    assert say(context, "护照怎么办").item == "SF-GA-009"
    where = say(context, "请问办残疾证去哪里")
    assert (where.action, where.field) == ("answer", "location")


def test_a_refinement_beyond_the_list_is_settled_with_the_topic(context):
    # 办身份证 offers 首次申领 / 临时 / 补领; 快过期了 要换新的 names none of them, and with the topic
    # (身份证) it is 换领, not a new question between 身份证换领 and 驾驶证期满换证.
    assert say(context, "办身份证").action == "clarify"
    assert say(context, "快过期了 要换新的").item == "SF-GA-002"


def test_a_question_its_record_answers_stays_on_the_item_among_the_options(context):
    say(context, "我妈今年81了，听说有高龄补贴，要去申请吗")
    assert say(context, "她老年证也没办，我替她去办行吗").item == "SF-MZ-008"
    # Both items named; the record of the one under discussion tells the difference.
    reply = say(context, "老年证跟那个高龄补贴是一回事不")
    assert (reply.action, reply.item) == ("answer", "SF-MZ-008")


def test_a_yes_no_question_in_dialect_gets_the_faq_answer_first(context):
    say(context, "孩子出生了要上户口")
    # 会唔会 (粤语) is 会不会: a yes/no question, which the FAQ answers first.
    reply = say(context, "BB出世成个月啦 迟咗会唔会罚钱㗎")
    assert reply.item == "SF-GA-005" and reply.text.startswith("不会")


def test_another_situations_bracketed_detail_does_not_move_an_established_situation(context):
    first = say(context, "暑假带9岁的儿子出国，帮他办个护照")
    assert (first.item, first.situation) == ("SF-GA-009", "未满16周岁")
    # 有效 is in 换发（有效期即将届满…）'s brackets only: the child's situation stays.
    reply = say(context, "护照几年有效")
    assert (reply.item, reply.situation) == ("SF-GA-009", "未满16周岁")


def test_a_story_asking_an_faq_question_in_its_words_gets_its_answer_first(context):
    reply = say(context, "我们两口子都交着公积金，刚在县城买了新房付了首付，想用公积金贷款，最多能贷多少")
    assert reply.item == "SF-GJJ-005" and "70万" in reply.text.split("\n")[0]


def test_a_field_asked_instead_of_a_pick_is_answered_for_the_option_far_ahead(context):
    story = (
        # No bound of age said (八十岁以上 would settle it: the old-age rule answers 高龄津贴 at once).
        "闺女啊，俺今年八十一了，听俺们村的人说岁数大的国家给补贴，人家都领上了，俺咋一分钱没见着呢？"
        "俺户口是去年才从俺儿子那边迁回来的"
    )
    first = say(context, story)
    scores = context.knowledge().matcher.decide(story).scores
    assert 0.15 < scores[1][1] / scores[0][1] <= 0.35  # far ahead, but not the only credible option
    assert first.action == "clarify" and first.choices[0] == "SF-MZ-006"
    fee = say(context, "一个月给多少钱啊")
    assert (fee.action, fee.item) == ("answer", "SF-MZ-006")
    # The other option stays one message away, and so does a person.
    assert "如您要办理的是" in fee.text and "人工" in fee.text


def test_a_field_asked_under_a_list_of_equals_asks_again(context):
    first = say(context, "公积金怎么取出来")
    assert first.action == "clarify"
    again = say(context, "要多久")
    assert again.action == "clarify" and again.choices == first.choices


def test_a_detail_the_current_items_record_tells_stays_on_it(context):
    say(context, "我本来是来给我妈办老年证的，要带啥")
    photo = say(context, "照片要自己带吗")
    # 居民身份证首次申领 has an FAQ in these very words, but nothing names it.
    assert (photo.action, photo.item) == ("answer", "SF-MZ-008")


def test_what_to_bring_after_an_answer_is_the_whole_block(context):
    say(context, "娃娃12岁了能办身份证不")
    bring = say(context, "他姐姐也从未领取过，一起办要带啥")
    # A record sentence (…从未领取过居民身份证…) would answer 从未领取过; the materials were asked.
    assert (bring.item, bring.field) == ("SF-GA-001", None)
    assert "所需材料" in bring.text


def test_a_field_every_option_says_alike_is_answered_beside_the_question(context):
    first = say(context, "身份证的事")
    assert first.action == "clarify" and len(first.choices) >= 3
    floor = say(context, "在几楼办")
    # Every ID-card item is handled at 公安户政窗口1-6号: that now, the question for what still differs.
    assert floor.action == "clarify" and floor.choices == first.choices
    assert "这几项的办理地点相同：公安户政窗口1-6号（一楼A区）" in floor.text
    # Their fees differ: no shared answer, the question alone.
    fee = say(context, "多少钱")
    assert fee.action == "clarify" and "相同" not in fee.text


def test_a_message_under_a_list_that_surely_names_another_item_leaves_the_list(context):
    listed = say(context, "想问问养老保险的事")
    assert listed.action == "clarify" and "SF-RS-006" not in listed.choices
    # 转回来 names 养老保险关系转移接续 (its aliases), which no option's names hold: not a pick of 城乡居民
    # 养老保险 by its shared words.
    moved = say(context, "我在浙江厂里交了十年，现在回老家不出去了，想把养老保险转回来")
    assert moved.item == "SF-RS-006" or "SF-RS-006" in moved.choices
    # An option's own words still pick it (退休 of 公积金提取（离休、退休）), whatever else 退休 names.
    say(context, "公积金怎么取")
    assert say(context, "退休了").item == "SF-GJJ-004"


def _hall_knowledge(knowledge: StaticKnowledge, name: str) -> StaticKnowledge:
    """A development hall of ``bench/heldout`` (other hands wrote it; the matcher was not built for it), with
    the semantic stage of ``knowledge``."""
    from bot.matching.vectorcache import LmdbVectorCache

    hall = Path(__file__).resolve().parent.parent / "bench" / "heldout" / f"{name}-hall.json"
    embedder = knowledge().matcher.semantic.embedder
    return StaticKnowledge(load_kb(hall), SemanticSetup(embedder, LmdbVectorCache(str(VECTORS))))


def _other_hall(knowledge: StaticKnowledge, name: str) -> Context:
    """A conversation over a development hall of ``bench/heldout``."""
    return make_context(_hall_knowledge(knowledge, name))


def test_one_very_likely_item_is_asked_about_not_handed_off(knowledge):
    context = _other_hall(knowledge, "orchard")
    text = "你好 我叫岩温 电话13988776655 我阿爸眼睛看不见了 想办残疾证"
    decision = context.knowledge().matcher.decide(text)
    assert decision.action != "handoff" and decision.scores[0] == ("GL-CL-001", decision.scores[0][1])
    assert decision.scores[0][1] >= 0.9
    reply = say(context, text)
    assert reply.action in ("answer", "clarify") and "13988776655" not in reply.text


def test_a_stories_asking_clause_finds_its_faq_entry(knowledge):
    context = _other_hall(knowledge, "delta")
    story = (
        "俺是河南周口哩，在这边厂里干活。上个月俺爹查出来肺癌，家里钱都花完了，还借了亲戚好几万。"
        "俺户口在老家，能在恁这申请低保不？"
    )
    reply = say(context, story)
    # The whole story is about as close to every passage; its asking clause is the FAQ entry
    # 外地户口能在这里申请低保吗？ (不能…临时救助), said first, then the one-trip block.
    assert (reply.action, reply.item) == ("answer", "SJZ-MZ-04")
    assert reply.text.startswith("不能。") and "所需材料" in reply.text


def test_where_to_do_the_errand_is_the_items_desk_though_the_hall_is_named(context):
    say(context, "身份证丢了怎么补办")
    where = say(context, "在哪办，是不是到你们那")
    assert (where.action, where.item, where.field) == ("answer", "SF-GA-003", "location")
    # Where the hall itself is, with no errand asked, is the hall's.
    assert say(context, "你们地址在哪").action == "hall"


def test_another_item_named_far_ahead_leaves_the_current_one(context):
    say(context, "他这个样子还领得残疾人的补贴不，跟低保能一起拿不")
    # 残疾证 names 残疾人证办理 (not the allowance under discussion), far ahead of the rest; 要带么子 asks
    # what to bring, not whether to bring the card.
    card = say(context, "他还冇办残疾证咧，那要先去办那个证吧，要带么子")
    assert (card.action, card.item, card.field) == ("answer", "SF-CL-001", None)


def test_who_may_go_and_a_situation_told_stay_on_the_item(context):
    say(context, "俺家那户口本不知道搁哪儿了，翻了好几天也没找着，补一个得带啥玩意儿？")
    # 户主 and 户口 fit other items; whether she may go herself is asked of the item at hand.
    who = say(context, "户主是俺爹，八十多了腿脚不利索，俺是他闺女，户口也在一个本上，俺自己去中不？")
    assert (who.action, who.item) == ("answer", "SF-GA-016")
    say(context, "我是村里的，今年刚满六十，交了十几年新农保，现在想按月领养老金，要带啥东西去？")
    # 不到十五年 tells 累计缴费不足15年 of the pension under discussion.
    told = say(context, "我翻了下本子，其实只交了十二年，不到十五年是不是就领不了了？")
    assert (told.action, told.item) == ("answer", "SF-RS-009")


def test_a_desk_asked_under_a_list_every_option_shares_is_told_with_the_list(context):
    listed = say(context, "公积金怎么取")
    desk = say(context, "在哪个窗口办")
    assert desk.action == "clarify" and desk.choices == listed.choices
    assert "住房公积金窗口21-23号" in desk.text
    # The hall's own address is the hall's.
    assert say(context, "你们地址在哪").action == "hall"


def test_a_correction_is_read_afresh(context):
    say(context, "给小孩办个证要什么手续")
    meant = say(context, "不是身份证，我是说刚生下来的娃要上户口")
    assert (meant.action, meant.item) == ("answer", "SF-GA-005")


def test_an_option_named_by_its_alias_is_picked(knowledge):
    context = _other_hall(knowledge, "bay")
    listed = say(context, "我想喺湾口开个肠粉档口，要办啲咩牌照？")
    assert listed.action == "clarify" and "WK-SJ-001" in listed.choices
    # 营业执照 is 个体工商户设立登记's alias (办营业执照), no word of its name; 营 of 小餐饮经营许可 hints at
    # nothing then.
    picked = say(context, "营业执照我系外地人，冇居住证得唔得")
    assert (picked.action, picked.item) == ("answer", "WK-SJ-001")


def test_how_many_and_how_much_name_no_item(context):
    say(context, "我在东莞一个电子厂干了四年今年厂子倒闭把我们都辞退了社保一直是厂里交的，失业金能不能领")
    # 最多 (how much) is in 公积金贷款's FAQ (最多能贷多少) but names nothing: a follow-up.
    months = say(context, "最多能领几个月")
    assert (months.action, months.item) == ("answer", "SF-RS-004")


@pytest.fixture(scope="module")
def tide(knowledge) -> StaticKnowledge:
    """A hall the matcher was not built for (development material of bench/heldout)."""
    return _hall_knowledge(knowledge, "tide")


def test_a_question_of_its_own_that_with_the_topic_names_a_neighbour_moves_there(tide):
    matcher = tide().matcher
    turn = matcher.replay(["残疾证怎么办", "评残要去哪里评"])
    assert turn.item == "TD-CL-001"
    # 补贴, which 残疾人证办理 lacks, names its neighbour 残疾人两项补贴 with the topic.
    decision = matcher.decide("办下来以后有什么补贴吗", turn)
    assert (decision.action, decision.item) == ("answer", "TD-CL-002")


def test_a_neighbour_of_the_topic_is_not_guessed_when_the_message_alone_is_sure_elsewhere(knowledge):
    matcher = knowledge().matcher
    turn = matcher.replay(["要开个参保证明"])
    assert turn.item == "SF-RS-010"
    # 纳税证明 alone is surely 个人所得税纳税记录开具: no neighbour of 参保证明 (无犯罪记录证明开具).
    decision = matcher.decide("还要开个纳税证明，在哪开", turn)
    assert (decision.action, decision.item) == ("answer", "SF-SW-004")


def test_two_errands_told_at_once_get_the_likeliest_answered_and_the_other_named(tide):
    reply = say(make_context(tide), "我老婆上个月在县医院生了 小孩要报户口 还有医保那些 是不是要跑好几个地方")
    assert (reply.action, reply.item) == ("answer", "TD-GA-005")
    assert "您还问到了“城乡居民基本医疗保险参保登记”" in reply.text


def test_a_bare_family_name_asks_with_the_whole_family(context):
    # The ranker finds three of the four 居民身份证 items close; the question offers all four.
    reply = say(context, "办身份证")
    assert reply.action == "clarify"
    assert {"SF-GA-001", "SF-GA-002", "SF-GA-003", "SF-GA-004"} <= set(reply.choices)


def test_the_current_items_operation_keeps_a_case_on_it(knowledge):
    context = _other_hall(knowledge, "lotus")
    say(context, "身份证被人偷了怎么补办")
    # 户口 of the case fits household items, none of which 补 (户口迁入, 出生登记…); the item at hand does.
    case = say(context, "我户口不在这里的也能补？")
    assert (case.action, case.item) == ("answer", "HT-GA-003")


def test_a_document_told_lost_gets_its_replacement_when_its_item_is_only_likely(knowledge):
    context = _other_hall(knowledge, "city")
    # 社会保障卡申领 likely (not sure) for the story; the card is lost: the item replacing it, not a person.
    lost = say(context, "我是个老年人 手机不会弄 社保卡找不到了 咋个办嘛")
    assert (lost.action, lost.item) == ("answer", "MC-RS-02")


def test_another_document_named_apart_leaves_the_item_though_the_ranker_finds_the_message_unusual(context):
    say(context, "周六出入境那边开门吗 想办个护照")
    say(context, "头一回办 带啥")
    # The ranker hands the whole message off (low confidence), its first item far ahead and named apart.
    other = say(context, "我媳妇的港澳通行证也过期了能一起办吗")
    assert (other.action, other.item) == ("answer", "SF-GA-010")


def test_the_current_items_own_operation_keeps_a_follow_up_from_a_neighbour(context):
    say(context, "我是外地嫁过来的，户口想迁到我老公家")
    # 户口 names 出生登记 too, but 迁 is what the item at hand does; the child (6岁) is a minor.
    child = say(context, "我家娃的户口能跟着一起迁过来不 他6岁")
    assert (child.action, child.item) == ("answer", "SF-GA-006")
    assert "未成年子女" in child.text and "情形：子女投靠父母" in child.text


def test_the_citizens_own_counted_questions_are_taken_up_by_number(context):
    first = say(context, "问两个问题，第一个，我之前在广东交的养老保险怎么转回本县，第二个，医保要不要也转")
    assert (first.action, first.item) == ("answer", "SF-RS-006")
    assert not first.text.startswith("现在正在办公")  # 回本县 is no hours question
    second = say(context, "那第二个呢")
    assert (second.action, second.item) == ("answer", "SF-YB-006")


def test_a_stray_number_without_counted_questions_still_says_there_is_no_list(context):
    reply = say(context, "第二个")
    assert reply.action == "smalltalk" and "没有待选择的编号" in reply.text


def test_working_somewhere_now_is_no_hours_question(context):
    reply = say(context, "我现在在县城上班了，想把社保从老家转过来")
    assert reply.action in ("answer", "clarify")
    assert "正在办公" not in reply.text and "下班" not in reply.text


def test_whether_one_can_go_now_stays_on_the_item_whatever_faq_says_now(knowledge):
    context = _other_hall(knowledge, "plain")
    say(context, "孩子考上大学了，生源地助学贷款怎么申请")
    # 现在 is in 生育登记's FAQ (现在还需要办准生证吗): a moment names no item.
    now = say(context, "现在可以去办吗")
    assert (now.action, now.item, now.field) == ("answer", "PCX-JY-003", "hours")
    # Out of the yearly period applications are taken in: when it opens again, not today's hours.
    assert "不在受理期" in now.text and "7月1日" in now.text


def test_the_citizen_who_cannot_come_back_gets_the_case_for_someone_absent(knowledge):
    context = _other_hall(knowledge, "plain")
    say(context, "我爸妈都去世了，房子还在我爸名下，我们姐弟三个要办继承过户")
    away = say(context, "我在深圳回不去，咋整")
    assert (away.action, away.item) == ("answer", "PCX-BDC-005")
    assert "情形：继承人在外地不能到场" in away.text


def test_another_matter_announced_is_not_kept_on_the_item_at_hand(knowledge):
    context = _other_hall(knowledge, "plain")
    say(context, "我爸妈都去世了，房子还在我爸名下，我们姐弟三个要办继承过户")
    other = say(context, "还有个事，我妈生前在外地住院的钱医保没报，现在还能报吗")
    assert other.item != "PCX-BDC-005"
    assert "PCX-YB-004" in (other.item, *other.choices)


def test_the_sellers_loan_settles_the_mortgage_case_of_a_listed_transfer(context):
    say(context, "二手房过户要带什么")
    # 贷款 is a word of 买方贷款购房; the seller's loan unpaid is the house still mortgaged.
    case = say(context, "卖房的那家贷款还没还完呢")
    assert (case.action, case.item) == ("answer", "SF-ZR-001")
    assert "情形：房屋有抵押未注销" in case.text


def test_a_story_of_the_sellers_loan_tells_the_mortgage_case(context):
    case = say(context, "买了套二手房 房东贷款还没还清 能过户吗")
    assert (case.action, case.item) == ("answer", "SF-ZR-001")
    assert "情形：房屋有抵押未注销" in case.text


def test_a_question_naming_other_items_is_not_kept_on_the_item_by_its_story(knowledge):
    context = _other_hall(knowledge, "plain")
    say(context, "俺孙女满十六了，给她办身份证咋弄")
    # 爹妈在外头打工 fits the ID card's own FAQ; 补贴 names items the ID card's record lacks.
    other = say(context, "听说没人抚养的孩子能领补贴，俺孙女这样爹妈都在外地打工的能领不")
    assert other.item != "PCX-GA-001"
    assert "PCX-MZ-008" in (other.item, *other.choices)


def test_a_reply_under_a_list_that_with_its_topic_names_another_item_goes_there(context):
    listed = say(context, "社保")
    assert listed.action == "clarify" and "SF-RS-002" not in listed.choices
    # None of 社保's items is a card; 卡 with the topic 社保, told lost, is 社会保障卡挂失与补换.
    lost = say(context, "卡不见了 钱包被人偷了")
    assert (lost.action, lost.item) == ("answer", "SF-RS-002")


def test_a_bare_materials_question_in_other_words_stays_on_the_item(knowledge):
    context = _other_hall(knowledge, "oasis")
    say(context, "我今年满六十了 农村养老金咋领 交了十五年了")
    # 东西 is no item's word: what to bring, of the item at hand.
    bring = say(context, "那要带啥东西")
    assert (bring.action, bring.item, bring.field) == ("answer", "LZX-RS-004", None)


def test_the_errand_said_by_its_verb_decides_among_the_items_a_short_story_fits(knowledge):
    context = _other_hall(knowledge, "oasis")
    # 户口 fits household items; 要结婚 says the errand.
    reply = say(context, "我俩要结婚 要带啥 我户口在伊宁")
    assert (reply.action, reply.item) == ("answer", "LZX-MZ-001")


def test_the_story_told_before_picking_one_of_two_errands_tells_its_situation(context):
    say(
        context,
        "俺家老爷子前几天在县医院走了，户口得去销，他年初住院那回的钱还没报，这些咋整",
    )
    # The errand picked now; where he died was told before.
    first = say(context, "先说销户口的，要带啥")
    assert (first.item, first.situation) == ("SF-GA-015", "在医疗机构死亡")


def test_a_message_alone_sure_of_the_item_at_hand_is_not_moved_by_an_older_topic(context):
    say(context, "户口本丢了怎么补")
    say(context, "身份证也找不着了，能一起补不")
    # The topic still holds 户口簿 from the first message; 补身份证 alone is surely the ID card.
    fee = say(context, "补身份证要多少钱")
    assert (fee.item, fee.field) == ("SF-GA-003", "fee")


def test_papers_asked_for_under_a_list_ask_the_list_again(knowledge):
    context = _other_hall(knowledge, "hill")
    listed = say(context, "民族成分的事想问一下")
    assert listed.action == "clarify"
    # 证明 is what to bring, no hint at 居民身份证 (its 证) nor, in meaning, at any option.
    papers = say(context, "要带什么证明")
    assert papers.action == "clarify" and set(papers.choices) == set(listed.choices)


def test_the_earlier_item_referred_to_by_one_character_of_its_operation(context):
    say(context, "身份证被偷了怎么补")
    say(context, "临时身份证当天能拿到吗")
    # 补的那个: 补 of 居民身份证补领, which 临时居民身份证申领 lacks.
    back = say(context, "那补的那个能邮寄到家不")
    assert back.item == "SF-GA-003"


def test_a_story_told_four_messages_ago_still_tells_the_situation(context):
    say(context, "前天坐公交钱包被人偷了，身份证和驾驶证都在里面")
    say(context, "身份证先补")
    say(context, "要多少钱")
    say(context, "多久能拿到")
    reply = say(context, "驾驶证呢")
    assert reply.item == "SF-GA-013"
    assert reply.situation is not None and "被盗" in reply.situation


def test_a_correction_leaves_the_item_and_its_situation_list(context):
    first = say(context, "我们俩打算离婚，要准备什么")
    assert first.item == "SF-MZ-002" and first.choices  # its situations offered beside the answer
    reply = say(context, "我搞错了，不是离婚，是离婚证丢了要补")
    assert reply.item == "SF-MZ-003"


def test_an_apology_for_a_wrong_word_is_no_correction_of_the_item(context):
    say(context, "身份证丢了怎么补")
    reply = say(context, "说错了，是户口本丢了")
    assert reply.item == "SF-GA-016"


@pytest.fixture(scope="module")
def marsh(knowledge) -> StaticKnowledge:
    # A second hall (development material): FAQs asking alike (两个人都要去吗 of 补领, beside 结婚登记).
    return _hall_knowledge(knowledge, "marsh")


def test_who_must_come_stays_on_the_errand_at_hand(marsh):
    context = make_context(marsh)
    say(context, "领结婚证要带什么")
    assert say(context, "两个人都要去吗").item == "LD-MZ-001"
    assert say(context, "要俩人一起去不").item == "LD-MZ-001"
    # Naming the other errand still goes there.
    assert say(context, "补结婚证要两个人都去吗").item == "LD-MZ-003"


def test_a_materials_question_gets_no_faq_sharing_only_the_item_name(marsh):
    context = make_context(marsh)
    reply = say(context, "那我问问下周去领结婚证要带什么")
    assert reply.item == "LD-MZ-001"
    assert reply.text.startswith("【内地居民结婚登记】")


def test_an_old_age_told_settles_the_list_it_leads(context):
    # 养老待遇申领 (年满60周岁) leads 参保登记; the age told settles it.
    reply = say(context, "我妈今年刚满六十，交了十来年农村养老保险，现在咋领钱")
    assert reply.action == "answer" and reply.item == "SF-RS-009"


def test_an_old_age_does_not_overrule_what_else_the_story_tells(context):
    reply = say(context, "我爸今年六十八了，以前当过兵，想给他办个优待证")
    assert reply.action == "clarify"


def test_a_word_of_one_option_that_the_message_means_of_another_does_not_pick_it(knowledge):
    # 买房子 says 购房, a word of 偿还购房贷款本息 alone, yet the message is about buying: alone it points
    # far ahead at 购买自住住房.
    context = _other_hall(knowledge, "lotus")
    assert say(context, "公积金提取").action == "clarify"
    assert say(context, "帮女儿买房子，付首付").item == "HT-GJJ-001"


def test_a_situation_told_of_one_option_outweighs_a_word_of_another(context):
    # 买房 says 购房, a word of 偿还购房贷款 alone; buying for a son is a case of 购买自住住房.
    assert say(context, "公积金怎么提取").action == "clarify"
    assert say(context, "我是给儿子买房").item == "SF-GJJ-001"


def test_a_material_of_the_errand_at_hand_asked_for_stays_on_it(context):
    say(context, "我爸要去外地长住，异地就医备案怎么弄")
    reply = say(context, "那要交居住证明不")
    assert reply.item == "SF-YB-002"
    assert "居住证明" in reply.text


def test_how_long_a_thing_stays_valid_is_answered_by_the_record_not_the_time_limit(context):
    say(context, "我妈要去省城做手术 县医院给开了转院单 医保要怎么弄才能在那边直接报")
    reply = say(context, "那个备案能管多久")
    assert reply.item == "SF-YB-002" and "6个月" in reply.text.split("【")[0]


def test_where_a_death_certificate_is_got_follows_the_situation_told(context):
    first = say(context, "我父亲上个礼拜六在家里走的 老人八十多了 现在要去把户口销掉 需要带啥")
    assert first.situation == "在家中正常死亡"
    reply = say(context, "死亡证明上哪开去？人都没送医院")
    assert reply.situation == "在家中正常死亡" and "乡镇卫生院" in reply.text.split("【")[0]


def test_how_early_a_renewal_may_be_applied_for_is_answered_by_the_record(context):
    say(context, "我驾驶证明年一月到期")
    reply = say(context, "提前多久去换")
    assert reply.item == "SF-GA-012" and "90日" in reply.text.split("【")[0]


def test_how_long_a_first_card_lasts_is_answered_though_the_question_names_nothing(context):
    say(context, "俺闺女上个月刚满16，还没办过身份证，趁暑假想给她办了，得带啥")
    reply = say(context, "办出来能用几年？")
    assert (reply.action, reply.item) == ("answer", "SF-GA-001") and "10年" in reply.text.split("【")[0]


def test_a_doing_not_done_still_tells_its_situation(context):
    say(context, "公积金咋个取出来嘛")
    say(context, "都不是，我没买房子，也还没退休，一直在外头租房子住")
    reply = say(context, "租的房子合同没去备过案，一年能取好多")
    assert reply.item == "SF-GJJ-003" and "未办理" in (reply.situation or "")


def test_a_holiday_named_as_a_day_tells_no_situation_and_cannot_come_gets_the_way_online(context):
    say(context, "港澳通行证还在有效期 就是签注用完了 国庆想带老婆去趟澳门")
    hours = say(context, "国庆期间你们上班吗 我3号过去办")
    assert hours.item == "SF-GA-010" and hours.situation == "证件有效、只需再次签注"  # 国 of 国庆 is no 国家
    other = say(context, "今天下午赶不过去了 还有别的办法没")
    assert (other.action, other.item, other.field) == ("answer", "SF-GA-010", "online")


def test_whether_the_hall_handles_the_errand_at_hand_is_its_desk_not_the_hours(context):
    say(context, "我想办护照")
    reply = say(context, "你们大厅能办不")
    assert (reply.action, reply.item, reply.field) == ("answer", "SF-GA-009", "location")
    assert say(context, "周六大厅能办不").action == "hall"  # a day named: the hours


@pytest.fixture(scope="module")
def steppe() -> StaticKnowledge:
    """A hall of other hands (bench/heldout: a pastoral banner), for what the demo hall has no case of."""
    return semantic_knowledge(
        Path(__file__).resolve().parent.parent / "bench" / "heldout" / "steppe-hall.json"
    )


def test_a_thing_only_the_errand_at_hand_tells_keeps_the_question_on_it(steppe):
    context = make_context(steppe)
    assert say(context, "下个礼拜三收羊的车就来拉羊了 检疫得提前几天报").item == "WLT-NM-002"
    reply = say(context, "有几只羊耳标掉了咋整")  # 补戴耳标: in the quarantine record only
    assert reply.item == "WLT-NM-002" and "耳标" in reply.text.split("【")[0]


def test_what_kind_of_a_material_stays_on_the_errand_at_hand(steppe):
    context = make_context(steppe)
    say(context, "我对象是河北的户口 在我们旗上班 办了居住证 我们想今天领证 能在这领吗")
    reply = say(context, "照片要啥样的")  # 社会保障卡申领 has a photo too
    assert reply.item == "WLT-MZ-001" and "2寸红底双人合影" in reply.text.split("【")[0]


def test_which_papers_to_bring_after_an_answer_stays_on_its_item(context):
    assert say(context, "房子着火了 家里东西全烧了 能申请救助不").item == "SF-MZ-007"
    reply = say(context, "要带啥证明")
    assert (reply.action, reply.item) == ("answer", "SF-MZ-007")


def test_not_retired_answers_no_retirement_option(context):
    assert say(context, "公积金咋个取出来嘛").action == "clarify"
    reply = say(context, "都不是，我没买房子，也还没退休，一直在外头租房子住")
    assert (reply.action, reply.item) == ("answer", "SF-GJJ-003")


def test_a_card_told_stolen_with_the_wallet_is_replaced_whatever_else_the_story_says(context):
    story = "嗯 那个 我就是昨天在菜市场 钱包让人给摸走了 身份证也在里头 我户口就在咱县城关镇 那个 现在要咋弄"
    reply = say(context, story)
    assert (reply.action, reply.item) == ("answer", "SF-GA-003")
    assert "被盗" in (reply.situation or "")


def test_a_field_asked_of_another_document_leaves_the_item_at_hand(context):
    say(context, "儿子考上外省的大学了 通知书上说户口可以迁到学校 要迁的话在咱这得办啥")
    say(context, "必须得迁吗")
    reply = say(context, "还有他身份证是13岁办的 今年到期了 开学前能换下来不")
    assert (reply.action, reply.item) == ("answer", "SF-GA-002")


def test_a_document_the_citizen_lacks_or_the_record_names_keeps_the_item_at_hand(context):
    say(context, "我屋头娃儿才生了二十多天，想给他上户口，要弄些啥子嘛")
    reply = say(context, "我跟娃儿他爸还没扯证，莫得结婚证，得不得行哦")
    assert (reply.action, reply.item) == ("answer", "SF-GA-005")


def test_a_card_the_record_pays_onto_keeps_the_item_at_hand(context):
    say(context, "我妈去年11月份满的80 户口一直在城关镇 听说80岁以上有补贴 要去哪申请")
    reply = say(context, "可到现在一分钱也没见着 社保卡上查了没有")
    assert (reply.action, reply.item) == ("answer", "SF-MZ-006")


def test_a_certificate_searched_for_and_not_found_is_replaced(context):
    reply = say(context, "我们家那套房子要卖 买家都谈好了 结果房产证翻了半个月没找着 这咋办")
    assert (reply.action, reply.item) == ("answer", "SF-ZR-004")


def test_money_not_come_is_asked_of_the_benefit_at_hand(context):
    say(context, "高龄补贴 我爸八十一了 要去哪申请")
    reply = say(context, "没收到钱咋办")
    assert (reply.action, reply.item) == ("answer", "SF-MZ-006")


def test_who_the_family_is_is_a_case_of_the_item_at_hand(context):
    say(context, "孩子满16了 第一次办身份证")
    reply = say(context, "我们是低保户 这个工本费要交吗")
    assert (reply.action, reply.item, reply.field) == ("answer", "SF-GA-001", "fee")
    assert "低保" in (reply.situation or "")
    assert "免收工本费" in reply.text.splitlines()[0]  # the case's own note leads


def test_a_kind_of_person_told_keeps_the_insurance_and_says_what_the_case_pays(context):
    say(context, "我想给我爸办城乡居民医保")
    reply = say(context, "他是特困人员 个人要交钱不")
    assert (reply.action, reply.item, reply.field) == ("answer", "SF-YB-001", "fee")
    assert "资助" in reply.text.splitlines()[0]


def test_the_errand_of_a_kind_of_person_named_is_still_that_errand(context):
    say(context, "孩子满16了 第一次办身份证")
    reply = say(context, "低保要带什么材料")
    assert (reply.action, reply.item) == ("answer", "SF-MZ-004")


def test_the_same_errand_for_another_person_stays_and_drops_the_first_persons_case(context):
    say(context, "我妈68了 腿脚不方便 我替她去办老年人优待证行不行")
    reply = say(context, "那我自己呢，我也61了")
    assert (reply.action, reply.item) == ("answer", "SF-MZ-008")
    assert reply.situation is None  # the mother's case (a relative going for her) is not the citizen's


def test_someone_running_the_errand_for_an_old_person_picks_the_case_for_it(context):
    say(context, "我75了 一个人过 没儿没女 想住敬老院")
    reply = say(context, "我外甥离得近 他能帮我跑一趟不")
    assert (reply.action, reply.item) == ("answer", "SF-MZ-005")
    assert reply.situation == "本人无法申请"


def test_the_last_asking_clause_of_a_story_decides_between_two_items(context):
    # The shop (奶茶) makes the food permit a candidate; the question asks for the business licence.
    reply = say(context, "想在二小对面开个奶茶铺子，营业执照要咋个办")
    assert (reply.action, reply.item) == ("answer", "SF-SJ-001")


def test_a_partner_from_another_province_is_no_foreigner(context):
    reply = say(context, "我俩在外地打工好几年了，结婚证怎么办")
    assert (reply.action, reply.item) == ("answer", "SF-MZ-001")
    assert reply.situation is None  # 外 of 外地 is not the 外国人 of 港澳台居民、华侨或外国人


def test_a_story_that_says_the_errand_first_then_asks_of_a_material(context):
    reply = say(context, "我跟对象打算下个月去领证，她户口在外省，要带户口本吗")
    assert (reply.action, reply.item) == ("answer", "SF-MZ-001")


def test_another_items_document_told_lacking_is_a_case_of_the_errand_at_hand(context):
    say(context, "刚生了娃 想给孩子上户口")
    reply = say(context, "我跟孩子他爸还没领结婚证 能上吗")
    assert (reply.action, reply.item) == ("answer", "SF-GA-005")
    assert reply.situation == "非婚生育"


def test_a_story_with_a_homophone_typo_still_tells_its_case(context):
    reply = say(context, "社宝卡丢了 好着急")  # 社宝卡: 社保卡 typed by sound
    assert (reply.action, reply.item, reply.situation) == ("answer", "SF-RS-002", "遗失补卡")


def test_a_paper_of_the_errand_at_hand_told_lost_gets_what_its_record_says(context):
    say(context, "我妈上礼拜在医院过世了 要去销户口")
    reply = say(context, "她身份证到处找都找不到了 怎么办")
    assert (reply.action, reply.item) == ("answer", "SF-GA-015")  # not 居民身份证补领 for the deceased
    assert "书面说明" in reply.text.splitlines()[0]


def test_a_word_of_one_options_case_and_of_what_it_is_about_settles_a_numbered_question(context):
    # 透析 is a word of 门诊慢特病待遇认定's 尿毒症透析 only; 慢病 of its aliases: not 手工报销.
    reply = say(context, "我爸每周都要做透析 听说办个慢病医保能多报些")
    assert (reply.action, reply.item, reply.situation) == ("answer", "SF-YB-004", "尿毒症透析")


def test_a_paper_of_any_errand_names_no_other_item(context):
    say(context, "身份证掉了 要补办")
    reply = say(context, "要不要先去派出所开个证明或者登个报")
    # 证明 is no name of 无犯罪记录证明开具: the errand at hand, whose FAQ says no notice is needed.
    assert (reply.action, reply.item) == ("answer", "SF-GA-003")
    assert "登报" in reply.text.splitlines()[0]


@pytest.mark.parametrize("asked", ["那要是没备案直接去了呢", "要是没备案就住进去了呢"])
def test_a_what_if_turn_stays_on_the_errand_at_hand(context, asked):
    # Alone, its words fit 异地就医备案 and 房屋租赁登记备案 alike (a numbered question); after the filing,
    # it asks of the filing in another case.
    say(context, "我妈医保在示范县 要去省城大医院住院 要办啥手续才能直接报")
    reply = say(context, asked)
    assert (reply.action, reply.item) == ("answer", "SF-YB-002")


def test_this_one_at_the_start_asks_of_the_errand_at_hand(context):
    say(context, "那个一年3600的育儿补贴怎么领")
    reply = say(context, "领这个钱要交税吗")  # alone, 失业保险金 or 生育津贴
    assert (reply.action, reply.item) == ("answer", "SF-WJ-003")
    assert "免征个人所得税" in reply.text.split("【")[0]


def test_what_comes_after_the_errand_is_done_is_the_next_errand(context):
    say(context, "我爸中风以后瘫在床上了 想给他办个残疾证")
    reply = say(context, "证办下来以后补贴咋申请")
    assert (reply.action, reply.item) == ("answer", "SF-CL-003")


def test_a_short_yes_no_question_the_records_answers_stays_on_the_item(knowledge):
    # 担保 names 创业担保贷款 too; the student loan's own record says 不需要担保.
    context = _other_hall(knowledge, "karst")
    say(context, "孩子考上桂林的大学了 家里困难 想办助学贷款")
    reply = say(context, "要找人担保吗")
    assert (reply.action, reply.item) == ("answer", "YX-JY-003")
    assert reply.text.startswith("不需要")


def test_whether_a_step_is_an_errand_of_its_own_is_not_asked_of_the_record(context):
    say(context, "厂里把我们一车间都辞了 我在厂里干了六年 能领失业金不")
    reply = say(context, "失业登记是另外办吗")  # 失业登记 is in 失业保险金申领's record too
    assert reply.item != "SF-RS-004"


def test_an_option_named_by_words_the_errand_at_hand_lacks_is_not_taken_for_it(context):
    say(context, "我爸上周在家走了 户口要销")
    reply = say(context, "他生前住院花的医药费还没报销 人不在了还能报吗")
    assert (reply.action, reply.item) == ("answer", "SF-YB-005")
    assert reply.situation is not None and "去世" in reply.situation


def test_a_thing_said_too_that_another_errand_names_turns_to_it(context):
    say(context, "货车从业资格证要到期了")
    reply = say(context, "我驾照也快到期了 这个怎么换")
    assert (reply.action, reply.item, reply.field) == ("answer", "SF-GA-012", None)


def test_whether_one_must_go_in_person_points_to_the_case_for_someone_going_instead(context):
    say(context, "我舅明年满60 在村里交新农保交了十来年 能领养老金不")
    reply = say(context, "得他本人去吗 他腿脚不好")
    assert reply.item == "SF-RS-009"
    assert reply.text.startswith("亲属代办")  # the record's case for it, not "the guide does not say"


def test_no_employer_tells_no_case_of_an_employees(context):
    reply = say(context, "我这几年没单位 社保一直是自己交的 明年满60了 退休咋办")
    assert reply.item == "SF-RS-005"
    assert reply.situation != "单位职工"  # 没单位 denies it


def test_someone_running_the_errand_for_the_citizen_is_that_case_in_full(context):
    say(context, "我刚退休 想把公积金一次取完")
    reply = say(context, "我腰不好走不动 让我儿子替我跑一趟成不成")
    assert (reply.item, reply.field) == ("SF-GJJ-004", None)  # not the way online (跑一趟)
    assert reply.situation is not None and "委托" in reply.situation and "委托书" in reply.text


def test_whether_one_must_come_is_answered_by_the_record_not_an_faq_entry_about_something_else(context):
    say(context, "银行的房贷还清了 银行让去把抵押注销掉")
    reply = say(context, "这个得我本人跑一趟吗")
    assert reply.item == "SF-ZR-003"
    assert "无需本人到场" in reply.text


def test_going_back_names_an_errand_answered_several_turns_before(context):
    say(context, "我被公司辞退了 失业金怎么领")
    say(context, "失业登记在哪办")
    say(context, "我想自己接着交社保")
    reply = say(context, "再回到失业金 多久能批下来")
    assert reply.item == "SF-RS-004"


def test_never_having_had_one_is_the_first_time_errand(context):
    reply = say(context, "外孙下个月满16 一直没办过身份证 要准备啥")
    assert (reply.action, reply.item) == ("answer", "SF-GA-001")


def test_the_clause_saying_what_is_wanted_decides_away_from_the_errand_at_hand(context):
    say(context, "我爸肾衰竭每周都要透析 能办门诊慢特病吗")
    reply = say(context, "看病把家里的钱都花光了，想申请低保")  # 临时救助 close in meaning too
    assert (reply.action, reply.item) == ("answer", "SF-MZ-004")


def test_the_errand_after_one_done_is_the_one_asked_about(context):
    say(context, "户口本丢了怎么补")
    reply = say(context, "补好户口本再去换身份证 换身份证多少钱")
    assert (reply.item, reply.field) == ("SF-GA-002", "fee")


def test_the_errand_after_one_done_is_no_pick_of_the_situations_listed(context):
    say(context, "我妈去世了 想查她名下的房产")
    reply = say(context, "查好了就办继承 还要公证吧 去哪办")
    assert reply.item == "SF-SFJ-002"


def test_moving_something_over_there_is_the_case_moving_it_out(context):
    reply = say(context, "我在县里交了几年养老保险 现在去外地上班了 想把社保转过去")
    assert reply.item == "SF-RS-006"
    assert reply.situation is not None and "转出" in reply.situation


def test_people_from_another_province_are_not_a_local_households_case(context):
    reply = say(context, "我们是外地来的 在城里租房住 孩子明年上小学要准备什么")
    assert reply.item == "SF-JY-002"
    assert reply.situation is not None and "随迁" in reply.situation


def test_where_a_material_is_got_goes_to_the_errand_issuing_it_when_its_line_says_not(context):
    say(context, "我们是外地来的 在城里租房住 孩子明年上小学要准备什么")
    reply = say(context, "上面写的租房备案是在哪儿备")
    assert reply.item == "SF-ZJ-002"


def test_a_relatives_death_tells_the_heirs_case(context):
    reply = say(context, "我母亲前年过世了 想查一下她名下有没有房子")
    assert reply.item == "SF-ZR-006"
    assert reply.situation is not None and "继承" in reply.situation


def test_going_to_see_family_tells_the_visit_case(context):
    reply = say(context, "我姐姐嫁到台湾了 想过去看看她 要办什么")
    assert reply.item == "SF-GA-011"
    assert reply.situation is not None and "探亲" in reply.situation


def test_never_been_abroad_tells_a_first_passport(context):
    reply = say(context, "我从来没出过国 想办本护照")
    assert reply.item == "SF-GA-009"
    assert reply.situation is not None and "首次" in reply.situation


def test_running_a_shop_with_ones_spouse_is_a_family_business(context):
    reply = say(context, "打算和我媳妇一起开个小饭馆 个体执照怎么办")
    assert reply.item == "SF-SJ-001"
    assert reply.situation == "家庭经营"


def test_going_to_live_far_away_tells_living_there_long(context):
    reply = say(context, "我妈过完年去广州长住 看病医保咋弄")
    assert reply.item == "SF-YB-002"
    assert reply.situation is not None and "长期居住" in reply.situation


def test_another_document_told_lost_is_its_own_replacement_not_a_neighbour_of_the_item_at_hand(context):
    say(context, "孙女过两个月满16 从来没办过身份证 她爸妈在外地上班 我带她去要准备啥")
    reply = say(context, "家里户口薄搬家搞丢了 户主是她爸爸")  # 薄 for 簿
    assert (reply.item, reply.situation) == ("SF-GA-016", "遗失补领")


def test_never_having_had_a_document_picks_no_first_time_errand_of_another(knowledge):
    context = _other_hall(knowledge, "ridge")
    reply = say(context, "头一回办护照 要带啥")
    assert reply.item != "SL-GA-001"  # 居民身份证首次申领: a first time, of another document
    assert "SL-GA-008" in (reply.item, *reply.choices)


def test_an_faq_entry_about_who_goes_answers_whether_someone_else_may(knowledge):
    # The entry asks 家里人可以帮我申报吗 and answers 代为申报: about who goes, though not in 本人 words.
    context = _other_hall(knowledge, "karst")
    say(context, "脱贫户外出打工的交通补助怎么申请")
    reply = say(context, "我在广州上班回不来 让我爸帮我申报行吗")
    assert reply.item == "YX-SB-007" and reply.text.startswith("可以。家属")


def test_which_gate_of_a_place_the_record_names_stays_on_the_item(knowledge):
    context = _other_hall(knowledge, "willow")
    say(context, "检测农残的地方早上几点开")
    reply = say(context, "在批发市场的哪个门")
    assert (reply.item, reply.field) == ("LYX-NY-08", "location")
    assert "北门" in reply.text


def test_how_many_people_it_takes_is_its_conditions(knowledge):
    context = _other_hall(knowledge, "willow")
    say(context, "想成立个养殖合作社要啥材料")
    reply = say(context, "最少得几个人")
    assert (reply.item, reply.field) == ("LYX-SJ-02", "conditions")


def test_renting_and_owning_none_told_in_other_words_is_the_renting_case(knowledge):
    context = _other_hall(knowledge, "willow")
    say(context, "公积金怎么取")
    reply = say(context, "我在城里租的房子住 自己没买房")
    assert (reply.item, reply.situation) == ("LYX-GJJ-01", "无房租房")


def test_a_sellers_loan_not_paid_off_is_a_mortgage_still_on_the_house(knowledge):
    context = _other_hall(knowledge, "willow")
    reply = say(context, "同学的房子想卖给我 他房贷还剩十几万没还完 能过户吗")
    assert (reply.item, reply.situation) == ("LYX-BDC-01", "带押过户")


def test_applying_for_an_item_named_leaves_the_errand_whose_case_names_it_too(context):
    say(context, "公积金能取吗 我在县城租房子住")
    say(context, "房子没备案")
    reply = say(
        context, "我这种刚参加工作没房的 能申请公租房不"
    )  # 租住公共租赁住房 is a case of the withdrawal
    assert reply.item == "SF-ZJ-001"


def test_a_document_said_too_with_a_theft_told_is_that_documents_replacement(context):
    say(context, "坐公交钱包被人摸走了 身份证在里面 怎么补")
    say(context, "过几天要出差 能先办个临时的吗")
    reply = say(context, "驾驶证也在那个包里")
    assert (reply.item, reply.situation) == ("SF-GA-013", "遗失、被盗补领")


def test_where_the_step_of_a_case_told_is_done_comes_first(context):
    say(context, "刚退伍回来 要去退役军人事务局报到 带啥")
    reply = say(context, "户口也要迁回本县 这个在哪个窗口弄")
    assert (reply.item, reply.field) == ("SF-TY-002", "location")
    assert reply.text.startswith("户口需要迁回本县：落户手续到公安户政窗口")


def test_a_child_who_married_is_the_married_childs_case(knowledge):
    context = _other_hall(knowledge, "loess")
    reply = say(context, "小儿子去年成家了 想把他户口分出来单独立户")
    assert (reply.item, reply.situation) == ("YS-GA-008", "农村已婚子女分户")


def test_someone_from_another_province_is_the_case_from_elsewhere(knowledge):
    context = _other_hall(knowledge, "border")  # a Yunnan hall
    reply = say(context, "我是湖南人在这边上班 身份证在公交上被偷了 能在这边补吗")
    assert (reply.item, reply.situation) == ("BH-GA-003", "外省户籍异地补领")


def test_a_price_asked_of_the_temporary_card_after_a_loss_is_the_temporary_cards(context):
    # 临时 is a word of the replacement's record too: only a place asked of it stays there.
    say(context, "身份证被偷了怎么补")
    reply = say(context, "那个临时的证要交多少钱")
    assert (reply.item, reply.field) == ("SF-GA-004", "fee")


def test_whether_to_get_a_licence_first_is_asked_of_the_errand_at_hand(knowledge):
    context = _other_hall(knowledge, "fen")
    say(context, "想在家开个小作坊做醋 要办啥证")
    reply = say(context, "是不是得先去办营业执照")
    assert reply.item == "FYP-SC-002"


def test_a_death_told_before_tells_the_heirs_case_of_the_next_errand(context):
    say(context, "老太太上个月在医院走的 住院费都是自己先垫上的 人都不在了还能报销吗")
    reply = say(context, "她名下那套房子 我们几个子女想查一下")
    assert (reply.item, reply.situation) == ("SF-ZR-006", "继承人查询被继承人名下不动产")


def test_the_deceaseds_card_not_found_is_asked_of_the_errand_at_hand(context):
    say(context, "我爸前天在家走了 户口咋销")
    reply = say(context, "他身份证找不着了 咋整")
    assert reply.item == "SF-GA-015"
    assert "书面说明" in reply.text


def test_a_shop_handed_over_to_a_relative_is_a_change_of_who_runs_it(knowledge):
    reply = say(make_context(knowledge), "我的小饭馆不想开了 打算让给我外甥接着干 执照是不是要注销了重新办")
    assert (reply.item, reply.situation) == ("SF-SJ-002", "变更经营者")
    # Another errand asked beside the handing over stays that errand.
    assert say(make_context(knowledge), "我把店交给儿子了 我自己的退休手续咋办").item == "SF-RS-005"


def test_the_new_card_asked_of_is_the_errand_at_hands(context):
    say(context, "身份证被偷了 怎么补")
    reply = say(context, "过几天去省城看病要住院 新证能赶上不")  # the trip's words name medical errands
    assert reply.item == "SF-GA-003"


def test_the_temporary_one_after_a_regular_documents_errand_is_the_temporary_errand(knowledge):
    from bot.matching.matcher import Turn

    # A follow-up, not a new question: the case told of the replacement (急需用证, whose note tells of the
    # temporary card) does not pull it back.
    decision = knowledge().matcher.decide("那临时的要几个钱 当天能拿不", Turn(item="SF-GA-003"))
    assert (decision.item, decision.reason) == ("SF-GA-004", "follow_up")


def test_a_correction_after_words_of_a_mistake_is_read_for_what_it_is(context):
    say(context, "我弟的公司不想开了，怎么注销")
    reply = say(context, "不对，我搞错了，他不是要注销，是想把法人换成他媳妇")
    assert (reply.item, reply.situation) == ("SF-SJ-005", "变更法定代表人")
    # A subject's 不是…，是… without a word of a mistake tells a case of the errand at hand.
    context2 = make_context(context.knowledge)
    first = say(context2, "居住证怎么办").item
    assert say(context2, "他不是本县户口，是外地的，能办吗").item == first == "SF-GA-008"


def test_a_document_named_is_not_another_documents_errand_that_its_state_brought_forward(knowledge):
    reply = say(make_context(knowledge), "俺的驾照快到期了")
    assert reply.item == "SF-GA-012"  # not 居民身份证换领, whose alias says 快到期了
    # A document named beside the one asked of decides nothing.
    reply = say(make_context(knowledge), "开个奶茶店 营业执照跟食品许可证都要办吗")
    assert reply.item != "SF-SJ-001" or reply.action != "answer"


def test_an_age_told_rules_out_a_case_bound_below_it(knowledge):
    reply = say(make_context(knowledge), "我已经16岁了，想办护照")
    assert reply.item == "SF-GA-009"
    assert reply.situation != "未满16周岁"


def test_a_parent_taken_to_live_far_away_is_a_long_stay_elsewhere(knowledge):
    reply = say(make_context(knowledge), "去年把我爸接到广州跟我们住，他的医保在老家交的，在这边住院咋整")
    assert reply.item == "SF-YB-002"
    assert "长期居住" in str(reply.situation)


def test_a_shop_the_citizen_is_asked_to_take_over_is_a_change_of_who_runs_it(knowledge):
    reply = say(make_context(knowledge), "我妈的小卖部开了二十年，执照是她的名字，她腰不行了，想让我接手")
    assert (reply.item, reply.situation) == ("SF-SJ-002", "变更经营者")


def test_going_somewhere_to_see_an_aunt_is_a_family_visit(knowledge):
    reply = say(make_context(knowledge), "这么说吧，我们是想去澳门看我大姨")
    assert (reply.item, reply.situation) == ("SF-GA-010", "探亲签注")


def test_a_shop_that_cannot_go_on_is_deregistered(knowledge):
    reply = say(make_context(knowledge), "我家的小卖部实在开不下去了，营业执照要咋处理")
    assert reply.item == "SF-SJ-003"


def test_parents_hukou_moved_to_their_child_is_parents_joining_a_child(knowledge):
    reply = say(make_context(knowledge), "打算把俺爹娘的户口迁过来")
    assert (reply.item, reply.situation) == ("SF-GA-006", "父母投靠子女")


def test_the_citizen_themself_is_the_own_case(knowledge):
    reply = say(make_context(knowledge), "俺自己也要开一份无房证明，单位要")
    assert (reply.item, reply.situation) == ("SF-ZR-006", "查询本人名下不动产")


def test_a_document_said_not_to_be_meant_names_no_errand(knowledge):
    matcher = _other_hall(knowledge, "bay").knowledge().matcher
    decision = matcher.decide("要办去香港的那种通行证，不是护照")
    assert decision.item != "WK-GA-006" and "WK-GA-007" in (decision.item, *decision.candidates)


def test_a_material_word_beside_another_office_named_moves_to_that_office(context):
    say(context, "注册一个有限公司需要什么材料")
    reply = say(context, "执照办好了，还得去税务局报到不")
    assert reply.item == "SF-SW-001"


def test_something_done_before_told_beside_the_errand_is_its_case(context):
    say(context, "八十多岁的高龄津贴怎么申请")
    reply = say(context, "老人户口上个月才从邻县迁过来的")
    assert reply.item == "SF-MZ-006"
    # Asked as an errand of its own, it is that errand.
    assert say(context, "那我自己的户口想迁过来，怎么办").item != "SF-MZ-006"


def test_whether_the_paper_at_hand_serves_elsewhere_is_asked_of_it(context):
    say(context, "去台湾探亲要办什么通行证")
    reply = say(context, "那这本证拿去澳门可以用不")
    assert reply.item == "SF-GA-011" and reply.text.startswith("不能")


def test_in_a_long_story_a_case_told_in_its_own_words_outweighs_meaning(context):
    # Meaning is about as close to every case of a long story; 自己交的 says 灵活就业 in its own words.
    reply = say(context, "我老婆明年五十岁了，社保都是她自己交的，退休手续到时候怎么办")
    assert (reply.item, reply.situation) == ("SF-RS-005", "灵活就业人员")


def test_a_charge_asked_under_open_cases_picks_none_of_them(context):
    say(context, "公积金贷款最多贷多少")
    reply = say(context, "还要另外收手续费吗")
    assert (reply.item, reply.field, reply.situation) == ("SF-GJJ-005", "fee", None)


def test_what_it_takes_asked_after_its_conditions_is_the_whole_errand(context):
    say(context, "公积金贷款最多贷多少")
    reply = say(context, "那要办些啥手续")  # 手 of 手续 is no 二手房
    assert (reply.action, reply.item, reply.field, reply.situation) == ("answer", "SF-GJJ-005", None, None)
    assert "一次性告知" in reply.text


def test_who_pays_into_the_fund_names_no_employer_errand(context):
    reply = say(context, "厂里交的公积金能拿出来用不")
    assert reply.action == "clarify" and reply.choices
    assert all(code.startswith("SF-GJJ-") for code in reply.choices)


def test_a_statement_of_what_the_record_tells_stays_on_the_errand(context):
    say(context, "被公司辞退了 领失业金要带什么")
    reply = say(context, "单位那边说减员的都报上去咯")
    assert (reply.action, reply.item) == ("answer", "SF-RS-004")


def test_a_statement_naming_another_errand_among_the_options_leaves(context):
    say(context, "残疾证新办要带什么")
    reply = say(context, "她是二级残疾 听说还有个护理补贴 每个月给好多")
    assert reply.item == "SF-CL-003"


def test_a_sum_the_citizen_tells_names_the_benefit_whose_record_states_it(context):
    reply = say(context, "听人讲娃儿每年能领三千六百块 咋个申请")
    assert (reply.action, reply.item) == ("answer", "SF-WJ-003")  # 每孩每年3600元, not 生育津贴


def test_a_field_asked_with_a_verb_of_the_errand_stays_on_it(context):
    say(context, "育儿补贴怎么领")
    reply = say(context, "手机上能领不")
    assert (reply.item, reply.field) == ("SF-WJ-003", "online")


def test_whether_something_takes_an_errand_of_its_own_moves_to_that_errand(context):
    say(context, "开个小卖部办执照要带啥")
    say(context, "收费不")
    reply = say(context, "再卖些散装饼干 需要单独办证不")
    assert (reply.action, reply.item) == ("answer", "SF-SJ-007")  # its record tells of 散装食品


def test_a_question_put_aside_that_nothing_answers_is_handed_off(context):
    assert say(context, "高龄津贴怎么领").item == "SF-MZ-006"
    reply = say(context, "对了 老人家想配个助听器 去哪配")
    assert (reply.action, reply.item) == ("handoff", None)  # not 高龄津贴's desk, for its word 老人


def test_a_case_told_after_by_the_way_stays_on_the_errand(context):
    assert say(context, "身份证丢了").item == "SF-GA-003"
    reply = say(context, "对了 我的是被偷的")
    assert (reply.action, reply.item) == ("answer", "SF-GA-003")


def test_an_item_not_offered_named_by_its_own_words_is_no_pick_of_an_option(context):
    first = say(context, "我想开个证明")
    assert first.action == "clarify" and "SF-RS-010" not in first.choices
    reply = say(context, "是买车摇号要的那个社保缴费证明")
    assert reply.item != first.choices[0]  # 证明 of 无犯罪记录证明 picks nothing
    assert reply.item == "SF-RS-010" or "SF-RS-010" in reply.choices


def test_a_card_lost_too_put_aside_is_not_the_booklet_being_replaced(context):
    assert say(context, "户口本丢了怎么补").item == "SF-GA-016"
    reply = say(context, "顺便问下 信用卡也一起丢了 你们这能补不")
    assert (reply.action, reply.item) == ("handoff", None)  # 遗失 and 补 of its record, but not 信用卡


def test_a_desk_said_over_there_with_the_errand_wanted_gets_that_errands_hours(knowledge):
    context = _other_hall(knowledge, "aspen")
    reply = say(context, "出入境那边明天开门不？我想办个护照")
    # 那边 glues to the desk's name and 明天 says when: the errand wanted (办护照) is what is asked about.
    assert (reply.action, reply.item, reply.field) == ("answer", "LW-GA08", "hours")


def test_an_old_age_none_of_the_options_is_for_leads_to_the_item_for_that_age(context):
    first = say(context, "补贴怎么领")
    assert first.action == "clarify" and "SF-MZ-006" not in first.choices
    reply = say(context, "是给我奶奶问的 她今年八十五")
    assert (reply.action, reply.item) == ("answer", "SF-MZ-006")  # 高龄津贴, for 80 and over


def test_a_business_given_up_under_its_list_is_its_closing(context):
    assert say(context, "个体户").action == "clarify"
    reply = say(context, "现在生意不好 不做了")
    assert (reply.action, reply.item) == ("answer", "SF-SJ-003")


def test_whether_a_paper_is_to_be_brought_is_its_material_line_not_an_faq_entry_about_it(context):
    say(context, "我父亲上个月在家里走了 户口要怎么注销")
    reply = say(context, "那要带他的身份证不")
    # The record's FAQ asks what becomes of the card (户口注销后身份证怎么处理); the material line says
    # whether it is brought.
    assert reply.item == "SF-GA-015"
    assert reply.text.startswith("视情况需要。死者居民身份证")


def test_a_hukou_struck_off_said_with_xiao_alone_and_a_dialect_how(context):
    reply = say(context, "我屋老者上个月在屋头走了 他的户口要哪门销")
    assert (reply.action, reply.item) == ("answer", "SF-GA-015")
    assert reply.situation and "在家中" in reply.situation


def test_where_a_hukou_is_told_under_an_errand_that_moves_none_is_a_circumstance_of_it(context):
    say(context, "身份证丢了怎么补")
    reply = say(context, "我户口在外地 在这边能补吗")
    # Not 居民户口簿补领 (户口 and 补 said): the card's replacement, asked for someone registered elsewhere.
    assert (reply.action, reply.item) == ("answer", "SF-GA-003")
    # A move asked for is a hukou errand still.
    assert say(context, "那户口怎么迁过来").item != "SF-GA-003"


def test_a_case_of_the_item_at_hand_told_in_a_storys_words_keeps_it(context):
    say(context, "房产证丢了")
    reply = say(context, "房子是我和我媳妇两个人的")
    # 房子 is a word of 二手房过户's aliases; two owners are 不动产权证书补证's own case (房屋为共有).
    assert (reply.item, reply.situation) == ("SF-ZR-004", "房屋为共有")
