"""bot.matching.situations: which situation of an item a message tells in words or by an age."""

from bot.matching.options import by_words
from bot.matching.situations import (
    age_situation,
    fits_age,
    from_elsewhere,
    named_situation,
    noted_situation,
    old_age_bounds,
    own_name,
    retold,
    roles,
    told_age,
    told_apart,
    topic_of,
    worded_situation,
    years_situation,
)
from knowledge.schema import Item, Situation


def _item(name: str, *situations: str | tuple[str, str], aliases: tuple[str, ...] = ()) -> Item:
    """An item with ``situations`` by name, or (name, note)."""
    cases = [(s, None) if isinstance(s, str) else s for s in situations]
    return Item(
        code="X",
        name=name,
        department="公安局",
        materials=[],
        aliases=list(aliases),
        situations=[Situation(name=n, materials=[], note=note) for n, note in cases],
    )


def _same(text: str) -> str:
    return text


LICENCE = _item("机动车驾驶证期满换证", "本地核发的驾驶证", "外地核发的驾驶证", aliases=("驾照到期",))
CARD = _item("居民身份证首次申领", "未满16周岁", "年满16周岁")


def test_a_situations_own_words_tell_it():
    assert told_apart(LICENCE, "我的驾驶证是外地核发的，到期了", _same).name == "外地核发的驾驶证"


def test_the_items_own_words_tell_no_situation():
    # 驾驶证 is in both situations' names, but it is the item's word: it tells neither.
    assert told_apart(LICENCE, "考驾驶证体检需要带什么", _same) is None


def test_an_age_tells_the_situation_whose_bound_it_falls_in():
    assert told_apart(CARD, "孩子十二岁了想办身份证", _same).name == "未满16周岁"
    assert told_apart(CARD, "我三十岁了", _same).name == "年满16周岁"
    assert told_apart(CARD, "我想办身份证", _same) is None
    assert age_situation(list(CARD.situations or ()), "刚满16岁").name == "年满16周岁"


def test_several_situations_told_tell_none():
    assert told_apart(LICENCE, "本地核发的和外地核发的都有", _same) is None


PASSPORT = _item(
    "普通护照申请（首次申请、换发、补发）",
    "首次申请",
    "补发（遗失、被盗）",
    aliases=("办护照", "护照遗失补办"),
)


def test_an_alias_telling_one_situation_lends_its_words_to_that_situation():
    # 护照遗失补办 says 遗失 of 补发（遗失、被盗）: 遗失 stays that situation's word, not the item's.
    assert told_apart(PASSPORT, "出差的时候护照遗失了，想补一个", _same).name == "补发（遗失、被盗）"
    assert "遗失" not in topic_of(PASSPORT, _same)
    assert "办护照" in topic_of(PASSPORT, _same)


def test_an_items_own_name_leaves_out_the_situations_it_lists():
    settling = _item(
        "户口迁入（投靠、购房、就业等）", "投靠配偶", "投靠子女", "购房落户（合法稳定住所）", "就业落户"
    )
    assert own_name(settling) == "户口迁入（投靠）"  # 投靠 begins two situations: it tells neither
    # A bracket that names the item itself, inside a situation's name but beginning none, stays.
    renting = _item("住房公积金提取（租赁住房）", "租住商品住房", "租住公共租赁住房")
    assert own_name(renting) == "住房公积金提取（租赁住房）"
    # A bracket word that begins a part of one situation's name is that situation's (被盗 of 遗失、被盗补领).
    card = _item(
        "居民身份证补领（遗失、被盗、损坏）", "遗失、被盗补领", "损坏、消磁换领", "急需用证申领临时身份证"
    )
    assert own_name(card) == "居民身份证补领"
    # A bracket word of alternatives whose first only one situation holds (死亡 of 职工死亡或被宣告死亡).
    fund = _item(
        "住房公积金销户提取（离退休、出境定居、死亡或宣告死亡等）",
        "离休、退休",
        "出境定居",
        "职工死亡或被宣告死亡（继承人提取）",
    )
    assert own_name(fund) == "住房公积金销户提取（离退休）"
    # Operations listed without brackets, each one situation's (挂失 of 临时挂失).
    social = _item("社会保障卡挂失、补卡、换卡", "临时挂失", "遗失补卡", "损坏、到期换卡")
    assert own_name(social) == "社会保障卡"
    assert "挂失" not in topic_of(social, _same)
    # A list whose words no situation holds stays.
    assert own_name(_item("残疾人证换领、补领", "有效期满", "迁入本县")) == "残疾人证换领、补领"
    assert told_apart(card, "钱包被盗了，身份证在里面", _same).name == "遗失、被盗补领"


