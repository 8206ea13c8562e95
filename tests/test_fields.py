"""Field detection: one row per rule, plus the tie-breaks between rules."""

import pytest

from bot.matching.fields import (
    PRESENCE_ASK,
    PROXY_ASK,
    PROXY_SITUATION,
    URGENT_ASK,
    detect_field,
    fields_asked,
    names_nothing,
    only_field_words,
    strip_field_words,
    without_cues,
)
from bot.matching.normalize import normalize

FIELDS = [
    ("办社保卡要带什么", "materials"),
    ("需要哪些材料", "materials"),
    ("要准备啥", "materials"),
    ("档案接收需要啥", "materials"),
    ("补办要多少钱", "fee"),
    ("收费吗", "fee"),
    ("一年交多少", "fee"),
    ("多久能拿到", "time_limit"),
    ("新证几时拿得到", "time_limit"),  # Cantonese 几时 = 什么时候
    ("村里的代办点几时开", "hours"),
    ("几个工作日能办好", "time_limit"),
    ("当场能开出来吗", "time_limit"),
    ("在哪里办", "location"),
    ("在几号窗口", "location"),
    ("去哪个部门", "location"),
    ("社保卡也是在你们大厅办吗", "location"),
    ("几点下班", "hours"),
    ("周六开门吗", "hours"),
    ("咨询电话是多少", "phone"),
    ("流程是什么", "process"),
    ("先去哪后去哪", "process"),
    ("能网上办吗", "online"),
    ("手机上能补吗", "online"),
    ("一定要本人去现场吗", "online"),
    ("要什么条件", "conditions"),
    ("房贷没还完能过户吗", "conditions"),
    ("什么情况下可以申请", "conditions"),
    ("依据是哪个文件", "basis"),
    ("法律依据是什么", "basis"),
    ("身份证怎么办", None),
    ("需要什么手续", None),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    FIELDS,
    ids=[
        "daishenme",
        "cailiao",
        "zhunbeisha",
        "xuyaosha",
        "duoshaoqian",
        "shoufei",
        "jiaoduoshao",
        "duojiu",
        "jishi-nadedao",
        "jishi-kai",
        "gongzuori",
        "dangchang",
        "zainali",
        "chuangkou",
        "bumen",
        "shi-zai-dating",
        "xiaban",
        "zhouliu",
        "dianhua",
        "liucheng",
        "xianquna",
        "wangshang",
        "shoujishang",
        "benren-xianchang",
        "tiaojian",
        "neng-ma",
        "qingkuang",
        "wenjian",
        "yiju",
        "whole-item",
        "shouxu-whole",
    ],
)
def test_detect_field(text: str, expected: str | None) -> None:
    assert detect_field(text) == expected


