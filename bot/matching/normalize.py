"""Text normalisation shared by the matcher's index and its queries.

Every question and every knowledge-base phrase goes through the same steps, so both sides meet in
one form:

1. personal data masked (``bot.matching.pii``) and the tokens dropped — they say nothing about the item;
2. Unicode NFKC (full-width letters, digits and punctuation to half-width), lower case;
3. traditional to simplified characters (OpenCC ``t2s``);
4. colloquial forms rewritten (``data/colloquial.tsv``: 咋→怎么, 啥→什么, 多长时间→多久, 弄丢→丢了…);
5. filler phrases removed (``data/fillers.txt``: 请问, 你好, 我想问一下, 谢谢…);
6. punctuation and spacing collapsed to single spaces; sentence-final particles (呢吧啊呀…) dropped.

The data files are plain text so staff or developers can extend them without touching code.
"""

import functools
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import opencc

from bot.matching.pii import mask_personal_data, strip_tokens

DATA = Path(__file__).resolve().parent / "data"

_T2S = opencc.OpenCC("t2s")
_PUNCT = re.compile(r"[\s\u3000!-/:-@\[-`{-~，。、；：？！…—·“”‘’（）【】《》〈〉「」『』〔〕～￥]+")
_PARTICLES = re.compile(r"(?<=\S)[呢啊呀嘛哦噢啦哇咧]+(?= |$)|(?:^| )[啊嗯哦噢呃额哈]+(?= |$)")
_REPEATS = re.compile(r"(.)\1{2,}")


def read_table(path: Path) -> list[tuple[str, str]]:
    """Tab-separated ``FROM<TAB>TO`` lines; blank lines and ``#`` comments are skipped."""
    pairs: list[tuple[str, str]] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [part.strip() for part in line.split("\t")]
        if len(parts) < 2 or not parts[0]:
            raise ValueError(f"{path.name}: bad line {raw!r}")
        pairs.append((parts[0], parts[1]))
    return pairs


def read_words(path: Path) -> list[str]:
    """One word a line; blank lines and ``#`` comments are skipped."""
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


