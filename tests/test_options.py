"""bot.matching.options: an option named in words (its distinctive words, or its meaning)."""

import pytest

from bot.matching.options import (
    by_hint,
    by_not,
    by_not_yet,
    by_words,
    contradicted,
    distinctive,
    first_time,
    shares_a_character,
)

OPTIONS = [
    "住房公积金提取（购买自住住房）",
    "住房公积金提取（偿还购房贷款）",
    "住房公积金提取（租赁住房）",
    "住房公积金提取（离休、退休）",
]


def test_distinctive_words_leave_out_what_all_options_share():
    grams = distinctive(OPTIONS)
    assert all("公积" not in g for g in grams)
    assert "租赁" in grams[2]


@pytest.mark.parametrize(
    ("text", "index"),
    [("租赁的", 2), ("我是退休了", 3), ("还贷款的", 1)],
    ids=["rent", "retired", "loan"],
)
def test_words_settle_a_choice(text, index):
    assert by_words(text, OPTIONS) == index


def test_hints_settle_when_words_do_not():
    assert by_words("租房的", OPTIONS) is None  # 租房 is not a pair any option has
    assert by_hint("租房的", OPTIONS) == 2  # but 租 is a character only 租赁住房 has
    # No distinctive characters at all: the option clearly closest in meaning.
    assert by_hint("我是给儿子弄的", OPTIONS, [0.93, 0.90, 0.88, 0.87]) == 0
    assert by_hint("嗯我想想", OPTIONS, [0.90, 0.895, 0.89, 0.89]) is None  # nothing clearly ahead
    assert by_hint("嗯我想想", OPTIONS) is None


def test_what_the_citizen_denies_names_no_option():
    assert by_words("我不是退休，是离职了", OPTIONS) is None  # 退休 denied: nothing named
    assert by_hint("不是退休 我是租房子住", OPTIONS) == 2


def test_what_the_citizen_has_not_done_names_no_option():
    # 买房 of 还没买房子 is no 购买自住住房; 租 is all the message says.
    assert by_hint("我还没买房子 现在租的房子住", OPTIONS) == 2
    assert by_words("没买房", OPTIONS) is None
    assert by_words("刚买房", ["住房公积金提取（购房）", "住房公积金提取（租房）"]) == 0


def test_the_story_before_the_question_breaks_a_tie_the_reply_leaves():
    options = ["个体工商户注销登记", "个体工商户设立登记", "公司注销登记"]
    assert by_words("我那是个体的小卖部，不是公司", options) is None  # 个体 in two options
    assert by_words("我那是个体的小卖部，不是公司", options, story="注销营业执照要带啥") == 0
    assert by_words("你们几点上班", options, story="注销营业执照要带啥") is None  # the reply names none


def test_a_character_breaks_a_tie_of_words_and_没_is_未():
    situations = ["租住商品住房（未办理租赁备案）", "租住商品住房（已办理租赁登记备案）", "租住公共租赁住房"]
    assert by_words("没备案的那种", situations) is None  # 备案 is in the first two alike
    assert by_hint("没备案的那种", situations, topic="住房公积金提取（租赁住房）") == 0
    # 备案 alone: still tied.
    assert by_hint("备案了的", situations, topic="住房公积金提取（租赁住房）") is None


def test_没_counts_only_where_what_follows_it_is_in_the_option_too():
    options = ["首次办证并签注", "证件有效、只需再次签注", "未满16周岁"]
    assert by_hint("证还没过期，就是签注用完了", options, topic="往来港澳通行证及签注") is None
    # The topic's own words may hold 没 too (an alias 没房子提公积金): 没备案 still tells 未办理…备案.
    rent = ["租住商品住房（未办理租赁备案）", "租住商品住房（已办理租赁登记备案）", "租住公共租赁住房"]
    assert by_hint("没备案的那种", rent, topic="住房公积金提取（租赁住房） 没房子提公积金") == 0


def test_an_adverb_tells_no_option_apart():
    options = ["已纳入“免申即享”名单", "未自动纳入（户籍刚迁入、信息不一致等）"]
    assert by_hint("俺娘今年刚满八十听说有个高龄补贴", options) is None  # 刚 of 刚满, not of 刚迁入


