"""Which situation of an item a message tells in words: its own words (丢了 → 遗失补领, canonical forms
included) or an age that falls in one situation's bound (刚满16岁 → 年满16周岁). Plain functions of the item
and the text, used by the conversation (``bot.conversation.details``) and by the matcher (a story that tells
a situation of the one credible item is answered, not asked back).
"""

import functools
import re
from collections.abc import Callable, Collection, Sequence

from bot.matching import words as vocab
from bot.matching.normalize import COUNTRIES, NOT_BODY
from bot.matching.options import NOT_IN_NAME, NOT_LOCAL, SAYS_NOT
from bot.matching.segment import tokens
from knowledge.schema import Item, Situation

_SITUATION_SPLIT = re.compile(r"[（）()、，,；;/和或的]+|(?<!不)及")  # not 及 of 来不及


#: Not said right before (没结婚, 莫得结婚证): the tie is denied.
_NOT = "(?<!没)(?<!没有)(?<!莫得)(?<!无)(?<!未)(?<!冇)(?<!不)"
#: Nor a certificate not taken (还没领结婚证): unmarried.
_NOT_TAKEN = "(?<!没领)(?<!未领)(?<!没有领)(?<!没去领)(?<!没办)(?<!没扯)(?<!没打)"
#: A business handed over to someone else (想把店交给我儿子干, 想转给我表弟接着开, 我侄子想把店接过去): a
#: change of who runs it, not a closing and a new licence.
HANDED_OVER = re.compile(
    r"(?:店|铺|超市|摊|生意|执照|门面|饭馆|餐馆|厂)\w{0,10}?(?:交给|转给|让给|过给|传给)"
    r"\w{0,4}?(?:儿子|女儿|闺女|侄子|外甥|表弟|表哥|弟弟|哥哥|姐姐|妹妹|亲戚|朋友|他|她|别人|我|俺)|"
    r"(?:儿子|女儿|闺女|侄子|外甥|表弟|表哥|弟弟|哥哥|亲戚|朋友|他|她)\w{0,6}?(?:接过去|接手|接着开|接着干|接过来)|"
    # 想让我接着干: the citizen takes it over.
    r"(?:让|叫|要)(?:我|俺)\w{0,2}?(?:接着干|接着开|接手|接过来)"
)
#: Family members as citizens name them (a death, a visit).
_KIN = (
    r"爸爸?|妈妈?|父亲|母亲|老爹|老娘|爹|娘|老伴|老婆|媳妇|老公|男人|丈夫|妻子|爱人|儿子|女儿|闺女|孩子|爷爷|奶奶|"
    r"外公|外婆|姥姥|姥爷|公公|婆婆|岳父|岳母|老丈人|丈母娘|哥哥?|姐姐?|弟弟?|妹妹?|老人|亲人|老爷子|老太太|"
    r"老头子?|老太婆?|"
    # Uncles, aunts, grandchildren, cousins (not 阿姨 or 大叔: how citizens address a clerk).
    r"叔叔|伯伯|大伯|姑姑|姑妈|大姑|小姑|姨妈|小姨|大姨|舅舅|舅妈|大舅|小舅|孙子|孙女|外孙女?|侄子|侄女|外甥女?|"
    r"表哥|表姐|表弟|表妹|堂哥|堂姐|堂弟|堂妹"
)
#: Family ties as citizens tell them, and as situation names write them (投靠配偶). Only the tie itself
#: counts: 我老婆/孩子 alone is usually who the errand is for (孩子上小学 is not 随迁子女).
_ROLES = (
    # Kin by marriage are kin too (投靠亲属 of 我是安徽嫁过来的).
    ("配偶 夫妻 亲属", re.compile(rf"{_NOT}{_NOT_TAKEN}(?:嫁|娶|结婚|夫妻|两口子|领完证|领了证)")),
    # A husband or wife whose hukou moves (婆姨是甘肃的户口 想迁过来): joining a spouse.
    (
        "配偶 夫妻",
        re.compile(r"(?:老婆|媳妇儿?|婆姨|爱人|妻子|老公|丈夫|男人)[^，,。？?！!]{0,10}?(?:户口|迁|落户)"),
    ),
    # Parents whose hukou moves to their child (我爸妈户口还在老家，想迁过来跟我): parents joining a child,
    # as situation names write it (父母投靠子女; 投靠 after 父母, not 子女投靠父母).
    (
        "父母投靠",
        re.compile(
            r"(?:爸妈|父母|我爸|我妈|俺爹|俺娘|爹娘|二老|老两口)[^，,。？?！!]{0,10}?(?:户口|迁|落户)"
        ),
    ),
    # The citizen themself (我自己还要开个无房证明): 本人, as situation names write it (查询本人名下不动产).
    ("本人", re.compile(r"(?:我|俺)自己(?:也|还)?(?:要|想|得|来|去)|我本人")),
    # Married before (我俩都是二婚, 她离过婚): 离婚 / 丧偶, as situation names write it (曾经离婚或丧偶).
    ("离婚 丧偶", re.compile(r"二婚|再婚|离过婚|离过一次婚|前夫|前妻")),
    # Living in a village (我们是村里的, 在乡下): 农村, as situation names write it (农村低保).
    # In pastoral regions (宝力根苏木的, 嘎查里): 嘎查 is the village, 苏木 the township.
    ("农村 农民 牧民 嘎查", re.compile(r"村里|村上|乡下|农村|屯里|寨子里|苏木|嘎查|牧区|牧点")),
    # A loan from a bank told by its name (在工行贷的款, 信用社贷的): 银行 / 商业, as situation names write it
    # (银行商业贷款, 商业银行贷款).
    (
        "银行 商业",
        re.compile(r"(?:工行|建行|农行|中行|交行|招行|邮储|农商行|信用社|村镇银行|银行)\w{0,3}?(?:贷|按揭)"),
    ),
    # Not expired (证还没过期): 有效, as situation names write it (证件有效、只需再次签注); 续签 is 再次签注.
    ("有效", re.compile(r"(?:没|未|还没|没有)(?:过期|到期)|还有效|还能用")),
    ("再次签注", re.compile(r"续签|再签|重新签注|续(?:个|一个|一下)?签注")),
    # Nothing owed (没欠钱也没欠税, 发票也从来没领过): 简易, as situation names write it (简易注销); debts
    # still owed (还欠着供货商的钱, 税没交清): 普通 / 一般 (普通注销).
    (
        "简易",
        re.compile(
            r"(?:没有?|不|从来没|从没)欠(?:过)?(?:税|钱|债|款|账)|欠税\w{0,2}没有|没有?(?:任何)?(?:债权)?债务|"
            r"发票\w{0,4}(?:没领|没有领)"
        ),
    ),
    ("普通 一般", re.compile(r"还欠着?|欠着|(?:钱|税|账|款)\w{0,2}没(?:结清|交清|还清)|有(?:债权)?债务")),
    # A home bought before it is built (买了期房, 开发商的新房): 新建商品房, as situation names write it.
    ("新建 商品房", re.compile(r"期房|一手房|买的新房|买了新房|开发商")),
    # Building one's own home (在村里翻建老房子, 盖新房): 建造 / 翻建 / 自建, as situation names write it
    # (农村建造、翻建住房, 农村自建住房).
    ("建造 翻建 自建", re.compile(r"建房|盖房|修房|翻盖|翻建|自建|建新房|盖新房|起屋|起房|起新房")),
    # A pupil moving school (想转回老家读书): 转学, as situation names write it (外地转学回本县).
    ("转学", re.compile(r"转学|转回\w{0,4}(?:读|上)|转过来(?:读|上)|转到\w{0,6}(?:读|上学|念)")),
    # Dismissed (把我们几个都辞了, 被裁了): 辞退 / 裁员, as situation names write it.
    ("辞退 裁员", re.compile(r"把\w{0,6}(?:辞|裁|开除|开)了|被(?:辞|裁|开除|炒)|辞退|裁员|裁人")),
    # Leaving a job (我不在厂里干了, 被裁了): 解除劳动关系 / 离职, as situation names write it.
    ("解除劳动关系 离职", re.compile(r"不在\w{0,4}干了|不干了|辞职|辞工|离职|被辞|辞退|被裁|裁员|被开除")),
    # A home rented or owned where they live (在县城租房住了一年多): 住所, as situation names write it
    # (以合法稳定住所申领).
    ("住所", re.compile(r"租房|租的房|租房子|租了(?:一)?套|自己的房子|自家房子")),
    # Married, as a story tells it (结婚证也有, 领了证的): 婚内, as situation names write it (婚内生育).
    # Not 结婚证 of 还没领结婚证 (非婚, below).
    (
        "婚内",
        re.compile(rf"{_NOT}{_NOT_TAKEN}(?:结婚证|已婚|领了证|领过证|扯了证|登记结婚了)"),
    ),
    # Someone married, as a story tells it (儿子结婚了 想给他分出去): 已婚, as situation names write it
    # (农村已婚子女分户).
    ("已婚", re.compile(rf"{_NOT}(?:结婚了|结了婚|成家了|成了家|娶了媳妇|娶媳妇了|嫁人了|出嫁了)")),
    # Not married (我跟孩子爸还没领证, 未婚先孕): 非婚, as situation names write it (非婚生育).
    ("非婚", re.compile(r"(?:没|未|还没)有?(?:去)?(?:领|扯|打|办)(?:结婚)?证|未婚|没结婚|没登记结婚")),
    # A husband or wife named as such (我老婆上周生了): married too, for the cases a birth is told by (婚内
    # 生育); not 配偶 of 投靠配偶, where 帮我老婆办 names only who the errand is for.
    ("婚内", re.compile(rf"{_NOT}(?:老婆|老公|媳妇儿?|婆姨|爱人|丈夫|妻子|我男人)")),
    # Selling through an online platform (在抖音上开个店): 网店 / 网络, as situation names write it.
    (
        "网店 网络 电子商务",
        re.compile(r"抖音|快手|淘宝|拼多多|微店|京东|直播带货|网上开店|网上卖|朋友圈卖|网上开个?店"),
    ),
    # Just born (才生下来一个月, 刚出生): 新生儿, as situation names write it.
    (
        "新生儿",
        re.compile(
            r"刚出生|才出生|刚生下来|才生下来|刚生的|刚生了|刚满月|"
            r"出生[\d一二三四五六七八九十几]+天|"
            # 上个月在县医院生了个闺女: a birth told as news (not 两年前生了个儿子).
            r"(?<!年)(?<!年前)生了(?:个|一个)?(?:闺女|儿子|女儿|男孩|女孩|娃|孩子|宝宝|小孩|千金|胖小子|满崽|崽|伢|"
            r"细伢子|妹崽|宝贝)|"
            # 娃娃上个月在县医院生的: born lately, told by when.
            r"(?:上个?月|这个?月|前几天|上个?(?:周|礼拜|星期)|前天|昨天)[^，,。？?！!]{0,8}?生的|"
            # 她还在坐月子: a mother just delivered.
            r"坐月子|月子里"
        ),
    ),
    # The employer will not report it (老板不给报工伤): 未申报, the worker or the family applying, as
    # situation names write it (单位未申报，职工或近亲属申请).
    (
        "未申报 近亲属",
        re.compile(
            r"不给(?:我们?)?(?:报|申报|上报)|不肯(?:报|申报)|"
            r"不愿意?(?:报|申报)|没(?:给)?(?:报|申报)"
        ),
    ),
    # A sudden disaster (房子着火烧光了, 家里东西全烧了, 出了车祸): 急难 / 紧急, as situation names write it.
    (
        "急难 紧急",
        re.compile(
            r"着火|失火|起火|火灾|烧光|全烧了|都烧了|烧没了|车祸|被水冲|洪水|塌了|"
            # 屋里也烧了半边, 房子被淹了: part of the home lost.
            r"烧了半边|烧了一半|被火烧|烧毁|被淹|淹了|冲垮|冲毁|遭了灾"
        ),
    ),
    # A grave illness told by its name (中风瘫了, 查出来肺癌): 重病, as situation names write it.
    ("重病", re.compile(r"中风|瘫痪|瘫了|偏瘫|瘫咖|癌|尿毒症|白血病|脑梗|脑溢血|化疗|重病|大病")),
    # A hospital stay away (下个月要去昆明住院): 临时 外出就医, not living there (以后看病 may be either).
    ("临时", re.compile(r"住院|做手术|动手术")),
    # Living abroad (他现在在印尼我阿兄那边住, 定居美国): 境外 / 国外, as situation names write it.
    (
        "境外 国外",
        re.compile(rf"(?:在|住在|定居在?|移民到?|嫁到|嫁去)(?:{COUNTRIES}|海外|境外)|人在(?:国外|海外|境外)"),
    ),
    # Details written wrong (名字错了一个字, 出生证明写错字了): 有误 / 错误, as situation names write it.
    ("有误 错误", re.compile(r"[写弄搞打填登印]错|错了\w{0,3}字|名字错|错字|信息不对|写得不对")),
    # Lost, stolen or robbed (卡丢了要补, 钱包被偷了, 给抢走了): 遗失 / 丢失 / 被盗, as situation names
    # write it (遗失补卡).
    (
        "遗失 丢失 被盗",
        re.compile(
            r"丢了|弄丢|搞丢|掉了|不见了|找不到|找不着|寻不着|被偷|被盗|偷走|被扒|遗失|丢失|"
            # 给抢走了, 被抢了: robbed is stolen.
            r"被抢|抢走|给抢"
        ),
    ),
    # Owned by two (房子是我跟老公两个人的名字): 共有, as situation names write it (房屋为共有).
    (
        "共有",
        re.compile(
            r"(?:两个人|俩人|我们俩|我俩|两口子|夫妻俩|两家)(?:的|共同)|共同所有|共同名下|写了两个人|加了\w{1,3}?名字"
        ),
    ),
    # A disaster at home (家里烧成这样, 房子让大水冲了): 因灾 / 受灾 / 急难, as situation names write it
    # (因灾因意外致困, 急难型救助).
    (
        "因灾 受灾 灾害 急难",
        re.compile(
            r"着火|失火|火灾|(?<![发高])烧(?:成|光|没|毁|塌|掉|了一半)|被烧|房子烧|洪水|水灾|发大水|大水冲|冲毁|冲垮|冰雹|地震|泥石流|"
            r"雪灾|风灾|塌了"
        ),
    ),
    # Someone who cannot come (我腿不好 走不了 家里来 能吗, 卧床出不了门): 上门, as situation names write it
    # (行动不便上门认证).
    (
        "上门",
        re.compile(
            r"(?:到|来)(?:我|俺)?家里?来|家里来|来(?:我|俺)?家里?(?:办|认证|给)|出不了门|下不了床|走不了路?|卧床"
        ),
    ),
    # Damaged (房本叫小孙子给撕坏了, 驾照洗烂了): 损坏 / 损毁, as situation names write it (损坏换证).
    (
        "损坏 损毁 破损",
        re.compile(
            rf"[撕弄咬泡洗烧摔折扯剪磨淋](?:\w{{0,2}}?)(?:坏|烂|破){NOT_BODY}|坏掉|烂掉|破损|字迹不清|看不清了"
        ),
    ),
    # Both sides agree (商量好了，两个人都同意的): 双方协议, as situation names write it (双方协议离婚).
    ("双方协议", re.compile(r"(?<![不没未])(?:都同意|双方同意|商量好|协商好|协商一致|谈妥|谈好了)")),
    # Selling or carrying away (要拉去广东卖): 出售 / 运输, as situation names write it (出售或运输商品畜禽).
    ("出售", re.compile(r"(?<!买)卖(?![家方房])|出售|销售")),
    ("运输", re.compile(r"[拉运](?:去|到|出)|运输|外运")),
    # A stall (就一个小摊仔, 在路边摆摊): 摊贩, as situation names write it.
    ("摊贩 摊点", re.compile(r"小摊|摆摊|地摊|摊仔|摊位|路边摊|摊子")),
    # A home bought (在城关买了套二手房): 购房, as situation names write it (购房落户).
    (
        "购房",
        re.compile(r"买了(?:一)?套\w{0,4}?房|买了房|买房了|新买的房|房子买了|买的(?:新|二手)?房|交房了"),
    ),
    # Died in a hospital (在县医院走了): 医疗机构, as situation names write it (在医疗机构死亡).
    (
        "医疗机构",
        re.compile(
            r"(?:在|到)\w{0,4}?(?:医院|卫生院|诊所|卫生室|ICU|重症)(?:里|里头|里面)?(?:走|去世|过世|没了|死|病逝)"
        ),
    ),
    # A family member died (我父亲去年冬天走了, 老伴前年过世了): 继承 / 去世, as situation names write it
    # (继承人查询被继承人名下不动产, 参保人已去世，家属代办); not 走了一趟.
    (
        "继承 去世",
        re.compile(
            rf"(?:{_KIN})\w{{0,8}}?(?:走了(?![一好几两三]?趟|很远|半天)|去世|过世|离世|病逝|死了|没了|不在了)|"
            # 老爷子过世了, 人都不在了: the words of a death alone.
            r"去世|过世|离世|病逝|逝世|人(?:都|已经|也)?(?:不在了|没了)"
        ),
    ),
    # A business handed over (想把店交给我儿子干): 变更经营者, as situation names write it.
    ("变更经营者 经营者变更", HANDED_OVER),
    # Going to see family (我弟弟在台湾…想过去看看他): 探亲, as situation names write it (探亲签注).
    # 去澳门看我小姨: going somewhere to see them.
    (
        "探亲",
        re.compile(
            rf"(?:看看|看望|探望|去看|(?:去|到)\w{{1,6}}?看)(?:我|俺)?的?(?:{_KIN}|他们|她们|他|她|亲戚|家人)"
        ),
    ),
    # Never been abroad (这辈子还没出过国): a first passport or pass (首次申请).
    (
        "首次",
        re.compile(r"没(?:有)?出过(?:国|境)|从没出(?:过)?(?:国|境)|(?:第一次|头一回|头一次)出(?:国|境)"),
    ),
    # Hurt in an accident (被货车挂倒了，腿骨折住院): 外伤, as situation names write it (外伤住院).
    ("外伤", re.compile(r"骨折|挂倒|撞倒|被车撞|车祸|摔伤|摔断|外伤|砸伤|烫伤|烧伤|被狗咬|咬伤")),
    # A couple or family running it themselves (就我们两口子自己搞，不请人): 家庭经营, in situation names.
    (
        "家庭经营",
        re.compile(
            r"(?:两口子|夫妻|一家人|家里人|全家|俩口子)\w{0,4}?(?:自己|一起)(?:干|搞|弄|做|经营|开)|不请人|不雇人|没请人|"
            # 准备跟我老婆在菜市场门口开个卤菜店: with one's spouse or family.
            r"(?:跟|和|同)(?:我|俺)(?:老婆|媳妇|爱人|老公|男人|家里人|儿子|女儿|闺女)\w{0,12}?(?:开|干|做|经营|搞)"
        ),
    ),
    # Farming as citizens say it (我一个种地的, 自家种的红枣): 农业生产者 / 自产农产品, in situation names.
    (
        "农业生产者 自产 农产品",
        re.compile(r"种地|种田|务农|农民|自家种|自己种|家里种|种的(?:棉花|红枣|枣|苹果|果子|菜|粮食|茶)"),
    ),
    # Paying in without an employer (我这些年没单位 一直自己交的社保, 个人交的养老保险): 灵活就业, as
    # situation names write it (灵活就业人员).
    (
        "灵活就业",
        re.compile(
            r"没(?:有)?(?:工作)?单位|(?:自己|个人)(?:交|缴|缴纳)(?:的)?(?:社保|养老|保险)|"
            r"(?:社保|养老保险?)\w{0,4}?(?:自己|个人)(?:交|缴)|自由职业|打零工"
        ),
    ),
    # Work as citizens say it (来这边厂里打工的): 就业, as situation names write it (以合法稳定就业申领).
    ("就业 务工", re.compile(r"打工|务工|上班|做工|干活")),
    # A household registered elsewhere (我们是外地户口, 户口不在这边): 外地 / 随迁, as situation names write
    # it (进城务工人员随迁子女, 外地户籍).
    ("外地 随迁", NOT_LOCAL),
)


