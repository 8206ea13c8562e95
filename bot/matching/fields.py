"""Which part of an item a question asks about: materials, fee, location… or the whole item (None).

Rules are ordered: the first field whose pattern matches the normalised question wins, so specific
cues (网上 → online, 几点 → hours) come before broad ones (能…吗 → conditions). Patterns run on the
output of ``bot.matching.normalize.normalize`` (simplified, half-width, 咋/啥 already rewritten).
"""

import re
from collections.abc import Sequence

from bot.matching.normalize import normalize
from bot.matching.pii import MOBILE_TOKEN, mask_personal_data

#: Words of a moment today (今天下午, 现在): 还来得及吗 beside them asks whether the desk is open still, not
#: whether the errand is done in time.
TODAY_WORDS = "今天|今儿|现在|这会|马上|上午|下午|中午|晚上"

#: (field, pattern) in priority order.
FIELD_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        (
            "basis",
            r"依据|(?<![有些])(?:什么|啥)政策|哪个政策|政策依据|根据(什么|哪)|法规|政策文件|哪个文件|什么文件|哪些文件|法律规定",
        ),
        ("phone", r"电话|联系方式|咨询热线|热线|打给谁|联系谁|找谁咨询"),
        (
            "hours",
            r"几点|上班时间|办公时间|工作时间|营业时间|开门|关门|下班|周末|周六|周日|星期[六天日]|"
            r"礼拜[六天日]|节假日|中午|午休|休息吗|休息不|周几|上班吗|上班不|"
            # 便民站几时开 (几时 = 什么时候): when it opens.
            r"(?:什么|啥)时候开(?=$|[吗呢啊嘛\s])|"
            # 春节那几天有开吗, 那边有开不: whether a desk is open (开 alone, no 开证明 or 开店).
            r"有开(?=$|[吗不没么嘛\s])|开不开(?=$|[吗呢啊\s])|"
            r"还有人(?:不|吗|没|在|么)|有人(?:在|值班)(?:不|吗|没|么)|"
            # 我下午一点过去行不: whether the hall is open at a time the citizen names.
            r"(?:上午|下午|早上|晚上)?[一二三四五六七八九十两\d]{1,2}点(?:半|钟|多)?(?:过去|去|到|来|前)|"
            # 现在过去还赶得上吗: whether the desk is still open when they get there, not the time limit.
            r"(?:现在|这会儿?|马上)(?:赶)?(?:过去|去|过来|来)(?:还)?(?:来得及|赶得上|赶得及|赶趟)",
        ),
        (
            "online",
            r"网上|线上|网办|在线|上网(?:能|可以|就能)?(?:办|交|申请|弄|缴|给|填|预约|查)|手机上|手机能|手机可以|小程序|公众号|app|微信上|微信能|粤省事|"
            r"12123|不用去|不去现场|去现场|本人去|本人到场|跑一趟|邮寄|寄过来|全程网|"
            # 能不能不去窗口, 在家能办吗: done without coming in.
            r"不(?:想|必)?去(?:窗口|大厅|政务中心|服务中心)|不用跑|不跑腿?(?=[能可行吗么嘛不]|$)|"
            r"在家(?:里)?(?:就)?(?:能|可以)?(?:办|弄|申请)|不出门",
        ),
        (
            "fee",
            r"多少钱|(?<![么那这很好太])多钱|多少前|费多少|哪些费|什么费|啥费|费要?好多|花多少|几个钱|收费|费用|要钱|交钱|哪些税|什么税|给钱|花钱|免费|工本费|收钱|几块|贵不贵|价格|要不要钱|交多少|费谁出|谁出钱|谁付|"
            # 真的一分钱不要？, 一分钱都不收吗: whether it is free.
            r"一分钱都不要|一分钱也不要|一分钱不要|一分钱都不收|一分钱也不收|一分钱不收|"
            # 读书要交学费不: a school's fees.
            r"学费|书本费|杂费|"
            # 收手续费不, 要交管理费吗: a charge asked of by its kind.
            r"(?:收|交|缴|要)?手续费|(?:收|交|缴)[\u4e00-\u9fff]{0,3}费(?=[不吗么嘛没啊呀]|$)|"
            # 契税大概多少: a tax's amount.
            r"税(?:费|款)?(?:又|也)?(?:是|大概|大约|一般|要|得)?交?(?:多少|好多|几多)|"
            # 一个月多少 (of what is paid, or what a benefit pays: the conversation tells which).
            r"(?:一个月|每个?月|一年|每年)(?:要|得|交)?(?:多少|好多|几多)(?![天个次年月])|"
            # 签注又要好多 (south-west): how much, at the clause's end.
            r"要好多$",
        ),
        (
            "time_limit",
            r"多久|多少天|(?<![前这好过])(?<!节那)(?<!庆那)(?<!假那)(?<!年那)(?<!一那)几天|过几天(?=能|可以|才|就能|就可以|拿|取|办好|出)|几日|几个工作日|多少个?工作日|当场|时限|什么时候能|什么时候可以拿|当天|马上|立等|加急|"
            r"审核完|出结果|能批|拿到证|等多长|期限|时间限制|几个月能|"
            # 听说离婚还得等一个月: a wait heard of, asked about (its period is in the time limit).
            r"等(?:一个多?月|半个月|几个月|那么久|这么久)|"
            # 啥时候拨钱, 钱什么时候发: when the money comes.
            r"(?:什么|啥)时候(?:能|可以|才)?(?:到账|拨|发|打|给钱|下来)|到账|"
            # 几时拿得到 (Cantonese 几时 = 什么时候): when the document is in hand.
            r"(?:什么|啥)时候(?:才)?(?:拿|领|取)得?到|"
            r"(?:钱|款|补贴|补助|津贴)(?:什么|啥)时候(?:能|才)?(?:发|到|拨|打|下来)|"
            # 下礼拜要坐动车 赶得及吗: whether it is done in time.
            r"赶得及|赶不及|赶得上|赶不上|赶不赶得|"
            # 后天要坐高铁 来得及吗: done in time; 今天下午还来得及吗 asks whether the desk is open still.
            rf"^(?!.*(?:{TODAY_WORDS})).*?(?:来得及|来不来得及)",
        ),
        (
            "process",
            r"流程|步骤|程序|怎么走|先去哪(?!个窗口|个部门|个大厅|个楼)|后去哪|先干什么|第一步|顺序|环节|办理过程|"
            # 要跑几趟: how many trips, which the steps tell (申请, then 冷静期满 again).
            r"[跑去来]几[趟次回]|跑多少[趟次回]|几趟",
        ),
        (
            "location",
            r"在哪里|去哪里|到哪里|在哪儿|在哪|去哪|哪里办|哪里开|哪里交|哪里打印|哪里申请|哪个窗口|几号窗口|什么窗口|窗口在|"
            # 在乡里头办得不, 能在镇上办吗: whether it is done at a place the citizen names.
            r"(?:能|可以)?在(?:乡|镇|村|街道|社区|县里|区里|市里|老家|当地)\w{0,3}?(?:办|弄|整|交|申请)(?:得|吗|不|么)|"
            r"(?<![改换迁变更个])地址(?!可以|能|用|要求|变更|换|改|迁|怎么填)|定位|导航|地点|哪个部门|哪个单位|什么地方|在几楼|几楼|哪个大厅|在哪个|"
            # 在市场哪个门: which gate of a place.
            r"哪个门|哪道门|哪个入口|"
            # 也是那个窗口吗, 是在同一个窗口办吗: whether it is the same desk as another errand's.
            r"(?:同一个|同个|那个|这个|原来的?)窗口(?=办|吗|不|么|呢|$)|"
            # 在县里那个政务大厅能办吗: whether it is done at the hall at all (a town office may do it).
            r"在\w{0,4}?(?:政务大厅|政务中心|服务大厅|大厅)(?:就|也)?(?:能|可以)(?:办|弄|申请)(?:得|吗|不|么)|"
            # 也是在你们大厅吗: whether it is done at the hall too.
            r"是在(?:你们|咱们?|这个)?(?:政务大厅|政务中心|服务大厅|服务中心|大厅)(?:办)?(?:吗|不|么)",
        ),
        (
            "materials",
            r"带什么|带哪些|带些什么|要带|带的东西|材料|资料|证件|准备什么|准备哪些|提交什么|"
            r"(?:搞|弄|准备|备)些?什么(?:东西)?|"
            r"提交哪些|要什么东西|带上什么|需要什么东西|要交哪些(?!税|费)|要哪些|需要哪些|拿什么|都要什么|"
            r"(需要|要)什么(?!手续|条件|证|时候|情况|文件|部门|窗口)(?= |$)|"
            # 复印件要几份, 要原件吗: how the papers are handed in (a group: kept as content words, the
            # paper they go with may name the item).
            r"(?:几份|多少份|原件还是复印件|复印件还是原件|要(?:带)?(?:原件|复印件)|(?:复印件|原件)(?:行|可以|能|吗|不))",
        ),
        (
            "conditions",
            r"条件|符合|资格要求|要求是|够不够|满足|能不能|可不可以|能否|是否可以|"
            # 得几个人才能办: how many people it takes.
            r"几个人才|要几个人|需要几个人|得几个人|至少几个人|"
            r"能.{0,12}吗|可以.{0,12}吗|能.{0,8}不|还能|有没有资格|来得及|不用.{0,12}吗|(?:是|要).{0,12}还是|行不行|(?<![银旅步执运发进流平自飞航履游同])行[吗么]|成吗|可以不|多大才|什么情况下|还要.{0,10}吗|要先.{0,8}吗|要(?!.{0,6}预约).{0,10}吗",
        ),
    )
)