def test_family_roles_are_told_in_the_words_situation_names_use():
    assert roles("我是从外省嫁过来的，想把户口迁到我老公这边").split()[0] == "配偶"
    assert roles("我们才结婚半年") == "配偶 夫妻 亲属"  # kin by marriage: 投靠亲属 too; 夫妻投靠
    # Who the errand is for is no tie: 孩子上小学 does not tell 随迁子女, nor 我老婆的身份证 配偶.
    assert roles("孩子上小学要啥材料") == ""
    assert "配偶" not in roles("我老婆的身份证丢了")
    # A wife or husband named so is a marriage, for the cases a birth is told by (婚内生育).
    assert "婚内" in roles("老婆上个礼拜在医院生了个儿子")
    # A marriage certificate not taken is no marriage.
    assert roles("我俩到现在还没去领结婚证") == "非婚"
    # A sudden misfortune tells 急难 (急难型救助), a standing hardship does not.
    assert "急难" in roles("前天晚上厨房烧了一半，屋里进水也淹了")
    assert "急难" not in roles("老伴常年吃药，家里开销大")
    # Building one's own home, however said (起屋 in Hakka and Cantonese): 建造 / 翻建 / 自建.
    assert roles("想在老家起屋，公积金能用不") == "建造 翻建 自建"
    assert "建造" not in roles("房子是开发商建的")
    # Nothing owed is the simple closing, debts still owed the ordinary one.
    assert "简易" in roles("厂子不开了，税一分没欠过，也没有债务")
    assert "普通" in roles("店关了，可还欠着房东半年租金")
    assert "简易" not in roles("店关了，可还欠着房东半年租金")
    # A home bought before it is built.
    assert "新建" in roles("去年买的期房，明年交房")
    # Work is told in the word situation names use (以合法稳定就业申领).
    assert roles("外地来这边厂里打工的") == "就业 务工"
    # A marriage certificate had is a marriage (婚内生育); one denied is none.
    assert "婚内" in roles("我俩都是本县户口，结婚证也有")
    assert roles("我跟娃儿他爸还没扯证，莫得结婚证") == "非婚"  # no 婚内; not married
    assert roles("还没结婚") == "非婚"  # not married: 非婚生育
    # Damage told by how it happened (撕坏了, 洗烂了): 损坏, as situation names write it (损坏换证).
    assert "损坏" in roles("房本叫小孙子给撕坏了")
    assert "损坏" in roles("驾照跟衣服一起洗烂了")
    assert "损坏" not in roles("身份证丢了")
    # Lost (卡丢了要补): 遗失 / 丢失 / 被盗, as in 遗失补卡, 丢失、被盗补领.
    assert "遗失" in roles("卡丢了要补") and "被盗" in roles("钱包被偷了")
    # Selling and carrying away (要拉去广东卖): 出售, 运输; buying (买卖, 卖房) is not selling livestock.
    assert roles("我养了十几头牛，下个月要拉去广东卖") == "出售 运输"
    assert "出售" not in roles("二手房买卖过户")
    # Both agreeing (商量好了，两个人都同意的): 协议, as in 双方协议离婚.
    assert "双方协议" in roles("我跟老公商量好了要离婚，两个人都同意的")
    assert "双方协议" not in roles("他不同意离婚，没谈妥")
    assert roles("我跟孩子爸还没领证") == "非婚"
    # Just born (told as news too), and a hospital stay away.
    assert "新生儿" in roles("我老婆上个月在县医院生了个闺女")
    assert "新生儿" not in roles("我两年前生了个儿子")
    assert roles("给我家小孙子交他才生下来一个月") == "新生儿"
    assert "新生儿" in roles("孩子上个礼拜在锡林浩特的医院生的 想在旗里上户口")
    assert roles("我们下个月要去昆明住院") == "临时"
    assert roles("以后看病咋个弄") == ""  # living there or a trip: either
    assert roles("我屋里老倌子去年中风瘫了") == "重病"
    assert roles("老板说他没签合同不算工伤，不给报") == "未申报 近亲属"
    assert roles("家里东西全烧了，日子过不下去") == "急难 紧急"
    # Living abroad, details written wrong, a stall.
    assert "境外" in roles("他现在在印尼我阿兄那边住，要住大半年才回来")
    assert "境外" not in roles("我去泰国玩几天")
    assert "有误" in roles("出生证明写错字了，小孩名字错了一个字")
    assert "摊贩" in roles("就一个小摊仔，卖鱼丸汤")