def test_a_reply_naming_only_what_every_option_shares_leaves_the_choice_to_the_story():
    options = ["个体工商户注销登记", "个体工商户设立登记"]
    assert by_words("我那是个体的小卖部，不是公司", options, story="注销营业执照要带啥") == 0
    assert by_words("我那是个体的小卖部", options, story="新店设立要带什么") == 1
    assert by_words("我那是个体的小卖部", options) is None  # no story: nothing tells
    assert by_words("你们几点上班", options, story="注销营业执照要带啥") is None  # the reply names none


def test_sharing_a_character_leaves_out_places_and_function_words() -> None:
    from bot.matching.options import shares_a_character

    assert not shares_a_character("我考的是高中的，能在县里认定吗", "非本县户籍")
    assert shares_a_character("我户口不在这边", "非本县户籍")
    assert not shares_a_character("我户口不在这边", "非本县户籍", topic="户口迁入")


def test_a_number_and_its_measure_word_name_no_option() -> None:
    from bot.matching.options import by_hint, by_words

    options = ["内地居民结婚登记", "机动车驾驶证换证", "个人申领（换领、补领）居民身份证", "出生医学证明签发"]
    # 个人 of 两个人 (two people) is not 个人申领, nor is its 人.
    assert by_words("要两个人都去吗", options) is None
    assert by_hint("要两个人都去吗", options) is None
    assert by_words("我是个人申领", options) == 2


def test_the_way_a_message_points_picks_between_moving_in_and_out() -> None:
    from bot.matching.options import by_direction

    moves = ["户口迁入（投靠、购房、就业等）", "户口迁出"]
    assert by_direction("我是从外省嫁过来的，想把户口迁到我老公这边", moves) == 0
    assert by_direction("孩子考上大学户口要迁走", moves) == 1
    assert by_direction("户口怎么迁", moves) is None  # no way said
    assert by_direction("我想把户口迁到北京", moves) is None  # somewhere else, not here: not said which
    assert by_direction("户口迁过来", ["户口迁入", "居民身份证换领"]) is None  # not a pair of ways
    # A place, then 来 or 去, is the speaker's way, not the hall's: 迁到西宁来 may be said from Xining.
    assert by_direction("户口要从这边迁到西宁来", moves) is None
    # A place, then 去: away from where the citizen is (迁到学校去), though 来 after it may be said there.
    assert by_direction("丫头子考上大学了 户口要不要迁到学校去", moves) == 1
    assert by_direction("户口要迁到我这边来", moves) == 0


def test_what_was_not_done_points_at_the_option_saying_so() -> None:
    inheritance = ["已办理继承公证", "未办理公证（全体继承人到场）", "凭法院判决或调解书", "受遗赠"]
    assert by_hint("我们几姊妹都同意 没有去公证", inheritance, None, "继承 不动产") == 1
    assert by_hint("姊妹几个都同意，不想去公证处，可以直接办吗", inheritance, None, "继承 不动产") == 1
    rent = ["租住商品住房（未网签备案）", "租住商品住房（已网签备案）", "租住公共租赁住房"]
    assert by_hint("我在外头租房子住的 房东不得给我去备案", rent, None, "住房公积金提取 租赁住房") == 0
    assert by_hint("还没过期", ["未满16周岁", "有效期满换领"], None, "") is None  # 过 is no option's


def test_a_certificate_not_taken_points_at_the_option_that_is_not_it() -> None:
    birth = ["婚内生育，随父或随母落户", "非婚生育", "父母一方为外国人或港澳台居民"]
    assert by_not("娃他爸和我一直没办结婚证，娃的户口咋上", birth) == 1
    assert by_not("结婚证办好了，娃的户口咋上", birth) is None


def test_what_was_not_done_and_words_tied_between_options() -> None:
    from bot.matching.options import denied_words, said_apart, tied_by_words

    story = "我爸上个月在省城住院花了三万多当时没备案回来找医保报销要怎么弄"
    assert "备案" in denied_words(story)
    assert "结婚" in denied_words("我们两个还没扯结婚证")  # 扯证 (四川话): the certificate not yet got
    # 在省城住院 is 异地就医, which 手工报销's own situation (异地就医未备案) holds too: nothing said sets
    # 异地就医备案 apart from it but what was not done.
    assert said_apart(story, "异地就医备案", "医疗费用手工（零星）报销") == {"异地", "地就", "就医", "备案"}
    assert said_apart(story, "异地就医备案", "医疗费用手工（零星）报销 异地就医未备案") == set()
    # 住院 is one option's, 备案 another's: a tie the words alone cannot break.
    told = "我爸上个月住院花了三万多当时没备案回来找医保报销要怎么弄"
    assert tied_by_words(told, ["外伤住院", "异地就医未备案", "参保人已去世，家属代办"]) == [0, 1]
    assert tied_by_words("外伤住院的", ["外伤住院", "异地就医未备案"]) == []