#: Whether someone else may do it for the citizen ("让我老公去帮我打", "我当妈的帮她去办", "可以代办吗"):
#: asked about the item at hand, and told by its 委托代办-like situation where it has one.
PROXY_ASK = re.compile(
    r"代办|代领|代为|代理|委托|替[我他她]|帮[他她](?:去|来)?(?:办|领|开|打|交|申请|取|提|补|换|拿|报)|[让喊叫](?!我们|俺们|咱们|我去|我来|俺去)(?!我自己)(?![把将])(?:.{1,6}(?<![过回进出上下])[去来]|.{1,6}[帮替代])|托(?:人|别人|亲戚|朋友)|"
    # 我喊我孙女帮我去办: someone named before runs the errand for the citizen.
    r"帮(?:我|俺)(?:去|来)(?:办|领|开|打|交|申请)|"
    # 我是她儿媳妇，我去办行不行: someone of the family says who they are, and asks to go.
    r"我是[他她]的?\w{1,4}?[，,\s]?我?(?:去|来)(?:办|领|申请|弄)?(?:行|可以|能|中|成)|"
    # 他能帮俺跑跑不: running the errand for the citizen; 我拿她身份证去能开吗: going with another's card.
    r"帮(?:我|俺)(?:跑|跑跑|跑一趟)|拿(?:着)?[他她](?:的)?(?:身份证|证件|户口本|证)(?:去|来)|"
    r"(?:别人|家人|亲属|家属)(?:能|可以|去|来|帮|替|代)|"
    # 村头的人能帮我递上去不: someone else handing the papers in for the citizen.
    r"(?<!窗口)(?<!工作)(?:的人|人家|亲戚|邻居)(?:能|可以|能不能|可不可以)?(?:帮|替|代)|帮我(?:去|来)?(?:递|送)(?:上去|过去|进去)?|"
    # 村里能帮着申请吗: the village or community committee applying for the citizen.
    r"(?:村里|村上|村委会?|居委会?|社区)(?:能|可以|能不能|可不可以)?(?:帮|代|替)|"
    # 卖房子的调到昆明去了，回不来咋办; 俺在上海回不去: whoever must sign cannot come.
    r"回不来|回不去|来不了|赶不回来|赶不回去|到不了场|"
    # 我婆婆帮我们带娃，她能去领吗: someone else named before, doing the errand.
    r"[他她](?:能|可以|能不能|可不可以)(?:去|来)(?:办|领|开|交|申请)|"
    # 给我妈办个老年卡 她腿脚不好 我去办行不: the errand is a relative's, the citizen goes.
    r"(?:给|帮|替)(?:我|俺)?(?:妈|爸|娘|爹|母亲|父亲|老人|爷爷|奶奶|外公|外婆|姥姥|姥爷|老伴|儿子|女儿|闺女|孩子|娃|老婆|"
    r"媳妇|婆姨|老公|男人)"
    r".{0,20}?我(?:一个人)?(?:去|来)(?:办|领|申请|弄)?(?:行不行|行不|行吗|可以吗|可以不|可不可以|能行吗|中不中|成不)"
)
#: The same errand for another person (那我爸呢，他62; 那我自己呢？我右腿截肢十几年了; 是我妈，她八十三了):
#: who it is for, the errand still the one at hand.
_RELATIVE = (
    r"自己|本人|爸爸?|妈妈?|娘|爹|父亲|母亲|老伴|老婆|媳妇|老公|男人|丈夫|妻子|儿子|女儿|闺女|孩子|娃|孙子|孙女|"
    r"爷爷|奶奶|姥姥|姥爷|外公|外婆|公公|婆婆|岳父|岳母|老丈人|丈母娘|哥哥?|姐姐?|弟弟?|妹妹?|老人"
)
PERSON_TURN = re.compile(
    rf"^(?:那|那么)?(?:我|俺|咱)(?:们)?(?:家)?(?:{_RELATIVE})(?:的)?(?:呢|咋办|怎么办|咋弄)|"
    rf"^(?:是|给)(?:我|俺|咱)(?:们)?(?:家)?(?:{_RELATIVE})(?=[，,。.\s]|$)"
)
#: Whether the citizen must come in person ("要他本人去吗", "必须本人到场吗", "本人不来行不行").
PRESENCE_ASK = re.compile(
    r"本人(?:去|来|到场|亲自|不来|不去|必须|回去|回来|回)|(?:要|必须|得|需要)本人|要不要[他她我]?本人|"
    r"亲自(?:去|来|到)|"
    # 前夫也得一起去吗, 两个人都要到场吗: whether someone else must come too.
    r"(?:也|都)(?:得|要|需要|必须)(?:一起|一块儿?|一同)?(?:去|来|到场|过去|过来)|"
    # 俺自己去中不, 他一个人去行不行: whether this one person may go.
    # 我一个人去给她办行不行: the one going for the other.
    r"(?:我|他|她)(?:自己|一个人)(?:去|来)(?:给[他她]|帮[他她]|替[他她])?(?:办|领)?(?:行|可以|中|能|得)|"
    r"(?<![我他她])一个人(?:去|来)(?:办|领)?(?:行|可以|中|能|得)|"
    # 要我自己去不, 得他本人来吗: whether this person must come.
    r"(?:要|得|必须|需要)(?:我|他|她)?(?:自己|本人|亲自)(?:跑一趟|跑?(?:去|来|到场|到))"
    r"(?:县城|城里|县里|镇上|乡里|大厅|窗口|现场|那边|那里|这边|这里)?(?=[吗不么嘛呀啊]|\s|$)|"
    # 要俩人一起去不: whether both must come.
    r"(?:两个人|俩人|两人|双方|夫妻俩?)(?:都|一起|一块儿?|一同)+(?:要|得|必须|需要)?回?(?:去|来|到场)|"
    # 那得我们爷俩一块去吗: whether all of those named must come together.
    r"(?:要|得|必须|需要)(?:我们|咱们|俺们|他们|她们)\w{0,3}?(?:一起|一块儿?|一同|都)(?:去|来|到场|过去|过来)"
)
#: Whether someone away must come back for it, or go back where they came from (人在东莞 要回来吗, 要回去办吗,
#: 得回示范县办吗, 还得回东莞开证明吗, 能不能不回去就把证换了): a question of the errand at hand, which its
#: record (异地办理, 全程网办) answers rather than who may go.
BACK_ASK = re.compile(
    r"(?:要|得|必须|需要|要不要)(?:我|他|她|人)?(?:本人)?(?:专门|特意)?回(?:来|去|\w{1,4}?(?=办|开|去|一趟))"
    r"(?:办|开证明|开|去|一趟)?(?:手续|证明)?(?=[吗不么嘛呀啊]|\s|$)|"
    r"不回(?:来|去)(?:就|也)(?:能|可以|行|把|办)"
)
#: How to get it done, the whole errand (这种过户要怎么办, 我该怎么给他办, 要办什么手续): in a story's asking
#: clause it asks for the one-trip answer, whatever field words the story told on the way (价格, 费用).
HOW_TO = re.compile(
    r"(?:怎么|如何|怎样)(?:个|样)?(?:给[他她我们]*|帮[他她我们]*|去)?(?:办|弄|整|搞|申请|处理|操作)|"
    r"(?:办|要)?(?:什么|哪些)手续"
)
#: Situation names about someone acting for the citizen.
PROXY_SITUATION = re.compile(
    # 本人无法申请: whoever may apply in the citizen's place (its note: 由村委会或其他人代为申请).
    r"委托|代办|代领|代理|他人|其他[^、，,（）()]{0,4}人|(?:不能|无法|不便)(?:到场|亲自)|本人(?:不能|无法|不便)"
)