def test_an_items_name_listing_each_situation_whole_keeps_only_its_own_words():
    stalls = _item("食品小作坊、小餐饮、食品摊贩登记", "食品摊贩", "小餐饮", "食品小作坊")
    assert own_name(stalls) == "登记"


def test_a_word_of_a_situations_name_tells_it_once_the_item_is_decided():
    def canonical(text: str) -> str:
        return text.replace("丢了", "遗失")

    book = _item("居民户口簿补领、换领", "遗失补领", "损坏或页满换领", aliases=("户口本丢了",))
    # 遗失 of 遗失补领 (the alias 户口本丢了 lends 遗失 to the situation).
    assert worded_situation(book, "户口本丢了怎么办", canonical).name == "遗失补领"
    # The name lists 补领 and 换领, each one situation's: 补领 tells 遗失补领, 换领 the other.
    assert worded_situation(book, "户口本怎么补领", canonical).name == "遗失补领"
    assert worded_situation(book, "户口本怎么办", canonical) is None


def test_a_situation_part_is_told_without_the_operation_it_ends_with(county_kb_path) -> None:
    from bot.matching.scoring import ItemScorer
    from bot.matching.situations import told_apart
    from knowledge.schema import load_kb

    items = load_kb(county_kb_path).items
    scorer = ItemScorer.build(items)
    card = next(item for item in items if item.code == "SF-GA-003")
    # 丢失、被盗补领: 被盗 (被偷 in the citizen's words) tells it; 补领 is what every case of the item does.
    told = told_apart(card, "钱包在公交车上被偷了，身份证也在里面", scorer.prepare)
    assert told is not None and "被盗" in told.name


def test_a_case_word_of_the_items_name_still_tells_its_situation() -> None:
    licence = _item("机动车驾驶证遗失补领", "遗失、被盗补领", "损毁换证")
    found = named_situation(licence, "驾驶证遗失了怎么办", _same)
    assert found is not None and found.name == "遗失、被盗补领"
    # The item's own thing is no case: 居住证 of 居住证签注 (签注 is what tells it).
    permit = _item("居住证申领", "以合法稳定就业申领", "居住证签注（续期）")
    assert named_situation(permit, "我想办居住证", _same) is None
    assert named_situation(permit, "居住证签注怎么办", _same).name == "居住证签注（续期）"


def test_来不及_is_one_word_of_a_situation_name() -> None:
    record = _item("异地就医备案", "异地长期居住", "急诊抢救来不及备案")
    # 备案 is the item's own operation; split off 来不及 it would tell the emergency case.
    assert named_situation(record, "长期在那边看病医保怎么备案", _same) is None


def test_an_age_said_as_a_number_come_falls_in_its_bound() -> None:
    card = _item("居民身份证首次申领", "未满16周岁", "年满16周岁")
    assert age_situation(card.situations, "他姐姐17了，也还没办过").name == "年满16周岁"
    assert age_situation(card.situations, "我家娃娃12岁了").name == "未满16周岁"
    assert age_situation(card.situations, "等了17了") is None  # a count, no person's age