PRIORITY = [
    ("结婚证可以网上领吗", "online"),  # online before conditions
    ("离婚冷静期多少天", "time_limit"),
    ("前几天丢了身份证，要带什么材料", "materials"),  # 前几天 is not a duration
    ("地址换了要变更，怎么弄", None),  # 地址 alone is content, not a location question
    ("我电话13907561234，上户口在哪个窗口办", "location"),  # a number given is not a phone question
    ("13922887766 这是我电话，几天审核完", "time_limit"),
    ("請問要帶什麼材料", "materials"),  # traditional characters
    ("能办免费的吗，需要什么条件", "conditions"),  # a field asked by name beats a fee cue met on the way
    ("不收费的话有哪些条件", "conditions"),
    ("有没有免费的律师", None),  # a service described as free, not its price asked
    ("法律援助免费不", "fee"),
    ("给我妈办个坐车不要钱的那种卡", None),  # what the card does, said before its name: no price asked
    ("老年卡是不要钱的吗", "fee"),
    ("银行卡也打电话挂失了，身份证咋补", None),  # a call made already: no phone number asked
    ("能打电话办吗", "phone"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    PRIORITY,
    ids=[
        "online-over-conditions",
        "days",
        "qianjitian",
        "dizhi-content",
        "own-number",
        "own-number-after",
        "traditional",
        "named-conditions-over-fee",
        "named-conditions-over-fee-2",
        "free-named",
        "free-field",
        "free-attribute",
        "free-asked",
        "call-made",
        "call-asked",
    ],
)
def test_priority_and_exceptions(text: str, expected: str | None) -> None:
    assert detect_field(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("社保卡带什么", "社保卡"),
        ("去哪里办身份证", "办身份证"),
        ("能给爸妈看病用吗", "能给爸妈看病用吗"),  # wildcard cues (能…吗) never swallow content
    ],
    ids=["materials-cue", "longest-location-cue", "no-wildcard-strip"],
)
def test_strip_field_words(text: str, expected: str) -> None:
    assert strip_field_words(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("补一张要好多钱嘛", "fee"),  # 四川话: 好多 = 多少
        ("上户口要啥子", "materials"),
        ("交上去要等好久才批下来", "time_limit"),
        ("换个新的中不中", "conditions"),  # 河南话: 中不中 = 行不行
        ("港澳通行证喺边度办", "location"),  # 粤语: 喺边度 = 在哪里
        ("可唔可以代人开", "conditions"),
        ("二手房过户要交哪些税", "fee"),
        ("要多少个工作日", "time_limit"),
        ("第一步要干什么", "process"),
        ("让我妈去帮我开行吗", "conditions"),
        ("附近有银行吗", None),  # 行吗 of 银行吗 asks nothing of an item
        ("一个月给多少", "conditions"),  # what a benefit pays: its standard, not a fee
        ("高龄津贴能领多少钱", "conditions"),
        ("我跟老婆都在交公积金，最多能贷多少", "conditions"),  # how much a loan may be: its conditions
        ("失业金能领几个月", "conditions"),  # how long a benefit is paid
        ("办下来要多久", "time_limit"),
        ("补办要交多少钱", "fee"),
        ("好久拿得到", "time_limit"),  # 四川话: 好久 = 多久 when it asks
        ("要跑几趟", "process"),  # the trips the steps take
        ("一个月多少", "fee"),  # what is paid or what a benefit pays: the conversation tells which
        ("读书要交学费不", "fee"),
        ("新生儿医保得在几天内交", "conditions"),  # by when: a term, not the processing time
        ("几天内能办好", "time_limit"),
        ("一年最低交好多", "fee"),  # 交好多 = 交多少
        ("在乡里头办得不", "location"),  # whether it is done at a place the citizen names
        ("在网上办得不", "online"),
        ("现在过去还赶得上吗", "hours"),  # arriving in time: the hours, not the time limit
        ("下礼拜要坐动车 赶得及吗", "time_limit"),
    ],
)
def test_regional_and_other_wordings(text: str, expected: str | None) -> None:
    assert detect_field(text) == expected


def test_a_storys_asking_clause_names_the_field() -> None:
    from bot.matching.matcher import Matcher

    story = (
        "我奶奶今年67，坐公交老跟司机吵说老年人免费，司机说要有证才行。那个老年证去哪里办？她身份证在我手上"
    )
    assert detect_field(story) == "fee"  # 免费 on the way
    assert Matcher.build([]).surface(story).field == "location"


@pytest.mark.parametrize(
    ("text", "proxy"),
    [
        ("我上班走不开，让我老公去帮我打行不行", True),
        ("她要上课，我当妈的帮她去办行不行", True),
        ("家人可以代办吗", True),
        ("我婆婆帮我们带娃，她能去领吗", True),  # someone named before, going instead
        ("他可以来办吗", True),
        ("我喊我孙女帮我去办要得不", True),  # 喊 = 让 (四川话), and someone sent for the citizen
        ("腿脚不利索，能叫我儿子去给我办不", True),  # 叫 = 让
        ("我人在外地，托亲戚去办可以吧", True),
        ("他公积金里还有钱，我这个当儿子的能去帮他取出来不", True),  # 帮他取: fetching it for him
        ("想给俺娘办张老年卡 她走不动路 我来办行不行", True),  # a relative's errand, the citizen going
        ("我走不开，村头的人能帮我递上去不", True),  # someone else handing the papers in
        ("我侄子离得近 他能帮我跑一趟不", True),  # running the errand for the citizen
        ("我是她儿媳妇，我去办行不行", True),  # who the one going is, for someone else
        ("他上班走不开 我拿他的身份证去能办吗", True),  # going with another's card
        ("我上班走不开 能在网上开吗", False),  # the citizen cannot come, and asks another way
        ("我拿身份证去能办吗", False),  # the citizen's own card, the citizen going
        ("窗口的人能帮我填表吗", False),  # the hall's staff helping, not someone going instead
        ("我去办行不行", False),  # the citizen's own errand
        ("叫什么名字", False),
        ("她能领多少", False),  # how much, not who goes
        ("公司欠的工资能找免费律师帮我讨回来吗", False),  # someone helping, not going instead
        ("帮我查一下明天的天气", False),
        ("我家人生病了住院", False),
    ],
)
def test_asking_whether_someone_else_may_go(text: str, proxy: bool) -> None:
    assert bool(PROXY_ASK.search(text)) == proxy