def asks_who_goes(normal: str) -> bool:
    """Whether normalised ``normal`` asks who may or must go (能让我妈去办吗, 两个人都要去吗)."""
    return bool(PROXY_ASK.search(normal) or PRESENCE_ASK.search(normal))


#: The citizen cannot come, and asks another way (今天下午赶不过去了 还有别的办法没; 上班走不开，咋办).
CANNOT_COME = re.compile(
    r"(?:赶|去|来|过|回)不(?:过)?(?:去|来)|走不开|抽不开身|没(?:时间|空)(?:去|来|过去|跑)|请不(?:了|到)假|去不成|去不了"
)
OTHER_WAY = re.compile(
    r"别的办法|其他办法|其它办法|别的法子|别的路子|有没有办法|还有办法|咋办|怎么办|咋整|咋弄|怎么弄|怎么整|"
    r"不去行不|不用去"
)


def asks_another_way(normal: str) -> bool:
    """Whether normalised ``normal`` says the citizen cannot come and asks another way."""
    return bool(CANNOT_COME.search(normal) and OTHER_WAY.search(normal))


#: Where someone is who cannot come (人在外地, 在省外打工): with CANNOT_COME and OTHER_WAY, no errand.
_AWAY_PLACE = re.compile(r"人?(?:在|去了?)(?:外地|外省|省外|外面|外头|国外)(?:上班|打工|工作|读书|上学)?")