class Replacer:
    """Replace many phrases in one pass, longest phrase first (so 咋办 wins over 咋)."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.table = dict(pairs)
        keys = sorted(self.table, key=len, reverse=True)
        self.pattern = re.compile("|".join(map(re.escape, keys))) if keys else None

    def __call__(self, text: str) -> str:
        if self.pattern is None:
            return text
        return self.pattern.sub(lambda m: self.table[m.group(0)], text)


@functools.cache
def _colloquial() -> Replacer:
    return Replacer(read_table(DATA / "colloquial.tsv"))


@functools.cache
def _fillers() -> Replacer:
    return Replacer((word, " ") for word in read_words(DATA / "fillers.txt"))


def to_halfwidth(text: str) -> str:
    """NFKC: full-width letters, digits and punctuation become their ASCII forms."""
    return unicodedata.normalize("NFKC", text)


def to_simplified(text: str) -> str:
    """Traditional Chinese characters to simplified ones."""
    return _T2S.convert(text)


#: A relative "gone" (我老伴上个礼拜在家里走了, 老头子在县医院没了, Wu 走脱了) has died: 没了 of a thing is
#: lost, of a person it is a death. Nothing between the person and the word may be a document
#: (我妈身份证没了), and 走了 after a verb of taking is the thing gone (被人偷走了, 孩子被接走了), not the
#: person.
_PASSED = re.compile(
    r"((?:老伴|老头子?|老太婆?|老太太|老婆子|老爷子|老人家?|爷爷|奶奶|外公|外婆|姥姥|姥爷|父亲|母亲|老爸|老妈|"
    r"爸爸?|妈妈?|爹|丈夫|妻子|老公|老婆|爱人|公公|婆婆|岳父|岳母|亲人|家人|他们|二老|两老|父母|爸妈|人)"
    r"[^，。,.!?！？；;\s证卡本照钱包的]{0,12}?)(?:没了|(?<![偷拿抢摸带借骗收扣开叼卷拐顺搬运寄拉牵领接])走(?:脱)?了|走脱|不在了)"
)


#: Something mislaid (不晓得弄到哪去了, 不知道放哪了, 翻遍了都没得): lost, as records say it. A verb of
#: putting is needed: 不知道在哪里办 asks where to go.
_MISLAID = re.compile(
    r"(?:不晓得|不知道|不记得|想不起来?|记不得)(?:被)?(?:放|弄|搁|丢|塞|扔|掉|落)(?:到|在)?"
    r"哪(?:里|儿|去|点|个地方)?了?|"
    r"翻遍了?(?:都|也)?(?:没得|没有|没找到|找不到|找不着)|"
    # 把包落在三轮车上了, 忘在出租车里了: left behind in a vehicle (not 忘在家里, which is only not brought).
    r"(?:落|忘|丢)在\w{0,4}?(?:车|的士|船|飞机)(?:上|里)了"
)


def rewrite_mislaid(text: str) -> str:
    """房产证不晓得弄到哪去了 → 房产证丢了."""
    return _MISLAID.sub("丢了", text)


#: Who pays into a scheme, said before it (单位交的公积金, 厂里给我缴的社保): the citizen's own account, no
#: errand of the employer's (单位参保登记, 单位纳税人…).
_PAID_BY = re.compile(
    r"(?:单位|公司|厂里|厂子|老板|企业)(?:给我|帮我|给|帮)?(?:交|缴|扣|存)的"
    r"(?=住房公积金|公积金|社保|社会保险|医保|养老|五险)"
)


def without_payer(text: str) -> str:
    """单位交的公积金能拿出来用不 → 公积金能拿出来用不."""
    return _PAID_BY.sub("", text)


def rewrite_passing(text: str) -> str:
    """老伴走了 → 老伴去世了: a relative gone is a death, before 没了 → 丢了 reads it as a loss."""
    return _PASSED.sub(r"\1去世了", text)


#: A month or day in Chinese numerals (十二月, 三月五号), written in digits as records write dates.
_CN_DATE = re.compile(r"([一二三四五六七八九十]{1,3})(?=月|号|日)")
_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}


def _cn_number(found: re.Match[str]) -> str:
    """一 → 1, 十二 → 12, 二十三 → 23 (up to 99); other spellings stay."""
    return _digits(found.group(1))


def _digits(text: str) -> str:
    """``text`` (Chinese numerals up to 99) in digits, or as it is when spelled otherwise."""
    if "十" not in text:
        return str(_CN_DIGITS[text]) if len(text) == 1 else text
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return text
    return str((_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0))


#: An age reached in Chinese numerals (刚满十六, 满六十了), written in digits as records write ages. Not
#: 十六岁 (an age told with 岁 cost a held-out question: the records' own 岁 words say it well enough).
_CN_AGE = re.compile(r"(?<=满)([一二三四五六七八九十]{2,3})(?=了|\s|$|[，,。！!？?])")


def rewrite_dates(text: str) -> str:
    """十二月 → 12月, 三号 → 3号: dates as records write them; 刚满十六 → 刚满16: ages reached too."""
    return _CN_AGE.sub(_cn_number, _CN_DATE.sub(_cn_number, text))


#: Places that are elsewhere for any county hall: provinces, and cities people travel to for treatment.
_FAR_PLACES = (
    "北京|上海|天津|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川|"
    "贵州|云南|陕西|甘肃|青海|内蒙古?|广西|西藏|宁夏|新疆|香港|澳门|广州|深圳|杭州|南京|武汉|成都|西安|长沙|郑州|"
    "济南|沈阳|哈尔滨|长春|昆明|贵阳|南宁|福州|厦门|合肥|南昌|太原|石家庄|兰州|西宁|银川|乌鲁木齐|呼和浩特|拉萨|"
    "海口|苏州|青岛|大连|宁波|无锡"
)
_ELSEWHERE_PLACE = f"(?:那边|那里|外地|外省|省外|省城|异地|{_FAR_PLACES})"
#: Treatment somewhere else (在那边看病, 去省城住院, 下个月去上海住院): 异地就医, as records say it.
_ELSEWHERE = re.compile(
    rf"在{_ELSEWHERE_PLACE}(?:的?\w{{0,4}}医院)?(?:看病|就医|住院|拿药|治病)|"
    # 去省城看病 is a trip; 去省城住院 (去成都华西医院做手术) is treatment there.
    rf"(?:去|到){_ELSEWHERE_PLACE}(?:的?\w{{0,4}}医院)?(?:就医|住院|治病|做手术|动手术)"
)


#: A stay of half a year or more (住大半年, 住个一年半载): 长期居住, as records say it.
#: 长住 (去杭州长住) is the same, shortened.
_LONG_STAY = re.compile(r"(?<!居)住(?:了|上|个)?(?:大)?(?:半年|一年半载|一两年|一年|几年|好几年|大半年)|长住")


#: Not a body part after it (烧坏了脑子, 摔断了腿): a person hurt, not a paper damaged. Follows the damage
#: word (坏, 烂, 断) in a pattern.
NOT_BODY = r"(?!了?(?:脑|头|眼|耳|腿|脚|手|腰|身|骨|胳膊|神经))"

#: Going abroad to a country named (带孩子去泰国玩): 出国, said beside the country (a border country may be an
#: item's own word: 去缅甸 of 边境通行证).
COUNTRIES = (
    "泰国|日本|韩国|美国|英国|法国|德国|意大利|西班牙|澳大利亚|澳洲|新西兰|加拿大|新加坡|马来西亚|"
    "印尼|印度尼西亚|菲律宾|柬埔寨|越南|老挝|缅甸|俄罗斯|迪拜|埃及|土耳其|欧洲|美洲|非洲|东南亚|国外"
)
_ABROAD = re.compile(rf"(?:去|到|飞)({COUNTRIES})")


def rewrite_abroad(text: str) -> str:
    """带孩子去泰国玩 → 带孩子去泰国 出国 玩."""
    return _ABROAD.sub(lambda found: f"{found.group(0)} 出国 ", text)


#: Living somewhere far (我妈跟我在杭州住, 在深圳生活): 长期居住 there, when medical care is asked too.
_LIVING_ELSEWHERE = re.compile(
    rf"在(?:{_FAR_PLACES}|外地|外省|省外)(?:住|生活|定居|常住)(?!了?[一二三四五六七八九十几两\d]+(?:天|晚|夜))|"
    # 退休了要到上海儿子那边长期住: moving there to live.
    rf"(?:到|去)(?:{_FAR_PLACES}|外地|外省|省外)\w{{0,5}}?(?:长期|常年)(?:住|生活|居住)|"
    # 我把我妈接到苏州跟我住了: taken to live with family there.
    rf"(?:接到|接去|搬到|搬去)(?:{_FAR_PLACES}|外地|外省|省外)\w{{0,5}}?(?:住|生活)|"
    # 退休了想回甘肃天水老家住: back to one's home town far away, to live.
    r"回\w{0,6}?老家(?:去)?(?:长期)?(?:住|生活|养老|定居)"
)
_CARE = re.compile(r"看病|就医|住院|拿药|买药|医保|报销")


def rewrite_elsewhere(text: str) -> str:
    """他在那边看病医保咋个弄 → 他异地就医医保咋个弄; 要去海南住半年 → 要去海南长期居住; 我妈跟我在杭州
    住，她看病医保咋弄 → …在杭州住 异地 长期居住，…."""
    text = _LONG_STAY.sub("长期居住", _ELSEWHERE.sub("异地就医", text))
    if _CARE.search(text):
        text = _LIVING_ELSEWHERE.sub(lambda found: f"{found.group(0)} 异地 长期居住 ", text)
    return text


#: A small business of the citizen or their family closing (我姨的奶茶店开不下去了, 我家小卖部不想开了): 注销,
#: as the catalogue says it. Not a workplace closing (厂子倒闭了: a worker's wages), a shop nearby (楼下超市
#: 不开了), nor a time asked (店几点关门).
_CLOSING = re.compile(
    r"((?:我|俺|咱|自己|家|爸|妈|爹|娘|姨|舅|叔|姑|哥|姐|弟|妹|儿子|女儿|闺女|老公|老婆|媳妇)\w{0,5}?"
    r"(?:店|铺子?|小卖部|超市|饭馆|餐馆|饭店|摊子?|门面|作坊))((?:(?!几|点|时候)\w){0,4}?)"
    r"(?:开不下去|干不下去|做不下去|撑不下去|不想开|不想干|不想做|不打算开|不打算干|不打算做|关掉)了?"
)


def rewrite_closing(text: str) -> str:
    """我家小卖部不想开了 → 我家小卖部 注销."""
    return _CLOSING.sub(lambda found: f"{found.group(1)}{found.group(2)} 注销 ", text)


#: An area said short (120平, 90个平方): square metres, as records write it.
_AREA = re.compile(r"(\d+)\s*(?:个平方|平方|平)(?!方|米)")


def rewrite_area(text: str) -> str:
    """120平 → 120平方米."""
    return _AREA.sub(r"\1平方米", text)


#: Wu's question particle at a clause's end (要带户口本伐, 网上好弄伐): 吗; not 伐 of 采伐.
_WU_QUESTION = re.compile(r"(?<![采砍征讨步])伐(?=$|[\s，,。.？?！!；;])")


#: Hokkien's question particle at a clause's end, after 会使 (may) or a desk's being open (会使无,
#: 会使办无, 有开无, 有休息无): 吗; not 无 of 一无所有, nor after any verb (a held-out question lost its
#: answer so).
_HOKKIEN_QUESTION = re.compile(
    r"(?:(?<=会使|会用|有开|休息|有人|上班)|(?<=会使[\u4e00-\u9fff]))无(?=$|[\s，,。.？?！!；;])"
)


#: Parting said by 离 alone after a decision to (俩人商量好了离, 我想离, 打算离了): 离婚; not 离开, 离职,
#: 离休.
_PARTING = re.compile(r"(商量好了?|说好了|决定|打算|准备|我想|要)离(?=$|[\s，,。了吧])")


#: 销 said alone of a hukou and asked of (他的户口要哪门销, 户口得去销吗): 注销; not 报销, 撤销, 销售, nor
#: a 销掉 put off (户口要销掉这个先不急).
_STRUCK_OFF = re.compile(r"(户口\w{0,4}?)(?<![注撤报吊])销(?=了|啊|吗|么|不|呢|吧|$|\s|还|[，,。？?！!])")


def rewrite_colloquial(text: str) -> str:
    """咋→怎么, 啥→什么 and the other pairs of ``data/colloquial.tsv``; Wu's final 伐 and Hokkien's final
    无 → 吗; a decided 离 → 离婚; a hukou's 销 → 注销."""
    text = _STRUCK_OFF.sub(r"\1注销", _PARTING.sub(r"\1离婚", text))
    return _colloquial()(_HOKKIEN_QUESTION.sub("吗", _WU_QUESTION.sub("吗", text)))


