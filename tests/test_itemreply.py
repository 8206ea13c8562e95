"""Sentences that lead an item's answer: whether a material is still needed (需要。 and its line)."""

from bot.conversation.itemreply import need_asked, needed_material, source_asked, sourced_material, what_asked
from knowledge.schema import FaqEntry, Item, Material, Situation

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


PASSPORT = Item(
    code="P-1",
    name="普通护照申请",
    department="公安局",
    materials=[Material(name="《出入境证件申请表》", note="窗口填写")],
    situations=[
        Situation(name="首次申请", materials=[]),
        Situation(name="国家工作人员", materials=[Material(name="所在单位按管理权限出具的同意出境意见")]),
    ],
)
INVOICE = Item(
    code="I-1",
    name="代开发票",
    department="税务局",
    materials=[Material(name="合同或交易证明"), Material(name="自产农产品证明（村委会出具）")],
)


def test_who_issues_a_material_guessed_and_asked_to_confirm():
    subject = source_asked("那个同意出境的意见是找单位人事处开吗")
    assert subject is not None and "出境" in subject
    # No situation told: the situations' materials too; a name saying who issues it (出具) says enough.
    assert sourced_material(PASSPORT, None, subject) == "所在单位按管理权限出具的同意出境意见"
    assert source_asked("申请书去哪领") == "申请书"
    assert source_asked("你们几点开门") is None


def test_what_a_material_is_names_it_by_a_character_of_a_short_word():
    subject = what_asked("村上那个证明是啥")
    assert subject == "村上那个证明"
    assert sourced_material(INVOICE, None, subject) == "自产农产品证明（村委会出具）"
    # A long subject names nothing by one character: 出 of 出境 is no 出具.
    assert sourced_material(INVOICE, None, "出境的意见是") is None
    assert what_asked("是啥") is None


def test_a_doing_named_again_after_where_asks_where_to_get_the_thing():
    assert source_asked("体检去哪里体") == "体检"
    assert source_asked("照片在哪照呢") == "照片"
    assert source_asked("你们在哪办") is None  # 办 is not of the words before
    assert source_asked("补办社保卡去哪补") is None  # the errand's own doing: where it is done


def test_the_told_situations_own_material_answers_where_to_get_it():
    death = Item(
        code="D-1",
        name="死亡人员户口注销",
        department="公安局",
        materials=[Material(name="死亡医学证明书或公安机关出具的死亡证明（任选其一）", form="原件")],
        situations=[
            Situation(name="在医疗机构死亡", materials=[Material(name="医疗机构出具的死亡医学证明书")]),
            Situation(name="在家中正常死亡", materials=[Material(name="乡镇卫生院出具的死亡医学证明书")]),
        ],
    )
    at_home = death.situations[1]
    assert sourced_material(death, at_home, "死亡证明") == "乡镇卫生院出具的死亡医学证明书"


def _with_conditions(name: str, conditions: str) -> Item:
    return Item(code="X-1", name=name, department="某局", materials=[], conditions=conditions)


def test_how_long_a_thing_stays_valid_is_asked_and_said():
    from bot.conversation.itemreply import VALIDITY_ASK, validity_sentences

    assert all(
        VALIDITY_ASK.search(t)
        for t in ["备案能管多久", "护照有效期几年", "能用多长时间", "多久过期", "临时的管好久哦"]
    )
    assert not any(VALIDITY_ASK.search(t) for t in ["多久能办好", "要几天", "带有效身份证件吗"])
    filing = _with_conditions(
        "异地就医备案", "持有效身份证件办理。备案有效期不少于6个月，有效期内可多次就医。"
    )
    assert validity_sentences(filing) == "备案有效期不少于6个月，有效期内可多次就医。"


def test_how_early_a_thing_may_be_done_is_asked_and_said():
    from bot.conversation.itemreply import ADVANCE_ASK, advance_sentences

    assert all(ADVANCE_ASK.search(t) for t in ["提前多久去换", "到期前几天能办", "要提前几个月"])
    assert not any(ADVANCE_ASK.search(t) for t in ["多久能办好", "提前预约吗"])
    card = _with_conditions("残疾人证换领", "持证人申请换领。有效期满前90日内申请换领。")
    assert advance_sentences(card) == "有效期满前90日内申请换领。"


def test_what_kind_of_a_thing_is_asked_like_what_it_is():
    assert what_asked("照片要啥样的") == "照片"
    assert what_asked("照片有什么要求") == "照片"
    assert what_asked("这样行吗") is None


def test_who_may_go_is_answered_first_by_the_faq_that_asks_it():
    from bot.conversation.itemreply import presence_sentences
    from knowledge.schema import FaqEntry

    item = Item(
        code="T-2",
        name="居民身份证申领、换领、补领",
        department="公安局",
        materials=[],
        conditions="年满16周岁首次申领，本人到场现场免费拍照。受理须本人到窗口采集人像和指纹。",
        faq=[
            FaqEntry(q="要自己带照片吗？", a="不需要，窗口现场免费拍照。"),
            FaqEntry(q="身份证能代办吗？", a="不能代办。须本人到场采集人像和指纹。"),
        ],
    )
    lead = presence_sentences(item)
    assert lead is not None and lead.startswith("不能代办。须本人到场采集人像和指纹。")