def without_away(normal: str) -> str:
    """Normalised ``normal`` without what says someone is away and cannot come, and the asking for
    another way (卖家人在外地回不来咋办 → 卖家): what is left names the errand, if anything does."""
    for pattern in (_AWAY_PLACE, CANNOT_COME, OTHER_WAY):
        normal = pattern.sub(" ", normal)
    return normal


#: The citizen cannot wait ("等不了那么久", "急用", "来不及了").
URGENT_ASK = re.compile(
    # Not 来不及备案 (要是来不及备案先住进去了呢): a step not taken in time, told as the case.
    r"等不了|等不及|等不到|来不及(?!去?(?:备案|报备|申请|登记|挂失))|来不来得及|赶不赶得上|赶得及|赶不及|"
    r"赶得上吗|急用|急着用|着急用|赶着用|马上(?:就)?要用|加急|急需|"
    # 新证肯定下不来吧: the new one will not be ready in time.
    r"(?:证|卡|照)\w{0,4}?(?:下不来|出不来|办不下来)"
)
#: Whether it is done in time for a date the citizen has (下礼拜要坐高铁 新证来得及不): asks how long, and
#: what the record offers someone who cannot wait, though no word says the citizen cannot (not 今天下午还来得
#: 及吗, which asks whether the desk is open still).
IN_TIME_ASK = re.compile(rf"^(?!.*(?:{TODAY_WORDS})).*?(?:来得及[吗不么没]|赶得上[吗不么]|赶得及[吗不么])")
#: Whether it can be done nearer home (村里能不能办, 在镇上能办吗, 非得去县里吗): the place asked after.
PLACE_ASK = re.compile(
    r"(村里|村上|村委会?|社区|乡里|乡上|乡镇|镇上|镇里|街道|苏木|嘎查)(?:就|也)?(?:能|可以|能不能|可不可以)(?:办|弄|申请|交|领)|"
    r"在(村|社区|乡|镇|街道)\w{0,3}?(?:能|可以)?(?:办|弄|申请|交|领)(?:得|吗|不|么)|"
    r"(?:非得|必须|一定要|只能|还得|得)(?:跑|去|到)(?:县里|县城|城里|大厅|政务中心|旗里|区里)"
)
#: Situation names for a document needed urgently (急需用证, 加急办理); not 急诊 or 急难, which are events.
URGENT_SITUATION = re.compile(r"急需|急用|加急")