def test_a_grade_tells_no_case_by_its_word_alone():
    school = _item("义务教育阶段入学、转学", "小学一年级新生入学", "外地转学回本县")
    # 年级 of 三年级 is no 一年级: the case is left open, not guessed as a first-grader's.
    assert worded_situation(school, "孩子在浙江读三年级，想转回来读书", _same) is None


def test_a_bracket_that_includes_a_situation_lists_it():
    insurance = _item("城乡居民医疗保险参保登记（含新生儿参保）", "新生儿参保", "在校学生")
    assert own_name(insurance) == "城乡居民医疗保险参保登记"
    assert "新生儿" in roles("我女儿上个礼拜生了个满崽，她还在坐月子")


def test_a_minors_case_is_told_by_age_only_when_asked_for():
    move = [
        Situation(name=n, materials=[])
        for n in ("投靠配偶", "子女投靠父母（含未成年子女随迁）", "父母投靠子女")
    ]
    assert age_situation(move, "孩子5岁") is None  # no numeric bound in the names
    assert age_situation(move, "孩子5岁", majority=True).name == "子女投靠父母（含未成年子女随迁）"
    assert age_situation(move, "他30岁", majority=True) is None
    adults = [Situation(name=n, materials=[]) for n in ("成年人申请", "未成年人申请")]
    assert age_situation(adults, "我今年20岁", majority=True).name == "成年人申请"


def test_the_sellers_loan_not_paid_off_is_told_in_the_words_of_a_mortgage():
    assert "带押 抵押" in retold("买了套二手房 房东贷款还没还清 能过户吗")
    assert "卖家房贷还没还完" in retold("卖家房贷还没还完，能过户不")  # what was said is kept
    assert retold("我贷款买的二手房") == "我贷款买的二手房"  # the buyer's own loan is not


def test_an_age_told_of_a_parent_in_plain_words():
    licence = [Situation(name=n, materials=[]) for n in ("有效期满换证", "年满70周岁换证")]
    assert age_situation(licence, "俺爹七十一了，他的也到期了").name == "年满70周岁换证"
    assert age_situation(licence, "我娘都八十了").name == "年满70周岁换证"


def test_a_farmer_told_in_plain_words_tells_the_farm_produce_case():
    assert "农产品" in roles("我卖红枣给内地一个公司，人家要发票，我一个种地的咋开")
    assert "农产品" not in roles("我把房子租出去了要开发票")


def test_life_events_told_in_plain_words_read_in_the_words_of_situation_names():
    assert "医疗机构" in roles("老爷子上礼拜在县医院走了")
    assert "外伤" in roles("被货车挂倒了，腿骨折住了二十多天院")
    assert "家庭经营" in roles("就我们两口子自己搞，不请人")
    assert "购房" in roles("在城关买了套二手房，房产证过到我名下了")
    assert "购房" in roles("我买的新房交房了，开发商说房产证让我们自己去办")
    assert not {"医疗机构", "外伤", "家庭经营", "购房"} & set(
        roles("我想租个门面开店，家里人都在外地").split()
    )


def test_an_age_told_is_read_in_numerals_and_words():
    assert told_age("我今年满六十了") == 60
    assert told_age("老头子开春刚过八十一") == 81
    assert told_age("我妈九十二了") == 92
    assert told_age("下个月去办") is None


def test_old_age_bounds_come_from_names_aliases_and_situations():
    item = _item("80周岁以上老年人尊老金申领", "未满60周岁的残疾老人", aliases=("60岁领钱", "3岁以下补贴"))
    assert old_age_bounds(item) == [60, 80]


def test_a_school_year_tells_a_pupils_age():
    item = _item("居民身份证首次申领", "未满16周岁", "年满16周岁")
    assert age_situation(item.situations, "孙女今年读初二了，要办身份证").name == "未满16周岁"
    assert age_situation(item.situations, "儿子上高三了，身份证还没办").name == "年满16周岁"
    assert age_situation(item.situations, "儿子上高一了") is None  # 15 or 16: either side