def test_who_may_apply_named_in_the_conditions_answers_who_goes():
    from bot.conversation.itemreply import presence_sentences

    item = _with_conditions(
        "独生子女父母奖励扶助申报",
        "符合条件的，由本人或其配偶、子女代为申请。每年3月集中申报。",
    )
    assert presence_sentences(item) == "符合条件的，由本人或其配偶、子女代为申请。"
    # A sentence on whose the thing is (由乡镇审核) names no one who may go.
    assert presence_sentences(_with_conditions("农机购置补贴", "由乡镇审核后报县农业农村局。")) is None


def test_a_place_asked_after_leads_with_the_sentences_naming_it():
    from bot.conversation.itemreply import place_sentences

    item = Item(
        code="T-3",
        name="城乡居民基本养老保险待遇申领",
        department="人社局",
        materials=[],
        process=["年满60周岁前后到人社窗口、村（社区）或线上提出申请", "次月起按月发放"],
    )
    where = "年满60周岁前后到人社窗口、村（社区）或线上提出申请。"
    assert place_sentences(item, None, "村里能不能办") == where
    assert place_sentences(item, None, "非得去县里吗") == where
    assert place_sentences(item, None, "多少钱") is None


def test_two_cases_weighed_get_each_ones_note_in_the_order_asked():
    from bot.conversation.itemreply import compared_cases

    item = Item(
        code="K",
        name="社会保障卡挂失与补换",
        department="人社局",
        materials=[],
        situations=[
            Situation(name="临时挂失", materials=[], note="可在电子社保卡即时临时挂失。"),
            Situation(name="遗失补卡", materials=[], note="正式挂失后即时补卡。"),
            Situation(name="损坏或到期换卡", materials=[], note="交回原卡后即时制新卡。"),
        ],
    )
    said = compared_cases(item, "那我是先挂失还是直接去补")
    assert said == "临时挂失：可在电子社保卡即时临时挂失。\n遗失补卡：正式挂失后即时补卡。"
    assert compared_cases(item, "先挂失吗") is None  # nothing weighed
    assert compared_cases(item, "挂失还是挂失") is None  # one case, twice


def test_a_count_or_amount_asked_is_the_records_sentence_of_it():
    from bot.conversation.itemreply import record_ask_sentences

    rent = _with_conditions(
        "住房公积金提取（租赁住房）",
        "无自有住房且租房自住的可申请。每人每月最高1000元，每年可提取一次。提取后3个工作日内到账。",
    )
    assert record_ask_sentences(rent, None, "一年能取几回") == "每人每月最高1000元，每年可提取一次。"
    assert record_ask_sentences(rent, None, "最多能取多少") == "每人每月最高1000元，每年可提取一次。"
    jobless = _with_conditions(
        "失业保险金申领", "非因本人意愿中断就业。累计缴费满1年不足5年的，最长领取12个月。"
    )
    assert record_ask_sentences(jobless, None, "能领几个月") == "累计缴费满1年不足5年的，最长领取12个月。"
    # Not the trips, not how long it takes, not an age; nor a count the record does not say.
    for asked in ["要跑几次", "几个月能办下来", "多大年纪能领", "多久能到账"]:
        assert record_ask_sentences(jobless, None, asked) is None, asked
    assert record_ask_sentences(jobless, None, "一年能领几次") is None
    allowance = _with_conditions(
        "高龄津贴申领", "年满80周岁的本县户籍老年人。户口注销后系统自动停发；多发的津贴需退回。"
    )
    for asked in ["高龄补贴会自己停吗", "还得去给停了不", "要不要去把补贴停掉"]:
        assert record_ask_sentences(allowance, None, asked) == "户口注销后系统自动停发；", asked
    assert record_ask_sentences(allowance, None, "多久能到账") is None
    # An FAQ entry asking the same count is the hall's own answer to it.
    loan = _with_conditions(
        "住房公积金提取（偿还购房贷款）", "本中心贷款按月冲还贷；商业贷款每年可提取一次。"
    )
    asked_before = FaqEntry(q="商贷每年能提几次？", a="每年一次，不超过近一年还款额。")
    loan = loan.model_copy(update={"faq": [asked_before]})
    assert record_ask_sentences(loan, None, "一年能取几回") == "每年一次，不超过近一年还款额。"


def test_a_childs_age_told_leads_with_what_the_record_says_of_children():
    from bot.conversation.itemreply import minor_sentences

    passport = Item(
        code="P",
        name="普通护照申请",
        department="公安局",
        materials=[Material(name="居民身份证")],
        situations=[Situation(name="首次申请", materials=[]), Situation(name="换发", materials=[])],
        faq=[FaqEntry(q="未成年人办护照要注意什么？", a="未满16周岁的须由监护人陪同，并提供监护关系证明。")],
    )
    assert (
        minor_sentences(passport, None, "我儿子也要办，他10岁")
        == "未满16周岁的须由监护人陪同，并提供监护关系证明。"
    )
    assert minor_sentences(passport, None, "我老伴也要办，她62岁") is None  # no child
    by_age = Item(
        code="C",
        name="居民身份证首次申领",
        department="公安局",
        materials=[],
        situations=[Situation(name="未满16周岁", materials=[]), Situation(name="年满16周岁", materials=[])],
    )
    assert minor_sentences(by_age, None, "我儿子10岁") is None  # its cases take the age themselves