#: What a story tells in other words than situation names use, and theirs: the seller's loan not yet
#: paid off (房东贷款还没还清, 卖家房贷还没还完) is a mortgage still on the house (带押, 抵押), not the
#: buyer's loan (买方贷款购房).
_RETOLD = (
    (
        re.compile(
            r"(?:房东|卖家|卖方|卖房的|原房主|房主|业主|原主|他家|她家|他|她|人家|对方|邻居|同事)[^，,。；;？?！!\s]{0,4}"
            r"(?:房贷|贷款|按揭)"
            r"[^，,。；;？?！!\s]{0,8}?(?:没|未)(?:有)?(?:还清|还完|结清|还)"
        ),
        r"\g<0> 带押 抵押 ",
    ),
    # 我把门面房租给人开超市了: renting one's place out, as situation names write it (个人出租房屋).
    (re.compile(r"(?:房|房子|门面|铺面|商铺|店面|铺子)\w{0,2}?租(?:给|出去)"), r"\g<0> 出租房屋 出租 "),
    # 我在县城租的房子住，自己没买房: renting and owning no home, as situation names write it (无房租房).
    (re.compile(r"租(?:的|了)(?:个|套|间|一套|一间)?房子?|房子是租的"), r"\g<0> 租房 "),
    (re.compile(r"(?:没|没有)(?:买)?(?:房|房子)(?![产证本])"), r"\g<0> 无房 "),
    # 一个姑姑在加拿大，一个在香港: living abroad or across the border, as situation names write it
    # (有继承人在国（境）外).
    (re.compile(rf"(?<![去到飞])在(?:{COUNTRIES})"), r"\g<0> 国外 "),
    (re.compile(r"(?<![去到飞])在(?:香港|澳门|台湾)(?!居民|同胞)"), r"\g<0> 境外 "),
    # 揣兜里让洗衣机给洗了，现在刷不出来: a card or a paper damaged, as situation names write it (损坏换领).
    (
        re.compile(
            r"刷不出来?|读不出来?|刷不了卡?|识别不了|消磁了?|洗衣机\w{0,3}洗了|"
            rf"(?:洗|泡|烧|摔|折|压|撕)(?:坏|烂|断|破){NOT_BODY}了?"
        ),
        r"\g<0> 损坏 ",
    ),
)