@pytest.mark.parametrize(
    "text", ["现在去报到还来得及吗", "真的不用回咱们县办迁出吗", "是要自己去申请还是说自动就有了"]
)
def test_whether_questions_ask_the_conditions(text: str) -> None:
    assert detect_field(text) == "conditions"


@pytest.mark.parametrize(
    ("name", "proxy"),
    [
        ("委托他人代办", True),
        ("其他监护人申领", True),
        ("亲属代办", True),
        ("本人无法申请", True),  # someone applies in the citizen's place
        ("父母申领", False),
        ("其他情形", False),
    ],
)
def test_situations_for_someone_acting_for_the_citizen(name: str, proxy: bool) -> None:
    assert bool(PROXY_SITUATION.search(name)) == proxy


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("得花多钱", "fee"),
        ("要多少前啊", "fee"),
        ("过户登记费多少", "fee"),
        ("我们哪有那么多钱帮他垫", None),  # 那么多钱 tells, it does not ask a price
        ("我老头子上个礼拜天在县医院没了", None),  # a day gone by is no question of opening hours
        ("礼拜天开门不", "hours"),
        ("契税大概多少", "fee"),  # a tax's amount
        ("我下午一点过去行不", "hours"),  # open at the time named?
        ("一点钱都没有", None),
        ("我下礼拜要坐动车去福州 赶得及吗", "time_limit"),  # done in time?
        ("老板打电话不接 去找他就躲 政府能给管管不", "conditions"),  # a call not answered asks no number
    ],
)
def test_colloquial_prices_and_past_days(text: str, expected: str | None) -> None:
    assert detect_field(text) == expected


def test_urgency_and_sichuan_prices() -> None:
    from bot.matching.fields import URGENT_ASK

    assert URGENT_ASK.search("新证等不到咋整")
    assert URGENT_ASK.search("周五就要出差，这卡估计办不下来吧")
    assert not URGENT_ASK.search("贷款下不来怎么办")  # no document to wait for
    assert detect_field("过户登记费要好多") == "fee"
    assert detect_field("那个个税又是多少") == "fee"


def test_what_a_benefit_pays_over_time_is_no_price() -> None:
    assert detect_field("一个月有好多钱") == "conditions"
    assert detect_field("每年能有多少") == "conditions"
    assert detect_field("一年交多少钱") == "fee"
    assert detect_field("多少钱一年") == "fee"
    assert detect_field("一年最多能取多少钱") == "conditions"  # how much one may take out


def test_fields_asked_together_are_each_found_once() -> None:
    from bot.matching.fields import fields_asked

    assert fields_asked("公证在哪办 多少钱") == ["location", "fee"]
    assert fields_asked("要多久，多少钱，收费吗") == ["time_limit", "fee"]
    assert fields_asked("要带什么") == []


def test_a_message_of_field_words_alone_names_nothing() -> None:
    assert only_field_words("几天") and only_field_words("多钱") and only_field_words("在几楼")
    assert not only_field_words("提前几天") and not only_field_words("几天能拿到")


def test_fee_window_urgency_and_an_absent_signer_are_read() -> None:
    assert detect_field(normalize("过户要交哪些费")) == "fee"
    assert detect_field(normalize("那先去哪个窗口问")) == "location"  # not 先去哪, the steps
    assert detect_field(normalize("先去哪里")) == "process"
    assert URGENT_ASK.search(normalize("我下个礼拜就要坐飞机去昆明来不来得及"))
    assert PROXY_ASK.search(normalize("卖房子的调到外地去了 回不来咋个办"))


def test_materials_handed_in_ask_where_not_which() -> None:
    assert detect_field(normalize("在哪儿交材料")) == "location"
    assert detect_field(normalize("去哪交，要带啥")) is None  # both: the whole one-trip answer


def test_being_told_to_go_oneself_is_no_proxy() -> None:
    assert not PROXY_ASK.search(normalize("老板不给钱，喊我们去找劳动局"))
    assert PROXY_ASK.search(normalize("能叫我儿子去给我办不"))