# "我电话139…" gives a number, it does not ask for one.
_OWN_NUMBER = re.compile(
    rf"(我的?)?(电话|手机号?|联系方式)(号码?|是)?[:：]?\s*{MOBILE_TOKEN}|{MOBILE_TOKEN}\s*(是|这是)?我的?(电话|手机号?)"
)


_MATERIALS = dict(FIELD_RULES)["materials"]

#: A field asked for by name ("需要什么条件") wins over a cue met on the way ("免费律师"): checked first.
EXPLICIT_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("conditions", re.compile(r"(什么|哪些)条件|条件是什么")),
    # 多久能给钱, 什么时候给钱: when the money comes, not how much (the fee's 钱).
    (
        "time_limit",
        re.compile(r"(?:多久|多长时间|什么时候|啥时候|几天)(?:能|可以|才|会)?(?:给|拨|发|打|到)(?:钱|款)"),
    ),
    # 新生儿医保得在几天内交: by when it must be done (a term of the conditions), not how long it takes.
    (
        "conditions",
        re.compile(r"(?:几|多少)天(?:之)?内(?:要|得|必须)?(?:交|缴|办|申请|报|上|去|登记|备案)"),
    ),
    # How much a benefit pays (一个月给多少, 能领多少钱): the standard is in the conditions, not the fee.
    ("conditions", re.compile(r"(?:给|发|领|拿|取|提|报|补|退|贷)(?:多少|几多|好多)")),
    # 要缴存多久才能贷, 落户要住满多久: how long one must pay in or live there first, a condition.
    ("conditions", re.compile(r"(?:交|缴|缴存|缴纳|住|满)多久")),
    # 能领几个月, 失业金能拿多久: how long a benefit is paid, in its conditions, not the processing time.
    ("conditions", re.compile(r"(?:领|发|拿|享受)(?:几个月|多少个月|多久|多长时间|几年)")),
    # 一个月有好多钱, 每年能有多少: what a benefit pays over time, not a price.
    (
        "conditions",
        re.compile(
            r"(?:一个月|每个?月|一年|每年)(?:有|能|可以)[^，,。]{0,3}(?:多少|好多|几多)|有(?:多少|好多|几多)钱"
        ),
    ),
)