def retold(text: str) -> str:
    """``text`` with the words situation names use added after what it tells in other words."""
    for pattern, words in _RETOLD:
        text = pattern.sub(words, text)
    return text


#: Born at a place the message names (小孩在广州生的, 娃在西安妇幼生的, 是在大连医院生的).
_BORN_AT = re.compile(
    r"在([\u4e00-\u9fff]{2,6}?)(?:市|省)?(?:的)?(?:[\u4e00-\u9fff]{0,4}?(?:医院|妇幼|保健院))?(?:生的|出生|生了|生下)"
)
#: A place near home (县医院, 镇卫生院, 咱这儿, 本地) or a hospital named alone (妇幼, 医院).
_NEAR_HOME = re.compile(r"^(?:县|镇|乡|村|家|咱|本|这|我们|市|城里|当地|医院|妇幼|卫生院|保健院)")


def born_elsewhere(text: str, regions: Collection[str] = ()) -> bool:
    """Whether ``text`` tells a child born somewhere away from home (小孩在广州生的), not at a place near
    it (在县医院生的) nor one of ``regions`` (the hall's own place names)."""
    found = _BORN_AT.search(text)
    if found is None:
        return False
    place = found.group(1)
    return not _NEAR_HOME.match(place) and not any(region in place for region in regions)