def test_what_to_get_together_asks_the_materials() -> None:
    # 冇几个钱 tells of money; 要搞些么子东西 asks for everything to bring: the one-trip answer.
    assert detect_field(normalize("崽在外头打零工也冇几个钱，想问下吃低保要搞些么子东西")) is None


def test_whether_this_one_person_may_go_is_a_presence_question() -> None:
    from bot.matching.fields import PRESENCE_ASK

    assert PRESENCE_ASK.search(normalize("俺自己去中不"))
    assert PRESENCE_ASK.search(normalize("他一个人去行不行"))
    assert PRESENCE_ASK.search(normalize("前夫也得一起去吗"))  # someone else coming too
    assert not PRESENCE_ASK.search(normalize("我自己名下没有房子"))
    # Both of a couple, coming back for it: 回 before 来 / 去.
    assert PRESENCE_ASK.search(normalize("那得夫妻俩都回来办吗"))
    # All of those named together; the one going for the other.
    assert PRESENCE_ASK.search(normalize("那得我们爷俩一块去吗"))
    assert PRESENCE_ASK.search(normalize("她走路不利索 我一个人去给她办行不行"))
    assert not PRESENCE_ASK.search(normalize("我们一块去旅游"))
    assert PRESENCE_ASK.search(normalize("是不是得他本人跑一趟"))  # a trip, made in person


def test_whether_the_hall_does_it_at_all_asks_where() -> None:
    assert fields_asked("在县城的政务大厅能办吗") == ["location"]
    assert fields_asked("在市场的哪个门") == ["location"]
    assert fields_asked("在大厅门口等你") == []
    # Someone running the errand for the citizen asks no way of saving the trip.
    assert fields_asked("让我外甥替我跑一趟行吗") == [] and fields_asked("不想跑一趟") == ["online"]


def test_days_asked_in_wu_and_cantonese_ask_the_time_limit() -> None:
    assert detect_field(normalize("补一张要等几日")) == "time_limit"


def test_a_changed_address_is_no_question_of_where() -> None:
    assert detect_field("改个地址，搬去隔壁区") is None
    assert detect_field("地址在哪") == "location"


def test_whether_she_must_come_back_herself_asks_who_goes() -> None:
    from bot.matching.fields import PRESENCE_ASK

    assert PRESENCE_ASK.search("要不要她本人回去")
    assert PRESENCE_ASK.search("必须本人回来吗")


def test_whether_anyone_is_still_there_asks_the_hours() -> None:
    assert detect_field("晚上还有人不 我现在过去") == "hours"


def test_an_hours_question_about_the_moment_names_no_item() -> None:
    from bot.matching.fields import names_nothing

    # 现在去还赶得上吗 after an answer: the moment is when, not what; it stays on the item at hand.
    assert names_nothing("现在", "hours")
    assert not names_nothing("现在", None)  # elsewhere the word is left to the matcher
    assert not names_nothing("现在 身份证", "hours")


def test_the_moment_alone_names_nothing_for_any_field() -> None:
    assert names_nothing("现在 不", "conditions") and names_nothing("现在", "hours")
    assert not names_nothing("现在 准生证", "conditions")
    assert not names_nothing("现在", None)  # a message asking no field keeps its words


def test_one_who_cannot_come_back_is_absent_and_a_case_for_the_absent_is_a_proxy_case() -> None:
    assert PROXY_ASK.search(normalize("我在上海回不去，咋弄"))
    assert not PROXY_ASK.search(normalize("他下不了床，去不了医院评定"))  # a situation of its own
    assert PROXY_SITUATION.search("继承人在外地不能到场") and PROXY_SITUATION.search("本人无法亲自办理")
    assert not PROXY_SITUATION.search("全部继承人到场申请")


def test_things_to_bring_name_nothing_of_a_materials_question() -> None:
    assert names_nothing("东西", "materials") and names_nothing("玩意", "materials")
    assert not names_nothing("东西", None)


def test_doing_it_on_the_internet_asks_online() -> None:
    for text in ("那我直接上网给小孩交医保行不行", "上网能办吗", "上网办行不行"):
        assert detect_field(normalize(text)) == "online", text
    assert detect_field(normalize("孩子上网成瘾怎么办")) is None