def test_a_thing_asked_to_be_the_one_at_hand_is_told_apart():
    from bot.conversation.itemreply import not_the_same

    allowance = Item(
        code="A-1",
        name="独生子女父母奖励申领",
        department="卫健局",
        materials=[],
        faq=[
            FaqEntry(
                q="独生子女奖励和扶助金有什么区别？",
                a="奖励按月随工资发放；扶助金是60周岁以后按年发放。",
            )
        ],
    )
    support = Item(code="A-2", name="计划生育家庭特别扶助金申领", department="卫健局", materials=[])
    mentions = lambda text, code: code == "A-2" and "扶助金" in text  # noqa: E731
    lead = not_the_same(support, allowance, "那个扶助金跟这个是一回事吗", mentions)
    assert lead == "不是。奖励按月随工资发放；扶助金是60周岁以后按年发放。"
    # No entry weighs the two: the two names, said apart.
    bare = not_the_same(support, allowance, "扶助金是不是就是这个", lambda text, code: False)
    assert bare is not None and bare.startswith("不是") and "计划生育家庭特别扶助金申领" in bare
    # Not asked whether it is the same, or the same errand: nothing.
    assert not_the_same(support, allowance, "扶助金怎么领", mentions) is None
    assert not_the_same(allowance, allowance, "是不是就是这个", mentions) is None


def test_two_papers_replaced_at_once_get_what_the_record_says_of_it():
    from bot.conversation.itemreply import together_sentences

    book = _with_conditions(
        "居民户口簿补领", "户口簿遗失的由户主申请。与居民身份证同时遗失的，可同时申请补领，先补户口簿。"
    )
    assert (
        together_sentences(book, None, "身份证也丢了 两个能一起补不")
        == "与居民身份证同时遗失的，可同时申请补领，先补户口簿。"
    )
    assert together_sentences(book, None, "要带什么") is None


def test_the_entry_asking_what_a_benefit_pays_is_found():
    from bot.conversation.itemreply import amount_entry

    pension = Item(
        code="P-1",
        name="城乡居民基本养老保险待遇申领",
        department="人社局",
        materials=[],
        faq=[
            FaqEntry(q="待遇每个月能领多少？", a="基础养老金加个人账户养老金。"),
            FaqEntry(q="领了以后还要认证吗？", a="每年认证一次。"),
        ],
    )
    assert amount_entry(pension) == pension.faq[0]
    assert amount_entry(pension.model_copy(update={"faq": pension.faq[1:]})) is None


def test_a_benefit_named_as_a_treatment_pays_and_is_not_charged_for():
    from bot.conversation.itemturn import asks_amount

    pension = Item(code="P-1", name="城乡居民基本养老保险待遇申领", department="人社局", materials=[])
    assert asks_amount(pension, "一个月大概能领多少钱")
    assert not asks_amount(pension, "办这个要交钱吗")


def test_who_must_come_is_read_from_the_cases_own_materials_too():
    from bot.conversation.itemreply import presence_sentences

    heirs = Situation(
        name="继承",
        materials=[Material(name="全部继承人身份证", form="原件", note="继承人须全部到场，或提供公证委托书")],
    )
    item = Item(
        code="H-1", name="继承不动产转移登记", department="自然资源局", materials=[], situations=[heirs]
    )
    assert presence_sentences(item, heirs) == "全部继承人身份证：继承人须全部到场，或提供公证委托书"
    assert presence_sentences(item) is None  # no case told: not that case's word


def test_a_tax_named_gets_the_faq_answer_that_gives_its_figure():
    from bot.conversation.itemreply import faq_naming

    transfer = Item(
        code="Z-1",
        name="存量房转移登记",
        department="不动产登记中心",
        materials=[],
        faq=[
            FaqEntry(q="过户要交什么税？", a="买方交契税，首套90平以下税率1%。"),
            FaqEntry(q="多久能拿证？", a="5个工作日。"),
        ],
    )
    fee = "登记费每件80元，契税等税款另行缴纳"
    assert faq_naming(transfer, "首套房契税交多少", fee) == "买方交契税，首套90平以下税率1%。"
    assert faq_naming(transfer, "登记费交多少", fee) is None  # the fee text gives its figure
    assert faq_naming(transfer, "要交税吗", fee) is None  # paying, no charge named


def test_the_period_of_a_step_named_is_read_from_the_record():
    from bot.conversation.itemreply import period_sentence

    closing = _with_conditions(
        "个体工商户注销登记", "简易注销的须在系统公告20日；公告期满无异议的，可申请注销。承诺3个工作日办结。"
    )
    assert period_sentence(closing, None, "公告要几天") == "简易注销的须在系统公告20日；"
    assert period_sentence(closing, None, "要多少天") is None  # no step named: the time limit answers