#: China's provinces and regions, as people name where they are from (我是四川人, 他是河北户口).
_PROVINCES = (
    "北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|"
    "四川|贵州|云南|陕西|甘肃|青海|内蒙古|内蒙|广西|西藏|宁夏|新疆"
)
#: From a province, as a story tells it (我是四川人在这边打工, 孩子他爸是河北户口, 户口在湖南, 俺是河南
#: 周口的).
_FROM_PROVINCE = re.compile(
    rf"(?:是|来自|从)({_PROVINCES})省?(?:人|户口|户籍|来的|过来的)(?![民员口家])|"
    rf"({_PROVINCES})省?(?:户口|户籍)|户[口籍](?:在|是)({_PROVINCES})|"
    # 俺是河南周口的, 我是四川的: where one is from, said with 的 at the clause's end.
    rf"(?:我|俺|他|她)是({_PROVINCES})省?[\u4e00-\u9fff]{{0,3}}?的(?=$|[\s，,。；;])"
)


def from_elsewhere(text: str, regions: Collection[str] = ()) -> bool:
    """Whether ``text`` tells someone from a province other than the hall's own (``regions``, its place
    names): 我是四川人在这边打工 in a Yunnan hall."""
    for found in _FROM_PROVINCE.finditer(text):
        place = next(group for group in found.groups() if group)
        if not any(place in region or region in place for region in regions):
            return True
    return False