def test_done_or_not_done_picks_between_the_already_and_the_not_yet_option():
    from bot.matching.options import by_done

    unemployed = [
        "原单位已办理停保减员",
        "原单位未办理减员或离职原因有争议",
        "领取期间重新就业、应征入伍或开始领取养老金",
    ]
    assert by_done("公司把我裁了，人事说已经给我办了减员，能领失业金吗", unemployed) == 0
    assert by_done("厂里一直没给我办减员", unemployed) == 1
    assert by_done("能领多久", unemployed) is None  # says neither
    # Whose doing it is (原单位) is not what was done: 没单位 says no employer, no case.
    assert by_done("我媳妇从来没单位，想自己交社保", unemployed) is None
    renting = ["租住商品住房（已网签备案）", "租住商品住房（未网签备案）", "租住公共租赁住房"]
    assert by_done("那要是备了案呢 能多取点不", renting) == 0  # 备了案 → 已备案
    assert by_done("房东不肯给我备案", renting) == 1
    assert by_done("已经备案了吗，还没备案的话怎么办", renting) is None  # both
    # A word told with a word inside it: 停社保 says 停保 of 已办理停保减员, not done.
    assert by_done("单位好像一直没给我停社保", unemployed) == 1
    # Done, told by the 了 after it.
    assert by_done("要是去备案了 能多取一些吗", renting) == 0
    assert by_done("没去备案了", renting) != 0


def test_a_modal_verb_hints_at_no_option():
    legal_aid = ["农民工讨要劳动报酬、工伤赔偿", "低保、特困等经济困难人员", "无民事行为能力人由他人代为申请"]
    # 能 of 能给…不 asks; it is no 能 of 无民事行为能力人.
    assert by_hint("能给我们找个律师帮忙打官司不", legal_aid) is None


def test_自己_and_what_every_option_holds_hint_at_nothing():
    rent = ["租住商品住房（未办理租赁备案）", "租住商品住房（已办理租赁登记备案）", "租住公共租赁住房"]
    # 名下没有房子: 房 is in every option, no 没 → 未.
    assert by_hint("我在县城租房子住的 自己名下没有房子", rent) is None
    assert by_hint("没备案的那种", rent) == 0
    fund = ["住房公积金提取（租赁住房）", "住房公积金提取（购买自住住房）", "住房公积金提取（离休、退休）"]
    # 自 of 自己 is no 自 of 购买自住住房: 租 decides.
    assert by_hint("我在县城租房子住的 自己名下没有房子", fund) == 0


def test_up_and_down_of_days_and_movements_hint_at_nothing():
    injury = ["用人单位申请", "职工本人或近亲属申请", "上下班途中交通事故"]
    # 上 of 上个月 and 下 of 摔下来 are no 上下班.
    assert by_hint("上个月搬砖的时候从架子上摔下来", injury) is None


def test_not_done_names_the_thing_in_either_cases_words():
    from bot.matching.options import by_done

    layoff = ["原单位已办理停保减员", "原单位未办理减员或离职原因有争议", "领取期间重新就业"]
    # 停保 is only the 已 case's word; not done, it is the 未 case.
    assert by_done("厂里好像没给我们办停保", layoff) == 1
    assert by_done("人事说已经给我办了减员", layoff) == 0
    assert by_done("我没有工作了", layoff) is None


def test_an_option_that_says_what_it_is_not_is_named_by_a_denial_only():
    cases = ["新生儿", "非本县户籍居民", "在校学生"]
    assert by_not("我不是本县户口", cases) == 1
    assert by_not("不是本人来办行不行", cases) is None  # who goes, not where the household is
    assert by_not("没有本人身份证能办吗", cases) is None
    births = ["婚内生育（父母已登记结婚）", "非婚生育"]
    assert by_not("我们还没结婚", births) == 1
    assert by_not("未婚先孕的孩子", births) == 1
    assert by_not("我们结婚三年了", births) is None
    # Said plainly, the words after 非 point away from that option, not at it.
    assert by_hint("我俩都是本县户口", cases) != 1
    assert not shares_a_character("我俩都是本县户口", cases[1])
    assert shares_a_character("俺户口在河南", cases[1])