def test_being_told_to_move_something_is_no_proxy() -> None:
    # 让把户口迁过去: nobody is sent; 过去 is where the registration goes.
    assert not PROXY_ASK.search(normalize("单位让把档案转过去"))
    assert not PROXY_ASK.search(normalize("学校让将户口迁回来"))
    assert PROXY_ASK.search(normalize("让我妈过去帮我办行吗"))
    assert PROXY_ASK.search(normalize("让我哥去办可以不"))


def test_a_wallet_is_no_fee_question() -> None:
    assert detect_field("昨天坐公交钱包被偷了，身份证在里面") is None
    assert detect_field("钱包丢了，补证要交钱不") == "fee"


def test_whether_both_must_come_or_one_may_is_a_presence_question() -> None:
    assert PRESENCE_ASK.search(normalize("要俩人一起去不"))
    assert PRESENCE_ASK.search(normalize("一个人去行不行"))
    assert not PRESENCE_ASK.search(normalize("我们俩人想一起领证"))


@pytest.mark.parametrize("text", ["能不能不去窗口", "在家能办吗", "不用跑腿能办吗"])
def test_doing_it_without_coming_in_asks_the_online_way(text: str) -> None:
    assert detect_field(text) == "online"


def test_staying_at_home_told_is_no_online_question() -> None:
    assert detect_field("老人在家躺着去不了能办吗") != "online"


def test_copies_and_originals_ask_the_materials() -> None:
    assert detect_field("复印件要几份") == "materials"
    assert detect_field("户口本要原件还是复印件") == "materials"


def test_the_village_committee_applying_is_someone_else_going() -> None:
    assert PROXY_ASK.search(normalize("我上班走不开，村里能帮着申请吗"))
    assert PROXY_ASK.search(normalize("社区可以代办不"))
    assert not PROXY_ASK.search(normalize("村里开了证明"))


def test_whether_this_person_must_come_is_a_presence_question() -> None:
    assert PRESENCE_ASK.search(normalize("我腿脚不好，要我自己去不"))
    assert not PRESENCE_ASK.search(normalize("我要自己去办个体户"))
    assert PRESENCE_ASK.search(normalize("要他自己跑去县城吗 他一坐车就晕"))


def test_whether_someone_away_must_come_back_is_a_question_of_its_own() -> None:
    from bot.matching.fields import BACK_ASK

    assert BACK_ASK.search(normalize("人在东莞 要回来吗"))
    assert BACK_ASK.search(normalize("得回去办不"))
    assert BACK_ASK.search(normalize("这个得回老家办吗"))
    assert BACK_ASK.search(normalize("还得回深圳开证明不"))
    assert BACK_ASK.search(normalize("能不能不回去就把手续办了"))
    assert not BACK_ASK.search(normalize("社保要转回来吗"))
    assert not BACK_ASK.search(normalize("我要回老家开个店"))
    assert not PRESENCE_ASK.search(normalize("还得回深圳开证明不"))  # not who may go


def test_what_policies_there_are_is_no_question_of_the_legal_basis() -> None:
    # 有啥政策 asks what the item offers (the one-trip block); 按什么政策 asks its basis.
    assert detect_field("回乡开店想贷点款 有什么政策") is None
    assert detect_field("这个是按什么政策办的") == "basis"


@pytest.mark.parametrize("text", ["补贴啥时候能发下来", "钱什么时候到账", "什么时候拨款"])
def test_when_the_money_comes_is_the_time_limit(text: str) -> None:
    assert detect_field(text) == "time_limit"


def test_cannot_come_and_another_way_asked_together():
    from bot.matching.fields import asks_another_way

    assert asks_another_way("今天下午赶不过去了 还有别的办法没")
    assert asks_another_way("我上班走不开 咋办")
    assert asks_another_way("人在杭州回不来 怎么弄")
    assert not asks_another_way("赶不过去了")  # no way asked
    assert not asks_another_way("身份证丢了咋办")  # nothing said of coming


def test_when_the_money_comes_is_the_time_limit_and_papers_in_general_name_nothing():
    from bot.matching.fields import detect_field, names_nothing

    assert detect_field("多久能给钱") == "time_limit"
    assert detect_field("什么时候给钱") == "time_limit"
    assert detect_field("多少钱") == "fee"
    assert names_nothing("证明", "materials")  # 要带啥证明: the papers brought, no item named
    assert not names_nothing("证明", None)