def roles(text: str) -> str:
    """The situation-name words for the family ties and the work a message tells (我是从外省嫁过来的 → 配偶,
    在厂里打工 → 就业)."""
    return " ".join(word for word, said in _ROLES if said.search(text))


def named_situation(item: Item, text: str, prepare: Callable[[str], str]) -> Situation | None:
    """The one situation whose own words the message says ("租房落户", "身份证丢了"), or None.

    Parts of situation names are compared raw and in the matcher's canonical form (丢了 → 遗失).
    """
    if not text:
        return None
    found = _said(item, text, prepare)
    return found[0] if len(found) == 1 else None


def worded_situation(item: Item, text: str, prepare: Callable[[str], str]) -> Situation | None:
    """The one situation a word of whose name (two characters or more, canonical) the message says, the
    item's own words aside: 户口本丢了 says 遗失 of 遗失补领 (补领 is the item's; an alias 户口本丢了
    lends its words to the situation). For an item already decided on; too loose to decide the item
    (二手车过户 says 过户)."""
    named = prepare(own_name(item, prepare)).replace(" ", "")
    # What a name says its case is not (本县户籍 of 非本县户籍居民) is said plainly by the other cases.
    denies = not SAYS_NOT.search(text)
    words = [
        {
            w
            for p in _SITUATION_SPLIT.split(s.name)
            for w in _canonical_words(p, prepare)
            if w not in named and w not in _COUNTED_WORDS and not (denies and w in _denied(s.name, prepare))
        }
        for s in item.situations or ()
    ]
    telling = set().union(*words) if words else set()
    aliases = [a for a in item.aliases or () if not any(w in prepare(a).replace(" ", "") for w in telling)]
    topic = prepare(" ".join([own_name(item, prepare), *aliases])).replace(" ", "")
    # What it says was not (还没结婚) tells no case by those words (婚内生育（父母已登记结婚）).
    prepared = prepare(_DENIAL.sub(" ", text)).replace(" ", "")
    found = [
        s
        for s, mine in zip(item.situations or (), words, strict=True)
        if any(w not in topic and w in prepared for w in mine)
    ]
    return found[0] if len(found) == 1 else None


#: Words told by their number (一年级, 16周岁): alone they tell no case (读三年级 is no 一年级新生入学).
_COUNTED_WORDS = frozenset({"年级", "周岁", "岁"})
#: What a message says was not, or not done (还没结婚, 没有领证, 未婚).
_DENIAL = re.compile(r"(?:还)?(?:没有?|未)\w{1,3}")


def _denied(name: str, prepare: Callable[[str], str]) -> str:
    """What a situation name says its case is not (本县户籍 of 非本县户籍居民), canonical."""
    return " ".join(prepare(span) for span in NOT_IN_NAME.findall(name))


def _canonical_words(part: str, prepare: Callable[[str], str]) -> set[str]:
    return {c for w in tokens(part) if len(c := prepare(w).replace(" ", "")) >= 2}


def _said(item: Item, text: str, prepare: Callable[[str], str], topic: str | None = None) -> list[Situation]:
    """The situations a part of whose name (two characters or more) the message says, raw or canonical;
    with ``topic`` (the item's own words, canonical), parts that are the topic's say nothing."""
    prepared = prepare(text).replace(" ", "")
    # A part that is the item's own thing says nothing of the case (居住证 of 居住证签注, item 居住证申领;
    # 驾驶证 of 外地核发的驾驶证); an operation the name holds still does (遗失 of 驾驶证遗失补领).
    named = prepare(own_name(item, prepare)).replace(" ", "")
    found = []
    for situation in item.situations or ():
        for part in _parts(situation.name):
            canonical = prepare(part).replace(" ", "")
            if topic is not None and (len(canonical) < 2 or canonical in topic):
                continue
            if canonical in named and canonical not in operations() and not _enumerated(part, item.name):
                continue
            if part in text or (len(canonical) >= 2 and canonical in prepared):
                found.append(situation)
                break
    return found