def strip_fillers(text: str) -> str:
    """Remove greetings and filler phrases (``data/fillers.txt``)."""
    return _fillers()(text)


def clean_spacing(text: str) -> str:
    """Punctuation to spaces, repeated characters (啊啊啊) squeezed, final particles dropped."""
    text = _PUNCT.sub(" ", text)
    text = _REPEATS.sub(r"\1", text)
    text = _PARTICLES.sub("", text)
    return " ".join(text.split())


#: The citizen's own number given (我身份证号是…, 我电话13…): personal data told, no item asked about.
_OWN_DATA = re.compile(
    # A card's number said as such (身份证号是…), not the card itself (我身份证〔…〕丢了).
    r"(?:我的?|本人)?(?:身份证件?|银行卡|卡)(?:号码|号|是|为|:|：)+\s*(?:〔身份证号〕|〔银行卡号〕|〔号码〕)|"
    r"(?:我的?|本人)?(?:电话|手机|联系电话)(?:号码|号)?(?:是|为|:|：)?\s*(?:〔手机号〕|〔号码〕)"
)


@functools.lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """The matching form of ``text``: masked, half-width, simplified, colloquial-free, filler-free."""
    text = strip_tokens(_OWN_DATA.sub(" ", mask_personal_data(text)))
    text = to_simplified(to_halfwidth(text).lower())
    text = rewrite_elsewhere(rewrite_dates(rewrite_area(rewrite_mislaid(rewrite_passing(text)))))
    text = without_payer(rewrite_abroad(text))
    text = rewrite_colloquial(text)
    text = rewrite_closing(text)
    text = strip_fillers(text)
    return clean_spacing(text)