def test_marriage_before_village_life_and_a_rented_home_are_told_in_situation_words():
    assert "离婚" in roles("我俩都是二婚")
    assert "农村" in roles("我们是村里的，老两口")
    assert "住所" in roles("在县城租房住了一年多")
    assert "亲属" in roles("我是安徽嫁过来的")
    assert "配偶" in roles("领完证想把他户口迁过来")
    low = _item("最低生活保障申请", "城市低保", "农村低保")
    found = worded_situation(low, f"老两口 {roles('我们是村里的')}", lambda t: t)
    assert found is not None and found.name == "农村低保"


def test_a_plain_errand_tells_none_of_these():
    assert roles("社保卡在哪办") == ""


def test_renewing_moving_school_and_leaving_a_job_are_told_in_situation_words():
    visa = _item("往来港澳通行证及签注", "首次办证并签注", "证件有效、只需再次签注")
    found = worded_situation(visa, f"就是续签 证还没过期 {roles('就是续签 证还没过期')}", lambda t: t)
    assert found is not None and found.name == "证件有效、只需再次签注"
    assert "转学" in roles("孩子在外省读三年级，想转回老家读")
    assert "解除劳动关系" in roles("我不在厂里干了，准备回老家")


def test_a_stall_is_a_stall_point():
    told = "在集上摆摊卖凉皮"
    assert by_words(f"{told} {roles(told)}", ["小经营店登记", "小摊点备案"], "小餐饮登记") == 1


def test_an_age_bound_in_chinese_numerals_is_read():
    card = _item("居民身份证申领（首次）", "未满十六周岁", "年满十六周岁")
    assert age_situation(list(card.situations or ()), "孩子今年12岁了").name == "未满十六周岁"
    assert age_situation(list(card.situations or ()), "我都二十了").name == "年满十六周岁"
    allowance = _item("高龄津贴", "八十周岁以上", "九十周岁以上")
    assert old_age_bounds(allowance) == [80, 90]


def test_a_bracketed_word_a_situation_says_in_other_words_is_the_situations():
    renewal = _item("居民身份证换领（到期、损坏）", "有效期满换领", "损坏换领")
    canonical = {"到期": "期满"}

    def prepare(text: str) -> str:
        for word, same in canonical.items():
            text = text.replace(word, same)
        return text

    # 到期 is said 期满 in 有效期满换领: with the canonical forms it is that situation's word.
    assert own_name(renewal) == "居民身份证换领（到期）"
    assert own_name(renewal, prepare) == "居民身份证换领"
    # The bracket's own word stays the item's, though one situation holds it too.
    transfer = _item("二手房转移登记（过户）", "带押过户", "委托他人办理")
    assert own_name(transfer, prepare) == "二手房转移登记（过户）"


def test_the_roles_a_story_tells():
    # A spouse whose hukou moves joins a spouse; a shop on a platform is online; a child born last month is
    # newborn.
    assert "夫妻" in roles("我媳妇是外省户口 想迁到我这来")
    assert "网店" in roles("打算在快手上开个店卖土特产")
    assert "新生儿" in roles("孩子是上礼拜在妇幼保健院生的")
    assert "新生儿" not in roles("孩子是前年生的")


def test_a_child_just_born_is_under_every_age_bound():
    assert age_situation(list(CARD.situations or ()), "外孙女刚出生没几天").name == "未满16周岁"
    assert age_situation(list(CARD.situations or ()), "外孙女出生好几年了") is None


def test_an_age_said_of_a_husband_is_read():
    assert told_age("我老汉今年七十一了 驾驶本明年三月到期") == 71
    assert told_age("孩子今年9月上一年级") is None