def test_whether_it_is_done_in_time_for_a_date_asks_the_time_limit() -> None:
    from bot.matching.fields import IN_TIME_ASK

    assert detect_field(normalize("下礼拜三要坐飞机去广州，补的来得及吗")) == "time_limit"
    assert IN_TIME_ASK.search(normalize("新证来得及不"))
    # Today, now: whether the desk is open still (hours), not how long the errand takes.
    assert detect_field(normalize("今天下午还来得及吗")) != "time_limit"
    assert not IN_TIME_ASK.search(normalize("现在过去还来得及吗"))


def test_a_step_not_taken_in_time_is_no_hurry():
    assert URGENT_ASK.search("等证下来来不及了")
    assert not URGENT_ASK.search("要是来不及备案就住进去了呢")


def test_how_long_until_it_is_done_is_field_words_alone():
    from bot.matching.fields import only_field_words

    assert only_field_words(normalize("几天能办好"))
    assert only_field_words(normalize("多久能办完"))
    assert detect_field("几天能办好") == "time_limit"
    assert detect_field("证办好了能寄到家吗") != "time_limit"


def test_whether_it_is_free_is_the_fee_and_money_not_come_is_not():
    assert detect_field("真的一分钱都不收吗") == "fee"
    assert detect_field("真的一分钱不要？") == "fee"
    assert detect_field("可到现在一分钱也没见着") != "fee"


@pytest.mark.parametrize("text", ["还要另外收手续费吗", "交不交手续费", "要交管理费吗"])
def test_a_charge_asked_by_its_kind_asks_the_fee(text):
    assert detect_field(normalize(text)) == "fee"


def test_field_words_hint_at_no_case_but_a_question_frame_stays():
    assert "手" not in without_cues("那要办些啥手续") and "手" not in without_cues("用手机能办吗")
    assert "不" in without_cues("他这身体能不能上门办")  # 不 of 能不能 may still tell 行动不便


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("过年那几天有开吗", "hours"),  # the days of a holiday, not how many days it takes
        ("国庆那几天开门吗", "hours"),
        ("办下来要几天", "time_limit"),
        ("那边礼拜六开不开", "hours"),
        ("有开发票吗", None),  # 开 of an invoice, no desk opening
    ],
)
def test_the_days_of_a_holiday_and_a_desk_open_ask_the_hours(text, field):
    assert detect_field(normalize(text)) == field


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("居住证也快到期了，也是那个窗口吗", ["location"]),  # the same desk as the errand before
        ("是在同一个窗口办吗", ["location"]),
        ("那个窗口的人很凶", []),  # the desk named, nothing asked of where
    ],
)
def test_whether_it_is_the_same_desk_asks_where(text, asked):
    assert fields_asked(normalize(text)) == asked


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("公积金要缴满多久才能贷款", "conditions"),  # how long one must pay in first: a condition
        ("社保交多久才能领养老金", "conditions"),
        ("落户要住满多久", "conditions"),
        ("补缴要多久", "time_limit"),  # how long the errand takes
        ("多久能拿到证", "time_limit"),
    ],
)
def test_how_long_one_must_pay_in_first_is_a_condition(text, field):
    assert detect_field(normalize(text)) == field


def test_an_hours_question_drops_the_day_and_the_desks_over_there():
    assert strip_field_words(normalize("今天出入境那边有开吗")).split()[0] == "出入境"
    assert strip_field_words(normalize("明天社保这边开门不")).split()[0] == "社保"
    # Not in a question of another field: 今天 may be part of what is asked (今天能办好吗).
    assert "今天" in strip_field_words(normalize("今天那边能办身份证吗"))


def test_a_wait_heard_of_asks_the_time_limit():
    assert detect_field(normalize("听说换证还得等一个多月？")) == "time_limit"
    assert detect_field(normalize("要等这么久吗")) == "time_limit"


def test_in_a_few_days_is_when_not_how_long_unless_what_is_had_then_is_asked():
    assert detect_field(normalize("过几天要坐车去广州 怎么办")) is None  # the citizen's plan, not a wait
    assert detect_field(normalize("过几天能拿吗")) == "time_limit"
    assert detect_field(normalize("要几天")) == "time_limit"


def test_how_much_said_the_south_western_way_at_a_clauses_end_asks_the_fee():
    assert detect_field(normalize("签注又要好多")) == "fee"
    assert detect_field(normalize("要好多材料吗")) == "materials"  # 好多 before the thing: many