def test_a_household_registered_elsewhere_is_the_option_for_non_locals():
    school = ["本县户籍", "随迁子女（非本县户籍）", "华侨、港澳台同胞子女"]
    assert by_not("我们户口不在潮屿，在这边租房子做生意", school) == 1
    assert by_not("我们是外地户口", school) == 1
    assert by_not("我们户口就在本县", school) is None


def test_the_first_time_option_when_nothing_tells_an_earlier_one():
    cards = ["普通船员证书首次申领", "证书换发", "遗失补发"]
    assert first_time("我儿子十八岁了，想去讨海，要办那个船员证", cards) == 0
    assert first_time("船员证到期了要办哪个", cards) is None  # an earlier one told
    assert first_time("船员证的事咋个办", cards) is None  # nothing said of obtaining one
    # Never had one: the first time, whatever the other options are.
    passport = ["首次申请", "未满16周岁", "换发（有效期即将届满）", "补发（遗失、被盗）"]
    assert first_time("她17了从来没办过，得先办护照吧", passport) == 0
    # Not when another option is no replacement or renewal of the same.
    assert first_time("要办残疾证", ["首次申领", "委托他人代办"]) is None
    # Obtaining one for someone else (想帮他办个…) is obtaining one too.
    disability = ["新办", "到期换领或遗失补领"]
    assert first_time("我妈瘫在床上好几年了，想帮她办个残疾证", disability) == 0
    assert first_time("我妈瘫在床上好几年了，想帮她把残疾证换了", disability) is None


def test_a_grade_is_told_by_its_number():
    school = ["小学一年级新生入学", "外地转学回本县"]
    assert by_words("孩子在浙江读三年级，想转回来读书", school) != 0  # 三年级 is no 一年级
    assert by_words("孩子明年读一年级", school) == 0


def test_a_household_registered_elsewhere_contradicts_the_local_case():
    school = ["本县户籍学区内有自有住房", "进城务工人员随迁子女", "残疾儿童"]
    assert contradicted("我们是外地户口在县城打工的，能报不", school) == {0}
    assert contradicted("我们是本县户口", school) == set()


def test_a_thing_not_yet_done_picks_the_case_that_says_it_not_yet_done():
    options = ["普通买卖（无抵押）", "带押过户（卖方贷款未还清）"]
    assert by_not_yet("卖家的房贷还没还完呢", options) == 1
    assert by_not_yet("房子是全款买的", options) is None
    assert by_not_yet("孩子还没满16岁", ["未满16周岁", "年满16周岁"]) == 0
    # 没有 / 没办法 meet a negation in passing: no case told.
    assert by_not_yet("没有别的办法了吗", ["未办理租赁备案", "已办理租赁备案"]) is None


def test_someone_refusing_tells_a_thing_not_done():
    from bot.matching.options import by_done

    options = ["租住商品住房（已办理租赁登记备案）", "租住商品住房（未办理租赁备案）"]
    assert by_done("房东不乐意去备案，合同是手写的", options) == 1
    assert by_done("房东不愿意跟我去备案", options) == 1
    assert by_done("已经备案了", options) == 0


def test_money_paid_out_is_no_hint_at_a_case_of_replacing():
    from bot.matching.options import by_hint

    cases = ["首次办理", "换领（有效期满）", "遗失补办"]
    assert by_hint("办了证以后有补贴吗", cases) is None  # 补 of 补贴 is no 补 of 补办
    assert by_hint("弄丢了要补", cases) == 2


def test_old_of_a_person_or_place_word_hints_at_no_pension():
    cases = ["原单位已办理停保减员", "领取期间重新就业、应征入伍或开始领取养老金"]
    assert by_hint("老板把我们都辞了", cases, None, "失业保险金申领") is None
    assert by_hint("我这人都老了", cases, None, "失业保险金申领") == 1


def test_a_business_given_up_picks_the_option_that_closes_it() -> None:
    from bot.matching.options import closing_option

    options = ["个体工商户设立登记", "个体工商户注销登记", "个体工商户变更登记"]
    assert closing_option("现在生意不好 不做了", options) == 1
    assert closing_option("店面换个地方", options) is None  # nothing given up
    assert closing_option("不做了", ["个体工商户设立登记", "个体工商户变更登记"]) is None  # none closes
