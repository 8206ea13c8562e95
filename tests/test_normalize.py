"""Each normalisation rule, one table row each."""

import pytest

from bot.matching.normalize import DATA, Replacer, normalize, read_table

CASES = [
    ("ＡＢＣ１２３", "abc123"),
    ("身份證補辦要多少錢", "身份证补办要多少钱"),
    ("請問，辦理結婚證", "办理结婚证"),
    ("社保卡丢了咋整", "社保卡丢了怎么办"),
    ("要带啥", "要带什么"),
    ("啥时候能办好", "什么时候能办好"),
    ("种田补贴么时候发", "种田补贴什么时候发"),  # Gan speech
    ("补贴什么时候发", "补贴什么时候发"),  # unchanged: it holds 么时候
    ("办证要多长时间", "办证要多久"),
    ("你好，我想问一下办残疾证", "办残疾证"),
    ("您好 请问 低保怎么申请 谢谢", "低保怎么申请"),
    ("身份证怎么办啊？？", "身份证怎么办"),
    ("啊啊啊 户口本", "户口本"),
    ("我身份证号410105198807230617，换证要带什么", "换证要带什么"),
    ("手机13588001234能补吗", "能补办吗"),
    ("驾照弄丢了", "驾照丢了"),
    ("律师证丢了怎么补", "律师证丢了怎么补办"),
    ("社保断缴了怎么补缴", "社保断缴了怎么补缴"),
    ("娃上户口", "孩子上户口"),
    ("酒吧", "酒吧"),
    ("  多个   空格  ", "多个 空格"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    CASES,
    ids=[
        "fullwidth",
        "traditional",
        "traditional-filler",
        "zazheng",
        "sha",
        "shashihou",
        "meshihou",
        "shenmeshihou-kept",
        "duochangshijian",
        "filler-wowenyixia",
        "greeting-thanks",
        "final-particle",
        "interjection",
        "id-number",
        "mobile",
        "nongdiu",
        "zenmebu",
        "bujiao-kept",
        "wa",
        "keeps-jiuba",
        "spaces",
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_only_filler_is_empty() -> None:
    assert normalize("你好，谢谢！") == ""


def test_replacer_longest_first() -> None:
    assert Replacer([("咋", "怎么"), ("咋办", "怎么办")])("咋办咋") == "怎么办怎么"


def test_tables_parse() -> None:
    assert ("啥", "什么") in read_table(DATA / "colloquial.tsv")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我老伴上个礼拜在家里头走了", "我老伴上个礼拜在家里头去世了"),
        ("我老头子在县医院没了", "我老头子在县医院去世了"),
        # 没了 of a document is a loss: nothing between the person and the word may be one.
        ("我妈身份证没了", "我妈身份证丢了"),
        ("我爸的户口本没了", "我爸的户口本丢了"),
        ("钱包没了", "钱包丢了"),
        # 走了 after a verb of taking: the thing is gone, not the person (matching normalises twice).
        ("钱包被人摸走哒", "钱包被人偷走了"),
        ("孩子被他爸接走了", "孩子被他爸接走了"),
    ],
)
def test_a_relative_gone_is_a_death(text: str, expected: str) -> None:
    assert normalize(text) == expected
    assert normalize(normalize(text)) == expected


def test_cantonese_function_words_are_read() -> None:
    assert normalize("我老婆喺县医院生咗个仔 想帮佢入户口 要带啲咩嘢") == (
        "我老婆在县医院生了个孩子 想帮他入户口 要带些什么东西"
    )
    assert normalize("BB出世唔够一个月") == "孩子出生不够一个月"


def test_an_area_said_short_is_square_metres() -> None:
    assert normalize("房子120平 家里就这一套") == "房子120平方米 家里就这一套"
    assert normalize("90个平方的房子") == "90平方米的房子"
    assert normalize("120平方米") == "120平方米"
    assert normalize("平时几点上班") == "平时几点上班"


def test_dates_in_chinese_numerals_are_written_in_digits() -> None:
    assert normalize("都十二月了 今年还交得到不") == "都12月了 今年还交得到不"
    assert normalize("十月一日") == "10月1日" and normalize("二十三号") == "23号"
    assert normalize("这个月") == "这个月" and normalize("十一假期") == "十一假期"


def test_treatment_elsewhere_is_seeking_medical_care_elsewhere() -> None:
    assert normalize("他在那边看病医保咋个弄") == "他异地就医医保怎么办"  # 咋个弄 = 怎么办
    assert normalize("我妈去省城住院") == "我妈异地就医"
    # Moving to live far away, care asked: 长期居住 elsewhere; a short trip is not.
    assert "异地 长期居住" in normalize("退休了要到上海儿子那边长期住，看病医保卡能直接刷吗")
    assert "长期居住" not in normalize("去上海玩几天，医保卡能用吗")
    assert normalize("明天带我妈去省城看病") == "明天带我妈去省城看病"  # a trip
    # 长住 for 长期居住.
    assert "长期居住" in normalize("我妈明年去广州长住") and normalize("住在村里") == "住在村里"


def test_died_in_northwestern_speech_is_a_death() -> None:
    assert normalize("我爹前天殁了") == "我爹前天去世了"


def test_how_many_months_a_benefit_is_paid_is_how_long() -> None:
    assert normalize("失业金能领几个月") == "失业金能领多久"
    assert normalize("孩子几个月大了") == "孩子几个月大了"


def test_a_stay_of_half_a_year_or_more_is_a_long_stay() -> None:
    assert normalize("我妈要去上海我弟家住大半年") == "我妈要去上海我弟家长期居住"
    assert normalize("在本县居住半年以上") == "在本县居住半年以上"


def test_the_factory_is_the_employer() -> None:
    assert normalize("社保一直是厂里交的") == "社保一直是单位交的"
    assert normalize("在工厂里上班") == "在工厂里上班"
    assert normalize("现在想个人接到交") == "现在想个人接着交"


def test_south_western_words_are_read() -> None:
    assert normalize("身份证咋个整") == "身份证怎么办"
    assert normalize("要带哪样证明") == "要带什么证明"
    assert normalize("那要好多天才拿得到") == "那要多少天才拿得到"
    assert "取出来" in normalize("公积金要咋个才取得出来")


def test_wu_words_are_read() -> None:
    assert normalize("房东勿肯一道去，阿拉自家好去办伐？") == "房东不肯一道去 我们自己好去办吗"
    assert normalize("啥辰光报名") == "什么时候报名"
    assert normalize("老房子想拆掉重新造一幢") == "老房子想拆掉重建一栋"  # 造 a house: 建
    # 伐 ends a question without a question mark too (要带户口本伐); 采伐 is still logging.
    assert normalize("要带户口本伐") == "要带户口本吗"
    assert normalize("网上好弄伐，阿拉想早点弄") == "网上好弄吗 我们想早点弄"
    assert "采伐" in normalize("林木采伐要什么材料")


def test_hokkien_words_are_read() -> None:
    assert normalize("我有一间旧厝自己住") == "我有一间旧房子自己住"
    assert normalize("囝仔都在外地") == "孩子都在外地"


def test_buying_a_home_is_said_as_names_say_it() -> None:
    assert normalize("去年在县城给儿子买了套房") == "去年在县城给儿子购房"
    assert normalize("买房子要交什么税") == "购房要交什么税"
    assert normalize("买了套二手房") == "购买二手房"  # as situation names say it
    assert normalize("购买房屋") == "购买房屋"  # already the catalogue's words: not rewritten again


def test_leaving_a_spouse_is_a_divorce() -> None:
    assert normalize("过不下去了 想跟他离") == "过不下去了 想跟他离婚"
    assert normalize("跟他离婚了") == "跟他离婚了"


def test_looking_up_is_the_catalogue_s_query() -> None:
    assert normalize("帮我查查我社保交了几年") == "帮我查询我社保交了几年"


def test_cancelling_a_household_registration_is_said_as_the_catalogue_says_it() -> None:
    assert normalize("现在要去把他户口销了") == "现在要去把他户口注销了"
    assert normalize("销户口在哪办") == "注销户口在哪办"
    assert normalize("户口注销要带什么") == "户口注销要带什么"


def test_a_separable_verb_with_le_inside_says_it_is_done() -> None:
    assert normalize("那要是备了案呢") == "那要是已备案"
    assert normalize("结婚证找不着了") == "结婚证丢了"


def test_treatment_in_a_far_city_is_elsewhere() -> None:
    assert "异地就医" in normalize("下个月要去上海住院，医保备案怎么弄")
    assert "异地就医" in normalize("在北京的医院看病")
    assert "异地就医" not in normalize("去上海玩几天")


def test_hokkien_words_for_theft_death_and_family() -> None:
    assert "被人偷走" in normalize("钱包乎人扒去了")
    assert "去世" in normalize("阮阿爸过身了")
    assert "我儿子" in normalize("阮囝明年要读一年级")


def test_living_far_away_and_seeing_a_doctor_is_a_long_stay_elsewhere() -> None:
    assert "长期居住" in normalize("我妈跟我在杭州住，她看病医保要怎么弄才能直接报")
    assert "长期居住" not in normalize("我在杭州住了三天，身份证丢了")  # a short stay, no care asked
    assert "长期居住" not in normalize("我在杭州住，想办个护照")  # no care asked


def test_the_citizens_own_number_given_names_no_item() -> None:
    # 身份证 of 我身份证号是… is personal data told, not the ID-card item asked about.
    assert "身份证" not in normalize("我身份证号430102198807153214，想办个护照")
    assert "身份证丢了" in normalize("身份证丢了，号码是430102198807153214")


def test_no_time_to_is_too_late() -> None:
    assert "来不及" in normalize("要是还没来得及办就住进去了咋个弄")


def test_parents_all_gone_are_dead() -> None:
    assert "他们都去世了" in normalize("我爸妈的老房子要过户到我名下，他们都不在了")
    assert "去世" not in normalize("他们不在家")


def test_a_second_endorsement_in_the_records_words() -> None:
    assert "再次签注" in normalize("港澳通行证还没过期，就是想再签一次")


def test_wu_words_for_death_and_price() -> None:
    assert "去世" in normalize("阿拉屋里老头子上个礼拜辣医院里走脱了")
    assert normalize("要几钿？") == "要多少钱"


def test_cantonese_lost_is_lost() -> None:
    assert normalize("我個身份證唔見咗，點樣補辦呀？") == "我个身份证丢了 怎么补办"


def test_a_document_mislaid_is_lost() -> None:
    assert "丢了" in normalize("房产证上个月搬家的时候不晓得弄到哪去了")
    assert "丢了" in normalize("翻遍了都没得")
    assert normalize("身份证不知道放哪了") == "身份证丢了"
    # Not knowing where to go is no loss.
    assert "丢了" not in normalize("不知道在哪里办")
    # Left behind in a vehicle is lost; left at home is only not brought.
    assert normalize("驾驶证落在滴滴车里了") == "驾驶证丢了"
    assert "丢了" in normalize("昨天打的士把钱包忘在车上了")
    assert "丢了" not in normalize("身份证忘在家里了")


def test_more_cantonese_and_treatment_in_a_named_hospital_far_away() -> None:
    assert normalize("食品嗰个许可证要几耐先批落嚟") == "食品那个许可证要多久先批落来"
    assert normalize("营业执照可唔可以喺网上搞掂") == "营业执照可不可以在网上办好"
    assert "异地就医" in normalize("我妈要去成都华西医院做手术")


def test_cantonese_asking_words() -> None:
    assert normalize("几时可以攞到") == "什么时候可以拿到"
    assert normalize("急住要用点算") == "急着要用怎么办"
    assert normalize("佢一个人去得唔得，我要返工") == "他一个人去行不行 我要上班"


def test_sichuanese_and_wu_for_theft_and_loss() -> None:
    assert normalize("我的身份证遭贼娃子摸了").startswith("我的身份证被小偷")
    assert normalize("社保卡寻勿着了，卡里向个铜钿会勿会没脱") == "社保卡丢了 卡里向个钱会勿会没了"


def test_a_trip_abroad_is_said_beside_the_country() -> None:
    assert "泰国 出国" in normalize("下个月要带孩子去泰国玩")
    assert "缅甸 出国" in normalize("我去缅甸那边看我姐姐")  # the country kept: border passes name it
    assert "出国" not in normalize("去省城玩")


def test_english_words_in_a_chinese_message() -> None:
    assert normalize("OK那社保怎么办，要 transfer 回去吗") == "ok那社保怎么办 要 转移 回去吗"
    assert normalize("我的ID card丢了") == "我的身份证丢了"


def test_by_the_way_openers_are_fillers():
    assert normalize("另外问下，补身份证要多少钱") == normalize("补身份证要多少钱")
    assert normalize("顺便问一下社保卡在哪办") == normalize("社保卡在哪办")


def test_an_age_reached_in_chinese_numerals_is_written_in_digits() -> None:
    assert normalize("儿子下个月满十八") == "儿子下个月满18"
    assert normalize("我妈刚满六十了") == "我妈刚满60了"
    assert normalize("满十年了") == "满十年了"  # years paid in, no age


def test_pass_away_is_not_read_across_a_word_of_the_body() -> None:
    # 过身 (Cantonese: died) only when 身 is no word's first character: 办过身份证 is no death.
    assert "去世" in normalize("我阿爸上个月过身了")
    assert normalize("还没办过身份证") == "还没办过身份证"
    assert "去世" not in normalize("孩子没办过身分证") and "去世" not in normalize("去年做过身体检查")


def test_a_house_put_up_again_and_a_paper_not_found_are_read() -> None:
    assert normalize("想在原地方重新盖") == normalize("想在原地方翻建")
    assert normalize("房产证翻了半个月没找着") == normalize("房产证翻了半个月丢了")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我爸上个月在屋里走的", "我爸上个月在家里走的"),
        # 屋里 alone is also the household (阿拉屋里老头子, 屋里的老窑洞): only 在屋里 is at home.
        ("屋里的老窑洞裂了", "屋里的老窑洞裂了"),
    ],
)
def test_home_is_read_in_its_regional_words(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_cantonese_amounts_and_returns_read_as_mandarin():
    assert normalize("补张卡几钱") == "补张卡多少钱"
    assert normalize("一个月有几多") == "一个月有多少"
    assert normalize("返嚟办得唔得") == "回来办行不行"
    assert normalize("仲要带乜嘢") == "还要带什么"


def test_words_announcing_the_ask_say_nothing():
    assert normalize("算了我直接说吧，身份证丢了") == "身份证丢了"
    assert normalize("长话短说，社保卡在哪办") == "社保卡在哪办"


def test_a_business_closing_is_a_deregistration():
    assert normalize("我那个小饭馆干不下去了") == "我那个小饭馆 注销"
    assert "注销" in normalize("俺家小饭店不打算开了，执照咋弄").split()
    # A workplace closing is a worker's matter.
    assert "注销" not in normalize("厂子倒闭了，工资还没发").split()
    assert "注销" not in normalize("楼下超市不开了，会员卡里的钱咋退").split()
    assert "注销" not in normalize("我家店里不开发票行不行").split()
    # A closing time asked is no closing.
    assert "注销" not in normalize("你们店几点关门").split()


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("阿公陪伊去会使无", "阿公陪他去可以吗"),  # 伊 he, 会使 may, a final 无 asks
        ("伊有开无", "他有开吗"),
        ("伊犁来的人", "伊犁来的人"),  # a place, not 他
        ("礼拜六有开无", "礼拜六有开吗"),
        ("拜六有开无", "周六有开吗"),
        ("伊无去办", "他没去办"),
        ("一无所有", "一无所有"),
    ],
)
def test_hokkien_is_read_in_standard_words(text, said):
    assert normalize(text) == said