#: A service described as free (免费律师, 免费的体检) names what is wanted, not its price.
_FREE_SERVICE = re.compile(
    r"免费的?(?=律师|法律|医生|体检|培训|服务|午餐)|"
    # 坐公交不要钱的老年卡: what the thing is (a card that rides free), before its name; not 是免费的吗.
    r"(?:免费|不要钱|不花钱|不收钱|不收费)的(?=[\u4e00-\u9fff])(?![吗吧么嘛呀啊呢哦噢])"
)


#: Words that tell what happened, not what is asked: a day gone by (老头子上个礼拜天在县医院没了) is no
#: question of opening hours, a call not answered (打电话不接) or made (也打电话挂失了) none of a phone
#: number, a wallet (坐公交钱包被偷了) none of a fee.
_TOLD = re.compile(
    r"上个?(?:周|星期|礼拜)[六天日]|电话(?:不接|没人接|打不通|也不接)|钱包|"
    # 银行卡也打电话挂失了: a call made already, no phone number asked.
    r"(?:已经|也|都)打(?:了|过)?电话|打(?:了|过)电话|打电话\w{0,4}了|"
    # 让我闺女替我跑一趟: someone running the errand for the citizen, no way of saving the trip asked.
    r"(?<=[替帮][我俺他她])跑一趟"
)