def _enumerated(part: str, name: str) -> bool:
    """Whether item ``name`` lists ``part`` as one of its cases (退休 of 退休及离职销户提取住房公积金):
    said, it tells that case, though a word of the name."""
    return bool(re.search(f"{re.escape(part)}(?:及|和|与|、|或)|(?:及|和|与|、|或){re.escape(part)}", name))


def _parts(name: str) -> list[str]:
    """A situation name's parts (two characters or more), each also without the operation it ends with:
    被盗补领 is told by 被盗 (the 补领 is what every case of the item does)."""
    parts = []
    for part in _SITUATION_SPLIT.split(name):
        if len(part) < 2:
            continue
        parts.append(part)
        bare = next((part[: -len(op)] for op in operations() if part.endswith(op)), "")
        if len(bare) >= 2:
            parts.append(bare)
    return parts


@functools.cache
def operations() -> tuple[str, ...]:
    """The operations of item names (申领, 补领…), longest first."""
    return tuple(sorted(vocab.actions()[0], key=len, reverse=True))


_CN_NUMBER = {c: i for i, c in enumerate("零一二三四五六七八九")}
#: An age the citizen tells: 满16了, 12岁, 八十岁, 刚满八十.
_AGE_TOLD = re.compile(
    r"(?:(?:年满|已满|刚满|满|刚过)([\d一二三四五六七八九十]{1,4})|([\d一二三四五六七八九十]{1,4})(?:周)?岁|"
    # 他姐姐17了, 我妈今年八十了: a person's number that has come.
    r"(?:姐姐?|哥哥?|弟弟?|妹妹?|儿子|女儿|闺女|孩子|娃娃?|伢子?|崽|他|她|我|老人家?|老伴|爸爸?|妈妈?|爷爷|奶奶|"
    r"外公|外婆|姥姥|姥爷|爹|娘|父亲|母亲|老爷子|老太太|老头子?|公公|婆婆|岳父|岳母|丈人|丈母娘|老汉|老公|丈夫|"
    r"老婆|媳妇儿?|婆姨|爱人|孙子|孙女|阿爸|阿妈)"
    r"(?:今年|都|已经|也|才|快)?([\d一二三四五六七八九十]{1,3})了|"
    # 她今年八十五: this year's number at a clause's end, 了 unsaid.
    r"今年([\d一二三四五六七八九十]{2,3})(?=$|[\s，,。.!！?？]))"
)
#: An age bound in a situation's name: 未满16周岁, 年满16周岁, 60周岁以上, 14周岁以下, 未满十六周岁.
_AGE_BOUND = re.compile(
    r"(未满|不满|年满|已满|满)?(\d{1,3}|[一二三四五六七八九十]{1,3}|一百)周?岁(以上|及以上|以下|及以下)?"
)