def test_who_pays_into_a_scheme_is_no_errand_of_theirs():
    assert normalize("厂里给我缴的公积金怎么拿出来") == normalize("公积金怎么拿出来")
    assert normalize("单位交社保要带什么") != normalize("社保要带什么")  # the employer's own errand


def test_asking_on_someone_elses_behalf_is_filler():
    assert "问" not in normalize("帮我姑妈问问，她的残疾证到期了")


def test_a_grudging_yes_is_filler():
    assert normalize("行吧，身份证过期了怎么换") == normalize("身份证过期了怎么换")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("离婚要户口本啵", "离婚要户口本吗"),  # 啵, a question's particle
        ("补个社保卡几久能拿到", "补个社保卡多久能拿到"),
        ("要搞么斯手续", "要搞什么手续"),
        ("伢的医保么样交", "孩子的医保怎么交"),
        ("还要回老家克办吗", "还要回老家去办吗"),
        ("需要什么样的照片", "需要什么样的照片"),  # 什么样 kept whole
        ("没什么事了", "没什么事了"),
    ],
)
def test_jianghan_mandarin_is_read_in_standard_words(text, said):
    assert normalize(text) == said


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("退休工资哪能领", "退休工资怎么领"),  # Wu 哪能 = 怎么
        ("阿拉屋里向有老人", "我们家里有老人"),
        ("我妈克能帮我去办", "我妈能不能帮我去办"),  # Yunnan's question particle 克
        ("克是要带户口本", "是不是要带户口本"),
    ],
)
def test_wu_and_yunnan_question_words_are_read_in_standard_words(text, said):
    assert normalize(text) == said


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("我俩说好了离，房子归他", "我俩说好了离婚 房子归他"),  # 离 alone after a decision to part
        ("他打算离了", "他打算离婚了"),
        ("我要离开这里", "我要离开这里"),  # not 离开
        ("我想离职", "我想离职"),
    ],
)
def test_a_decided_parting_is_a_divorce(text, said):
    assert normalize(text) == said


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("他的户口要哪门销", "他的户口要怎么注销"),  # Guilin's 哪门, and a hukou's 销 alone
        ("户口得去销吗", "户口得去注销吗"),
        ("户口撤销了", "户口撤销了"),  # not 撤销
        ("户口要销掉这个先不急", "户口要销掉这个先不急"),  # nor a 销掉 put off
        ("药费能报销吗", "药费能报销吗"),  # nor 报销 of no hukou
        ("得不得在手机上弄", "能不能在手机上弄"),  # south-western 得不得 asks whether
        ("工本费好多", "工本费多少"),
    ],
)
def test_south_western_words_and_a_hukous_struck_off_are_read_in_standard_words(text, said):
    assert normalize(text) == said


def test_going_back_to_ones_home_town_to_live_is_living_elsewhere_when_care_is_asked():
    assert "异地 长期居住" in normalize("我们退休了想回四川老家住 以后看病咋报")
    assert "异地" not in normalize("退休了想回老家住")  # no care asked: nothing of medical insurance