def _asked(text: str) -> str:
    """``text`` normalised without what it only tells (its own number, a day gone by, a call not answered)."""
    return _TOLD.sub(" ", normalize(_OWN_NUMBER.sub(" ", mask_personal_data(text))))


def detect_field(text: str) -> str | None:
    """The askable field the question is about, or None for the whole item (also when it asks for the
    materials and something else: 去哪交，要带啥 gets the whole one-trip answer)."""
    normal = _FREE_SERVICE.sub(" ", _asked(text))
    for name, pattern in (*EXPLICIT_RULES, *FIELD_RULES):
        if pattern.search(normal):
            if name != "materials" and _MATERIALS.search(_HANDED_IN.sub(" ", normal)):
                return None
            return name
    return None


#: Materials handed in (在哪儿交材料, 材料交到哪): where, not which materials.
_HANDED_IN = re.compile(r"(?:交|递交|提交|送)(?:的)?(?:材料|资料)|(?:材料|资料)(?:交|递|送|提交)")


#: Fields a message may ask together, one clause each (公证在哪办 多少钱).
_TOGETHER = ("fee", "time_limit", "location", "hours", "online", "phone")


def fields_asked(text: str) -> list[str]:
    """The fields the clauses of ``text`` ask, in order, each once (公证在哪办 多少钱 → location, fee); a
    clause asks the first field its words name."""
    found: list[str] = []
    for clause in _FREE_SERVICE.sub(" ", _asked(text)).split():  # normalising left a space per clause
        for name, pattern in FIELD_RULES:
            if name in _TOGETHER and pattern.search(clause):
                if name not in found:
                    found.append(name)
                break
    return found


def proxy_option(normal: str, names: Sequence[str]) -> int | None:
    """Of situation ``names``, the one for someone else going when normalised ``normal`` asks whether someone
    else may go and exactly one name is for that (让我妈去帮我开行不行 → 委托他人代办); else None."""
    if not PROXY_ASK.search(normal):
        return None
    proxy = [i for i, name in enumerate(names) if PROXY_SITUATION.search(name)]
    return proxy[0] if len(proxy) == 1 else None


#: Parts of a cue pattern that are not plain words: a wildcard, or any group (a lookbehind included).
_GROUP = re.compile(r"\.|\(\?")
#: ... a wildcard or a group other than a lookbehind ((?<![前这好])几天 is still a word: 几天, not after 前).
_WILD = re.compile(r"\.|\\[wWsSdD]|\[\^|\(\?(?!<!)")


def _literal_cues(pattern: re.Pattern[str], *, bound: bool = False) -> re.Pattern[str]:
    # Cues with a wildcard (能…吗) would swallow the content between them; only fixed words are stripped.
    parts, depth, start, source = [], 0, 0, pattern.pattern
    for i, char in enumerate(source):
        depth += char == "("
        depth -= char == ")"
        if char == "|" and depth == 0:
            parts.append(source[start:i])
            start = i + 1
    parts.append(source[start:])
    wild = _WILD if bound else _GROUP
    literal = sorted((part for part in parts if not wild.search(part)), key=len, reverse=True)
    return re.compile("|".join(literal))