def test_years_paid_are_read_against_a_bound_of_years():
    paid = [Situation(name="缴费满15年正常申领", materials=[]), Situation(name="缴费不足15年", materials=[])]
    found = years_situation(paid, "我今年六十了交了十六年的养老保险咋领钱")
    assert found is not None and found.name == "缴费满15年正常申领"
    short = years_situation(paid, "只交了十二年")
    assert short is not None and short.name == "缴费不足15年"
    assert years_situation(paid, "交了十几年") is None


def test_a_bank_loan_a_pastoral_township_and_a_dismissal_read_in_situation_words():
    assert "银行" in roles("我是要还房贷 在信用社贷的款").split()
    assert "银行" in roles("我房子是在工行贷的款").split()
    assert "嘎查" in roles("我是宝力根苏木的 家里就我和老伴两个").split()
    assert "辞退" in roles("老板说活少 把我们几个都辞了").split()
    assert not {"银行", "嘎查", "辞退"} & set(roles("我在县城上班，想办社保卡").split())


def test_an_operation_the_items_name_joins_that_one_situation_holds_is_that_situations():
    card = _item("社会保障卡挂失与补换", "临时挂失", "遗失补卡", "损坏或到期换卡")
    assert own_name(card) == "社会保障卡补换"
    found = worded_situation(card, "半夜能不能先挂失", _same)
    assert found is not None and found.name == "临时挂失"
    # Joined words that no single situation holds stay the item's.
    pension = _item("城乡居民基本养老保险参保登记与缴费", "一般参保人员", "困难群体代缴")
    assert own_name(pension) == "城乡居民基本养老保险参保登记与缴费"


def test_a_word_only_one_situations_note_holds_tells_that_situation():
    support = _item(
        "特困人员救助供养申请",
        ("申请集中供养（入住供养服务机构）", "评估后由民政局安排入住敬老院等供养服务机构。"),
        ("申请分散供养（在家居住）", "按规定落实照料服务。"),
        aliases=("进敬老院",),  # an alias naming the item by one case does not make the word the item's
    )
    found = noted_situation(support, "我大伯无儿无女 想去敬老院住", _same)
    assert found is not None and found.name.startswith("申请集中供养")
    assert noted_situation(support, "我大伯无儿无女 想申请供养", _same) is None
    shop = _item(
        "个体工商户设立登记",
        ("家庭经营", "以家庭共同财产承担责任。"),
        ("经营范围涉及前置许可", "食品经营等后置许可事项，可在领取营业执照后再申请。"),
    )
    # 营业执照 names errands of the hall (变更, 注销): no case of this one.
    errands = "个体工商户设立登记 办营业执照\n个体工商户注销登记 注销营业执照"
    assert noted_situation(shop, "我想开个小卖部 营业执照怎么办", _same) is not None  # without them
    assert noted_situation(shop, "我想开个小卖部 营业执照怎么办", _same, errands) is None


def test_a_longer_word_of_a_bracketed_list_inside_one_situations_name_is_that_situations():
    help_ = _item(
        "退捕渔民转产就业帮扶（技能培训、公益性岗位、务工交通补贴）",
        "参加职业技能培训",
        "申请公益性岗位",
        "跨省务工交通补贴",
    )
    assert own_name(help_) == "退捕渔民转产就业帮扶"
    found = worded_situation(help_, "听说有个交通补贴 怎么回事", _same)
    assert found is not None and found.name == "跨省务工交通补贴"


def test_a_body_part_damaged_tells_no_damaged_case():
    assert "损坏" in roles("驾照放兜里洗烂了").split()
    assert "损坏" not in roles("小时候发烧烧坏了脑子").split()
    assert "损坏" not in retold("小时候发烧烧坏了脑子")


def test_a_child_born_away_from_home_is_told_apart_from_one_born_nearby():
    from bot.matching.situations import born_elsewhere

    assert born_elsewhere("闺女是在杭州生的", ["示范"])
    assert born_elsewhere("孩子是在沈阳医院生的 有影响不", ["示范"])
    assert not born_elsewhere("上个月在县医院生的", ["示范"])
    assert not born_elsewhere("在示范县人民医院生的", ["示范"])  # the hall's own place