def _number(text: str) -> int | None:
    """12, 十六, 八十, 一百 (small numbers as people write ages)."""
    if text.isdigit():
        return int(text)
    if text == "一百":
        return 100
    if not text or any(c not in _CN_NUMBER and c != "十" for c in text):
        return None
    if "十" not in text:
        return _CN_NUMBER[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    return (_CN_NUMBER.get(tens, 1) if tens else 1) * 10 + (_CN_NUMBER.get(ones, 0) if ones else 0)


#: An age range in a situation's name: 80至99周岁, 80-89岁, 60～69周岁.
_AGE_RANGE = re.compile(r"(\d{1,3})\s*(?:至|到|-|~|～|—|－)\s*(\d{1,3})\s*周?岁")
#: The age of majority (民法典 第十七条).
ADULT_AGE = 18


def fits_age(name: str, age: int, *, majority: bool = False) -> bool | None:
    """Whether ``age`` falls in the bound a situation's name states, or None when it states none;
    ``majority``: only the bound of 未成年 / 成年 (under 18 in law; 18 and over)."""
    if majority:
        if "未成年" in name:
            return age < ADULT_AGE
        return age >= ADULT_AGE if "成年" in name else None
    span = _AGE_RANGE.search(name)
    if span is not None:
        return int(span.group(1)) <= age <= int(span.group(2))  # 80至99周岁
    bound = _AGE_BOUND.search(name)
    if bound is None:
        return None
    word, limit, side = bound.group(1) or "", _number(bound.group(2)), bound.group(3) or ""
    if limit is None:
        return None
    if word in ("未满", "不满") or "以下" in side:
        return age < limit or ("及以下" in side and age == limit)
    return age >= limit


def told_age(text: str) -> int | None:
    """The age ``text`` tells (满16了, 八十一岁, 俺娘今年八十了), or None."""
    found = _AGE_TOLD.search(text)
    if found is None:
        return None
    age = _number(found.group(1) or found.group(2) or found.group(3) or found.group(4))
    return age if age is not None and age <= 130 else None


#: An age from which a name's benefit holds: 80周岁以上, 年满60周岁, 80岁补贴 (not 未满, not 以下).
_AGE_FROM = re.compile(
    r"(?<![未不]满)(?<![\d一二三四五六七八九十])(\d{2,3}|[一二三四五六七八九十]{2,3}|一百)周?岁(?!以下|及以下)"
)
#: Old age, from which a told age tells a service (高龄津贴 from 80, 养老金 from 60) whatever else fits.
OLD_AGE = 60


def old_age_bounds(item: Item) -> list[int]:
    """The old-age bounds (OLD_AGE or more) ``item``'s name, aliases and situation names state."""
    texts = [item.name, *(item.aliases or ()), *(s.name for s in item.situations or ())]
    ages = {_number(n) for t in texts for n in _AGE_FROM.findall(t)}
    return sorted(age for age in ages if age is not None and age >= OLD_AGE)


#: A child just born: no age told, none needed (刚出生, 刚满月).
JUST_BORN = re.compile(r"刚出生|才出生|新生儿|刚满月|才满月|刚生的|才生的|刚生下来|才生下来")
#: A small child told as such, with no age (他那么小, 孩子还小): not 小卖部, 小区, 这么小的事.
SMALL_CHILD = re.compile(
    r"(?:那么|这么|还|太|才这么|才那么)小(?!的?(?:区|卖|店|摊|本|吃|事|问题|钱|点|额|生意|买卖|面积))"
)
#: A school year told (上初一了, 读高三): the age a pupil has in it. 高一 is left out: its pupils are 15
#: or 16, either side of the identity card's bound.
_GRADE_AGES = {
    **{f"{n}年级": 5 + i for i, n in enumerate("一二三四五六", start=1)},
    "初一": 12,
    "初二": 13,
    "初三": 14,
    "高二": 16,
    "高三": 17,
    "大一": 18,
    "大二": 19,
    "大三": 20,
    "大四": 21,
}
_GRADE = re.compile(r"(?:上|读|念|在读|正读|考上|升)(" + "|".join(_GRADE_AGES) + ")")


def grade_age(text: str) -> int | None:
    """The age of a pupil in the school year ``text`` tells (孙子今年上初一了 → 12), or None."""
    found = _GRADE.search(text)
    return _GRADE_AGES[found.group(1)] if found else None


def age_situation(situations: Sequence[Situation], text: str, *, majority: bool = False) -> Situation | None:
    """The one situation whose age bound the age the citizen tells falls in (我儿子刚满16岁 → 年满16周岁,
    孩子12岁 → 未满16周岁), or None; ``majority``: by 未成年 / 成年 in the names instead, weaker evidence
    (whose age it is the story may not say)."""
    age = told_age(text)
    if age is None:
        age = grade_age(text)  # 孙子今年上初一了: about 12
    if age is None and JUST_BORN.search(text):
        age = 0  # 给刚出生的孙子办社保卡: a child under any bound
    if age is None and SMALL_CHILD.search(text):
        age = 5  # 社保卡也要办，他那么小咋办: a small child, under any bound of minors
    if age is None:
        return None
    fitting = [s for s in situations if fits_age(s.name, age, majority=majority)]
    return fitting[0] if len(fitting) == 1 else None


#: Years paid or worked, told (交了十六年, 缴费满十五年, 在厂里干了三年).
_YEARS_TOLD = re.compile(
    r"(?:交|缴|缴费|交费|参保|干|工作|上班|居住)(?:了|满|够)?(?:快|近|将近|差不多)?([\d一二三四五六七八九十]{1,3})多?年"
)
#: A bound of years in a situation's name (缴费满15年, 缴费不足15年, 居住满1年).
_YEARS_BOUND = re.compile(r"(满|不足|未满|不满|超过)([\d一二三四五六七八九十]{1,3})个?年")


def years_situation(situations: Sequence[Situation], text: str) -> Situation | None:
    """The one situation whose bound of years the years the citizen tells fall in (交了十六年 → 缴费满15年,
    not 缴费不足15年), or None."""
    told = _YEARS_TOLD.search(text)
    years = _number(told.group(1)) if told else None
    if years is None:
        return None
    fitting = []
    for situation in situations:
        bound = _YEARS_BOUND.search(situation.name)
        limit = _number(bound.group(2)) if bound else None
        if bound is None or limit is None:
            continue
        if _within_years(bound.group(1), years, limit):
            fitting.append(situation)
    return fitting[0] if len(fitting) == 1 else None


def _within_years(word: str, years: int, limit: int) -> bool:
    """Whether ``years`` fall in a bound written ``word`` ``limit`` 年 (不足15年, 满15年, 超过5年)."""
    if word in ("不足", "未满", "不满"):
        return years < limit
    if word == "超过":
        return years > limit
    return years >= limit


_BRACKETED = re.compile(r"[（(]([^）)]*)[）)]")


def own_name(item: Item, prepare: Callable[[str], str] | None = None) -> str:
    """The item's name without the words in its brackets that begin (a part of) one of its situations'
    names: 户口迁入（投靠、购房、就业等） lists 购房落户 and 就业落户, whose words are theirs; 投靠 begins
    none alone. 补领（遗失、被盗、损坏） lists 被盗 of 遗失、被盗补领; 社会保障卡挂失、补卡、换卡 lists
    each of 临时挂失, 遗失补卡 and 损坏、到期换卡 unbracketed. With ``prepare``, also the words one
    situation's name holds in canonical form (到期 of 换领（到期、损坏…）, said 期满 in 有效期满换领)."""
    situations = [s.name for s in item.situations or ()]
    canonical = [_compact(prepare, n) for n in situations] if prepare else []

    def theirs(word: str) -> bool:
        if _one_holds(word, situations):
            return True
        # Only a word the knowledge base says otherwise (到期 → 期满): the bracket's own words (过户 of
        # 二手房转移登记（过户）, inside 带押过户) are the item's name, as the raw test above found.
        said = _compact(prepare, word) if prepare else word
        return said != word and len(said) >= 2 and sum(said in name for name in canonical) == 1

    def kept(found: re.Match[str]) -> str:
        parts = [p for p in re.split(r"[、，,/]", found.group(1)) if p]
        # 含新生儿参保 lists 新生儿参保 as well.
        bare = [re.sub("^(?:含|包括|包含)", "", p).rstrip("等") for p in parts]
        # 务工交通补贴 of 退捕渔民转产就业帮扶（技能培训、公益性岗位、务工交通补贴）, inside 跨省务工交通补贴:
        # a longer word of a list whole inside only one situation's name (not a lone 租赁住房, inside
        # 租住公共租赁住房, which qualifies the item).
        listed = len(parts) >= 2
        left = [
            p
            for p, b in zip(parts, bare, strict=True)
            if not theirs(b) and not (listed and len(b) >= LONG_WORD and sum(b in n for n in situations) == 1)
        ]
        return f"（{'、'.join(left)}）" if left else ""

    name = _BRACKETED.sub(kept, item.name)
    joined = _OPERATIONS_JOINED.fullmatch(name)
    if joined and len(situations) >= 2:
        # 社会保障卡挂失与补换 joins two operations: one that only one situation's name holds (临时挂失) is
        # that situation's word.
        head, *words = joined.groups()
        return head + "与".join(w for w in words if sum(w in s for s in situations) != 1)
    bare = unbracketed(name)
    if "、" not in bare or bare != name:
        return name
    if len(situations) >= 2 and all(len(n) >= 2 and n in bare for n in situations):
        # 食品小作坊、小餐饮、食品摊贩登记 names each situation whole: what is left is the item's own.
        for situation in sorted(situations, key=len, reverse=True):
            bare = bare.replace(situation, "、")
        return re.sub("、+", "、", bare).strip("、") or name
    # 社会保障卡挂失、补卡、换卡 lists its operations unbracketed: each one that only one situation's name
    # holds (临时挂失, 遗失补卡, 损坏、到期换卡) is that situation's word.
    segments = name.split("、")
    head, words = segments[0][:-2], [segments[0][-2:], *segments[1:]]
    left = [w for w in words if sum(w in s for s in situations) != 1]
    return head + "、".join(left)


#: Two operations an item's name joins (社会保障卡挂失与补换).
_OPERATIONS_JOINED = re.compile(r"(\w+?)(\w\w)与(\w\w)")


def _compact(prepare: Callable[[str], str] | None, text: str) -> str:
    """``text`` in canonical form without spaces (as is without ``prepare``)."""
    return (prepare(text) if prepare else text).replace(" ", "")


def unbracketed(name: str, fill: str = "") -> str:
    """``name`` without its bracketed details: 换发（有效期不足6个月、签证页用完、损毁） → 换发 (each put
    ``fill`` in their place)."""
    return _BRACKETED.sub(fill, name)


def _one_holds(word: str, situations: Sequence[str]) -> bool:
    """Whether exactly one situation begins (a part of its name) with ``word``, or holds its first alternative
    (死亡 of 死亡或宣告死亡, in 职工死亡或被宣告死亡) or, for a longer word, its first two characters (离职 of
    离职回原籍, in 外地户籍职工离职)."""
    if sum(_begins(name, word) for name in situations) == 1:
        return True
    first = _SITUATION_SPLIT.split(word)[0]
    if first != word and len(first) >= 2 and sum(first in name for name in situations) == 1:
        return True
    # 离职回原籍 of 外地户籍职工离职: a longer word whose first two characters begin or end a part of only one
    # situation's name (not 租赁住房 of 租住公共租赁住房, where they are inside).
    head = word[:2]

    def bounds(name: str) -> bool:
        return any(p.startswith(head) or p.endswith(head) for p in _SITUATION_SPLIT.split(name) if p)

    return len(word) > 2 and sum(bounds(name) for name in situations) == 1


#: A bracketed word this long that one situation's name holds anywhere is that situation's.
LONG_WORD = 4


def _begins(name: str, word: str) -> bool:
    """Whether a part of situation ``name`` begins with ``word`` (被盗 of 遗失、被盗补领)."""
    return any(part.startswith(word) for part in _SITUATION_SPLIT.split(name))


def topic_of(item: Item, prepare: Callable[[str], str]) -> str:
    """The item's own words, canonical and without spaces: its name and the aliases that tell none of its
    situations. An alias that tells one (护照丢了补办 of 补发（遗失、被盗）) lends its words to that
    situation, not to the item: 护照丢了 still tells 遗失."""
    name = own_name(item, prepare)
    named = prepare(name).replace(" ", "")
    aliases = [a for a in item.aliases or () if len(_said(item, a, prepare, named)) != 1]
    return prepare(" ".join([name, *aliases])).replace(" ", "")


def noted_situation(
    item: Item, text: str, prepare: Callable[[str], str], errand_words: str = ""
) -> Situation | None:
    """The one situation whose note holds three characters in a row the message says (能送敬老院不 →
    申请集中供养, whose note says 敬老院) that no other situation's name or note holds, nor the item's name,
    nor ``errand_words`` (every item's name and aliases) outside the item's own aliases (进敬老院 names the
    item by that case; 营业执照, named by other errands, tells no case of 个体工商户设立登记); or None."""
    if len(item.situations or ()) < 2:
        return None
    own_words = " ".join([item.name, *(item.aliases or ())])
    topic = prepare(own_name(item, prepare)).replace(" ", "")
    # What the item's record says of every case (死亡证明 of its materials, 注销户口 of its conditions).
    common = " ".join([item.name, item.conditions or "", *(m.name for m in item.materials or ())])
    said = _HAN_RUNS.findall(text)
    found = []
    for situation in item.situations or ():
        others = " ".join(f"{o.name} {o.note or ''}" for o in item.situations or () if o is not situation)
        note = situation.note or ""
        shared = {run[i : i + 3] for run in said for i in range(len(run) - 2) if run[i : i + 3] in note}
        if any(
            three not in others
            and three not in common
            and prepare(three).replace(" ", "") not in topic
            and errand_words.count(three) <= own_words.count(three)
            for three in shared
        ):
            found.append(situation)
    return found[0] if len(found) == 1 else None


_HAN_RUNS = re.compile(r"[\u4e00-\u9fff]{3,}")


def told_apart(item: Item, text: str, prepare: Callable[[str], str]) -> Situation | None:
    """The situation the message tells by words that are the situation's own, not the item's (外地核发的
    驾驶证 is not told by 驾驶证 alone), or by an age; None when it tells none or several."""
    found = _said(item, text, prepare, topic_of(item, prepare))
    if len(found) == 1:
        return found[0]
    return age_situation(list(item.situations or ()), text) if not found else None