_CUES: tuple[re.Pattern[str], ...] = tuple(_literal_cues(pattern) for _name, pattern in FIELD_RULES)
#: The cues again, those bound by what precedes them too ((?<![前这好])几天): for a message of cues alone.
_BOUND_CUES: tuple[re.Pattern[str], ...] = tuple(
    _literal_cues(pattern, bound=True) for _name, pattern in FIELD_RULES
)


#: All literal cues in one string: a content word inside it (窗口 of 哪个窗口) names a field, not an item.
CUE_TEXT = "|".join(pattern.pattern for pattern in _CUES)


#: What a question may leave when its field words are gone (不 of 能办不): it names nothing.
PARTICLES = frozenset({"不", "没", "吗", "行", "呢"})


#: The moment a question about hours is asked for (现在过去还赶得上吗): when, not what.
_MOMENT = re.compile(r"现在|这会儿?|今天|明天|马上")
#: Things, said of what to bring (要带啥东西, 准备点啥玩意儿).
_THINGS = re.compile(r"东西|玩意儿?|啥的|什么的|证明|证件|材料|资料|手续")


def names_nothing(content: str, field: str | None = None) -> bool:
    """Whether prepared ``content`` is empty or a lone particle (不 of 在手机上能办不), or, for a question
    about a field (hours, 现在能去办不), only the moment it is about."""
    if field is not None:
        content = _MOMENT.sub("", content)
    if field == "materials":
        content = _THINGS.sub("", content)  # 要带啥东西: the things brought, no item named
    return content.strip() in PARTICLES or not content.strip()


def asks_materials(normal: str) -> bool:
    """Whether normalised ``normal`` asks what to bring (also beside another field: 现在去来得及吗 要带啥,
    whose field is the whole one-trip answer)."""
    return bool(_MATERIALS.search(normal))


def without_cues(text: str) -> str:
    """``text`` without its field words and the things asked for (手 of 手续 and 手机 is no character of
    二手房: what a question asks of an item hints at none of its cases). Not a question's frame (能不能,
    要不要): its 不 may still tell a case (不便)."""
    return _THINGS.sub(" ", _without_cue_words(text, frames=True))


def _without_cue_words(text: str, *, frames: bool = False) -> str:
    """``text`` with each field cue's match replaced by a space; its question frames kept when ``frames``."""
    for pattern in _CUES:
        text = pattern.sub(lambda found: found[0] if frames and _FRAME.fullmatch(found[0]) else " ", text)
    return text


#: The words a question is framed in (能不能, 可不可以, 要不要).
_FRAME = re.compile(r"[能不可以要吗么没有是会行得需]+")


def only_field_words(normal: str) -> bool:
    """Whether ``normal`` (normalised) is field cues and nothing else (几天, 多钱): it names no item."""
    stripped = normal
    for pattern in _BOUND_CUES:
        stripped = pattern.sub(" ", stripped)
    if not stripped.strip():
        return True
    # 几天能办好, 多久能办完: a time asked, and that it gets done. Not a cue for the ranking: in a question
    # of its own, 办好 may still be a word of what it asks.
    return stripped != normal and not _DONE.sub(" ", stripped).strip()


#: That it gets done (能办好, 办完), said beside a time asked.
_DONE = re.compile(r"(?:能|就|才)?(?:办好|办完|办妥)")


def strip_field_words(normal: str) -> str:
    """``normal`` (already normalised) without the field cue words: what the question is about."""
    if _HOURS.search(normal):
        # 今天礼拜六出入境那边有开吗: the day and the desk's "over there" say when and where it is asked,
        # not what; left in, they glue to the desk's name (出入境那边) and name nothing the records hold.
        normal = _WHEN_AND_THERE.sub(" ", normal)
    return " ".join(_without_cue_words(normal).split())


_HOURS = dict(FIELD_RULES)["hours"]
#: The day and the place words an hours question is asked with.
_WHEN_AND_THERE = re.compile(r"今天|明天|后天|现在|这会儿?|那边|这边|有开(?=$|[吗不没么嘛\s])|开不开")