def test_paying_in_oneself_reads_as_flexible_employment():
    assert "灵活就业" in roles("社保一直是自己交的").split()
    assert "灵活就业" in roles("我在外面打零工").split()
    assert "灵活就业" not in roles("单位给交的社保").split()


def test_a_small_child_told_without_an_age_is_under_the_bounds_of_minors():
    minors = [
        Situation(name="成年人申领", materials=[]),
        Situation(name="未成年人申领（监护人代办）", materials=[]),
    ]
    found = age_situation(minors, "社保卡也要给他办，他那么小咋办", majority=True)
    assert found is not None and found.name.startswith("未成年人")
    assert age_situation(minors, "这么小的事也要跑一趟吗", majority=True) is None


def test_the_halls_own_province_is_no_elsewhere() -> None:
    assert from_elsewhere("我是四川人在这边打工", {"云南", "边河"})
    assert from_elsewhere("孩子他爸是河北户口", {"山东", "柳营"})
    assert not from_elsewhere("我是云南人在这边打工", {"云南", "边河"})
    assert not from_elsewhere("我去过四川", {"云南"}) and not from_elsewhere("四川人民医院", {"云南"})


def test_renting_out_and_renting_in_are_told_apart() -> None:
    assert "出租房屋" in retold("我把门面房租给人开超市了")
    assert "出租房屋" not in retold("我在城里租的房子住")
    assert "租房" in retold("我在城里租的房子住") and "无房" in retold("自己没买房")
    assert "无房" not in retold("没房产证")


def test_an_age_range_in_a_name_holds_the_ages_between():
    assert fits_age("80至99周岁", 82) is True
    assert fits_age("80-89岁", 90) is False
    assert fits_age("未满16周岁", 16) is False
    assert fits_age("年满16周岁", 16) is True
    assert fits_age("亲属代办", 40) is None


def test_someone_living_abroad_is_abroad_as_case_names_write_it():
    assert "国外" in retold("我哥在新加坡，回不来签字").split()
    assert "境外" in retold("一个在澳门，一个在老家").split()
    # Going there is told by 出国 already; a Hong Kong resident is no one living across the border.
    assert "国外" not in retold("下个月去新加坡玩").split()
    assert "境外" not in retold("她是在香港居民").split()


def test_a_case_the_item_name_lists_is_told_by_its_word():
    # 退休 is a word of the name, but one of the cases the name lists (退休及离职): said, it tells that case.
    fund = _item("退休及离职销户提取住房公积金", "退休", "离职满半年", "死亡或宣告死亡")
    assert named_situation(fund, "我是退休了", _same).name == "退休"
    # A word of the name that lists no case tells none (居住证 of 居住证申领).
    permit = _item("居住证申领", "居住证首次申领", "居住证签注（续期）")
    assert named_situation(permit, "我想办居住证", _same) is None


def test_this_years_number_at_a_clauses_end_is_an_age():
    assert told_age("是给我奶奶问的 她今年八十五") == 85
    assert told_age("今年十二月到期") is None  # a month, not an age


def test_where_one_is_from_said_with_a_final_de_is_from_elsewhere():
    assert from_elsewhere("俺是河南周口的 现在在这边打工", {"新疆", "北沙窝"})
    assert not from_elsewhere("我是新疆的", {"新疆"})  # the hall's own region
    assert not from_elsewhere("俺是河南周口的人才", {"新疆"})  # 的 inside a phrase, not at the clause's end


def test_a_disaster_a_home_visit_and_a_robbery_are_told_in_case_words():
    assert "因灾" in roles("家里烧成这样 政府有没有啥救助").split()
    assert "因灾" not in roles("孩子发烧没好").split()  # a fever burns nothing down
    assert "急难" in roles("火灭了 房子烧了一半 政府有没有补助").split()
    assert "急难" not in roles("孩子发烧了一晚上").split()
    assert "上门" in roles("我腿不好 走不了 家里来 能吗").split()
    assert "被盗" in roles("身份证给抢走了 回头要补").split()
