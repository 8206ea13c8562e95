"""Decisions: a citizen message (plus the previous turn) to answer / clarify / handoff.

A fresh question goes through both stages: the lexical stage (``bot.matching.scoring.ItemScorer``: character
n-grams and weighted words against item names, aliases and FAQ questions) and, when the lexical stage alone
is not already sure, the semantic stage (``bot.matching.semantic``: sentence embeddings of the question and
of each item's passages). Their candidates are ranked and the question answered, clarified or handed off by
the fitted models of ``bot.matching.ranker`` (``bot/matching/fit.py`` fits them; thresholds are chosen for a
wrong-answer rate, not per question). Without the semantic stage (turned off, or a platform where the model
cannot load) the lexical models decide alone. A clarification whose best item is the only credible one is
answered instead when the message tells one of that item's situations in the situation's own words or by
an age (我闺女今年满16了 → 居民身份证首次申领, 年满16周岁), or asks and says the item's name or an alias whole
(听说有个高龄补贴要去哪里申请): the question would only ask what was said.

Follow-ups use the previous Turn: a bare number picks a pending candidate; a message with no content words
(那要多少钱, 在哪办), or none that names any item (要他本人去吗), applies to the previous item (or, with a
clarification pending, to its only credible option when it had one, else re-asks it with the field); a
field question the previous item explains about as well as a new one (FOLLOW_UP_SLACK) stays on it; a
vague refinement (丢了, 租房的) is matched together with the previous topic
(``Turn.extra["topic"]``, kept by ``turn_after``); a word the item's names and situations lack that names a
neighbour of the topic (那丢了呢 after 驾驶证期满换证 → 驾驶证遗失补领) moves there; a message mostly in words
foreign to the knowledge base is not answered. A message that names another item starts afresh (decided
exactly as without context): key words (known nouns that name some item, not field cues like 窗口) absent from
the item or candidates under discussion carry ≥ TOPIC_SWITCH of its weight, and the message alone fits some
item (coverage ≥ SWITCH_COVERAGE).
"""

import dataclasses
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bot.matching import followups
from bot.matching import words as vocab
from bot.matching.decision import Decision, Reason, Turn
from bot.matching.embedding import Embedder
from bot.matching.features import Candidate, base_name, candidates
from bot.matching.fields import (
    BACK_ASK,
    HOW_TO,
    PERSON_TURN,
    PLACE_ASK,
    PRESENCE_ASK,
    PROXY_ASK,
    asks_materials,
    detect_field,
    names_nothing,
    only_field_words,
    strip_field_words,
)
from bot.matching.figures import holds_sum, sums_told
from bot.matching.normalize import normalize, to_halfwidth
from bot.matching.options import (
    PAPERS,
    by_direction,
    by_done,
    by_hint,
    by_words,
    first_time,
    never_had,
    without_denied,
    without_had,
)
from bot.matching.pinyin import PinyinReader, words_of
from bot.matching.ranker import CHOICE_SHARE, Models, Verdict, shipped
from bot.matching.records import Records, record_text
from bot.matching.scoring import ItemScorer, Ranked
from bot.matching.semantic import SemanticIndex
from bot.matching.settled import (
    NAMED_FIRST_P,
    NEIGHBOUR_P,
    answer_first,
    document_choice,
    errands,
    far_ahead,
    goal_choice,
    issuing_choice,
    leading_option,
    likely_item,
    lost_document,
    lost_sibling,
    named_choice,
    names_other_document,
    own_documents_text,
    own_words,
    replacement,
    replacing_choice,
    same_document,
    says_own_name,
    settled_alone,
    tells_loss,
    unfound_material,
)
from bot.matching.situations import HANDED_OVER, OLD_AGE, old_age_bounds, roles, told_age, worded_situation
from bot.matching.surface import (
    ASKS,
    COMPLAINT,
    HUMAN,
    OPINION,
    STORY_LENGTH,
    Surface,
    ask_clause,
    asks,
    clauses,
    read_surface,
)
from knowledge.schema import Item

#: Prepared texts, rankings, query vectors and decisions kept per Matcher (a few MiB at most).
CACHE_SIZE = 4096
#: A new item named during a follow-up needs at least this coverage from the new words themselves.
NEW_ITEM_COVERAGE = 0.4
#: A message whose content bigrams are mostly unknown to the whole knowledge base is a new, foreign topic.
FOREIGN_SHARE = 0.5
#: How much less of a field question the previous item may explain and still keep the conversation on it.
FOLLOW_UP_SLACK = 0.1
#: Share of a message's weight in key words absent from the item (or candidates) under discussion above
#: which the message is a new question, not a follow-up ...
TOPIC_SWITCH = 0.5
#: ... provided the message alone fits some item this well (coverage): a vague refinement (用于出国探亲)
#: whose words also occur elsewhere stays with the topic.
SWITCH_COVERAGE = 0.6
MAX_CANDIDATES = 5
#: A message this short (characters) or shorter asks bare (港澳台通行证怎么办理, 户口迁移要办啥): a numbered
#: question is answered at once for it only when names, not aliases, set the first option far apart.
SHORT_ASK = 12
#: A message under a numbered question that alone points this surely (and far ahead) at an item not offered
#: asks about that item, whatever words it shares with the options.
AWAY_P = 0.8
#: Characters in a row of one item's name that name it, said in a message (护理补贴).
NAME_RUN = 4
#: Characters in a row of one item's names and aliases, and no other's, that name it under a numbered question
#: not offering it: longer than NAME_RUN, for four (证期满换) may be an operation on any document.
APART_RUN = 5
#: A follow-up may move to one of this many items nearest to the topic with it (那丢了呢 → 遗失补领).
SIBLINGS = 3
#: Content this short (characters) is a bare refinement (那丢了呢 → 遗失): it keeps the field asked before.
BARE = 4
#: At most this many characters make a bare reply naming one of the current item's cases (二手的, 是租的).
CASE_REPLY = 6
#: A bare "and X?" (港澳通行证呢, 那新房呢, 我是要出租房子的那种): it asks again what was asked before.
BARE_ASK = re.compile(r"^(?:那|那么|那要是|要是|如果是|我是)?.{1,10}?(?:的)?(?:呢|那种|的话)[?？]?$")


#: "And if it were X?" (那要是整成卖麻辣烫的呢, 要是没备案直接去了呢, 那我承包的山上那片林子呢): the errand at
#: hand in another case, unless X surely names another item (which the rules before it answer).
WHAT_IF = re.compile(
    r"^(?:那|那么)?(?:要是|如果|假如|若是|万一)[^？?！!]{1,24}?呢[?？]?$|^那[^？?！!]{2,24}?呢[?？]?$"
)
#: The errand at hand referred to at the start (领这个钱要交税吗, 这个要本人去吗, 办这个证要多久): whatever
#: other items the rest of the words fit.
THIS_ONE = re.compile(r"^(?:那|那么)?(?:领|办|交|取|拿|申请|补|换)?这(?:个|笔|项|份)(?:钱|补贴|证|卡|事)?")
#: A yes/no question's end (要找人担保吗, 要体检不).
_YES_NO_END = re.compile(r"(?:吗|(?<![什怎这那多])么|嘛|不)[?？]?$")
#: Whether it is an errand of its own (失业登记是另外办吗): the other item asked, not the record.
_APART = re.compile(r"另外|单独|分开|另办|别的")
#: The errand at hand done (证办下来以后, 办好证之后, 办了证以后): what comes after it, the next errand, is
#: asked.
AFTER_DONE = re.compile(
    r"(?:办|弄|领|拿|批)(?:下来|好|完|到|了)?(?:这个|那个)?(?:证|卡)?(?:了)?(?:以后|之后)"
)
#: One errand done, then another (等出生证改好了再去上户口, 补好户口本再给孙子办身份证, 查完了办继承): the
#: words after it name the errand asked about.
THEN_NEXT = re.compile(
    r"(?:办|补|改|弄|换|查|拿|领|开|批|做)(?:好|完|下来)了?\w{0,6}?(?:以后|之后)?[，,]?(?:再|然后再?)(?:去|来)?|"
    r"(?:办|补|改|弄|换|查|拿|领|开|批|做)(?:好|完|下来)了(?:以后|之后)?[，,]?(?=去|来|办|给)"
)
#: A licence or its registration named (执照, 个体户, 注销了重新办).
_LICENCE_WORDS = re.compile(r"执照|个体户|注销|重新办|登记")
#: The new document of the errand at hand (新证来得及不, 新卡啥时候能拿到).
_NEW_ONE = re.compile(r"新(?:的)?(?:证|卡|本子?|照)(?!明)")
#: The temporary one asked of (那临时的多少钱, 临时那个当场能拿吗), naming nothing else.
_TEMPORARY_ONE = re.compile(r"^(?:那|那个|还有|那么)?临时(?:的|那个|的那个|证)")
#: Getting something first (要先办营业执照不, 得先去申请吗).
_FIRST_STEP = re.compile(r"先(?:去)?(?:办|领|开|申请|申领)")
#: Words of applying at either end of an item's name or alias (公共租赁住房申请, 申请公租房).
_APPLYING_WORDS = re.compile(r"^(?:申请|申领|办理)|(?:申请|申领|办理)$")
#: "The matter of" a thing (社保卡的事): no word of its own.
_MATTER = frozenset({"事", "事儿", "事情"})
#: A thing said "too" at the start (驾驶证也快到期了, 我老婆的港澳通行证也过期了): the words before 也.
ALSO_SUBJECT = re.compile(r"^(?:那|还有|另外)?(\w{2,10}?)(?:的)?也")
#: A question put aside from the one at hand ("by the way"): 顺便问下, 对了, 另外, 还有个事, 仲有 (粤语).
SIDE_ASK = re.compile(
    r"^(?:顺便|对了|另外|还有个事|还有件事|还想问|再问|仲有)(?:问(?:一下|下|问|一句))?[，,。\s]*"
)
#: ... which is about the item at hand only when this much of its words' weight is in the item's record.
SIDE_COVERAGE = 0.5
#: "And what about X?" at the start of a message (那婚姻登记呢，今天能办离婚吗): it turns to X.
TURN_TO = re.compile(r"^(?:那|那么|那要是)[^，,。？?！!]{2,12}?呢")
#: The citizen corrects what the bot understood (不是身份证，我是说…, 不对，我问的是…, 我说错了，不是离婚，
#: 是…, 不对，我搞错了，她上个月买了房…, 不对，我说错了，他交的不是那个，是…): markers of a mistake, what
#: it is not, and what it is. A clause with a subject (他不是要关掉，是…) reads as a correction only after a
#: marker: 他不是本县户口，是外地的能办吗 tells a situation.
_MISTAKE = r"(?:不对|不是的|错了|我?[说打搞弄记]错了|我?[搞弄]混了|说反了)[啊呀哦]?[，,。！!]*"
_MEANT = r"(?:我是说|我说的是|我问的是|我是问|是)"
CORRECTION = re.compile(
    rf"^(?:{_MISTAKE})*不是[^，,。]{{0,10}}[，,。]?(?:而)?{_MEANT}(?!不)"
    rf"|^(?:{_MISTAKE})+(?:[他她我俺]们?[^，,。]{{0,4}}?不是[^，,。]{{0,10}}[，,。]?(?:而)?)?{_MEANT}?(?!不)"
)
#: A document asked of as something to bring or show (要带户口本吗, 需不需要身份证, 用不用房产证).
_BRINGS = re.compile(r"带|要不要|需要|需不需要|用不用|得要|提供|交不交|复印")
#: What it is for, said after the errand (开个无房证明，小朋友积分入学用; 纳税证明，买房要用): a purpose,
#: not the errand.
PURPOSE = re.compile(
    r"[，,。]\s*(?:是|我是|主要是|这个是)?(?:给|为了)?[^，,。？?！!]{2,14}?(?:要用|需要用|用的|来用|用)[。！!？?]*$"
)
#: The citizen calls off the errand under discussion (算了老板说先不注销了，改个地址…): its operation, then
#: what comes instead.
CALLED_OFF = re.compile(r"(?:先|就|暂时|还是)?不(?:办|弄|搞|去)?(\w{2})了[，,。]")
#: Back to what was talked about before (回到我爸那个, 刚才那个, 前面说的那个).
BACK_TO = re.compile(
    r"^(?:再)?(?:回到|说回|回头说|还是说)|"
    # 那刚才那个社保卡 / 头先个执照 (Cantonese 头先 = 刚才).
    # 好 还是刚才那个社保卡: the same, after a word of assent and 还是.
    r"^(?:那|哦|好|嗯|行)?(?:还是)?(?:刚才|刚刚|头先|前面|之前|上面)(?:说的|问的|讲的)?(?:那个|那件事|那事|个)"
)

#: Pairs of characters every paper's name may hold: they tell no material apart.
_PAPER_PAIRS = frozenset("证书 证明 复印 印件 原件 身份 份证 居民 申请 材料 表格 证件 照片".split())
#: Whether the same holds for someone else (她的也一样吗, 我老公的也是这样吗): about the item at hand.
SAME_ASK = re.compile(
    r"(?:也|都)(?:一样|是这样|这样|同样|相同|是一样)(?:的)?(?:吗|么|不|嘛|吧)|"
    # 她也能这样取吗: the same errand done the same way by someone else.
    r"(?:也|都)(?:能|可以)(?:这样|这么)\w{0,2}?(?:吗|么|不|嘛|吧)"
)


#: The money a benefit pays has not come (没收到钱, 钱还没到账, 一分钱也没见着).
PAYMENT_MISSING = re.compile(
    r"没(?:有)?(?:收到|到账|见着|见到|领到|拿到|发)|(?:钱|补贴|津贴|补助|养老金|待遇)(?:还)?没(?:有)?(?:到|发|打|来)|"
    r"一分(?:钱)?(?:也|都)没"
)
#: Who the citizen or a relative is (我们家是低保户, 我老伴是残疾人, 他属于特困人员): a kind of person, told
#: as a case of the errand at hand rather than as an errand of its own.
IDENTITY = re.compile(r"(?:是|属于|算)(?:个|一个)?\w{0,6}?(?:户|对象|人员|人|家庭|群体)")
_PERSON = re.compile(r"(?:户|对象|人员|家庭|群体)$")
#: What a record says of an item that pays money out (按月发放, 打到卡上, 到账).
_PAYS = re.compile(r"发放|到账|打到|发至|支付给|按月")


def _of_the_item_at_hand(normal: str, compact: str) -> bool:
    """Whether a message asks who may go (让我老公去帮我办行不行, 要不要她本人回去) or must come back
    (要回来吗), whether the same holds for someone else (她的也一样吗, 那我爸呢) or whether it is done nearer
    home (村里能不能办): questions about the item under discussion."""
    return bool(
        PROXY_ASK.search(normal)
        or PRESENCE_ASK.search(normal)
        or BACK_ASK.search(normal)
        or SAME_ASK.search(compact)
        or PLACE_ASK.search(compact)
        or PERSON_TURN.match(compact)
        or WHAT_IF.match(compact)
    )


#: A clause that says what the citizen wants done (想把结婚证领了, 要办个居住证, 打算去补身份证, 想这周五去
#: 扯证).
_WANTING = r"(?:想|要|打算|准备|得)(?:在这边|在这里|来|去|先|\w{1,4}?[去来])?"
#: Verbs that are the errand itself (要结婚, 想落户), needing no thing (办, 领 need one).
_ERRAND_VERBS = r"结婚|离婚|上户口|落户|扯证"
_WANTED = re.compile(rf"{_WANTING}(?:把|办|领|补|换|开|申请|迁|{_ERRAND_VERBS})")
#: ... one whose verb is the errand itself.
_WANTED_ERRAND = re.compile(rf"{_WANTING}(?:{_ERRAND_VERBS})")
#: The regular document, said against a temporary one (补正式的, 正式的那个).
REGULAR = re.compile(r"正式")
TEMPORARY = "临时"
#: Where a hukou is, or when it was moved (外地户口, 户口在外省, 户口去年才从外县迁过来的).
HUKOU_TOLD = re.compile(
    r"(?:外地|外省|外县|外市|本地|本县|农村|城镇)户口|户口(?:是|在|还在|本来在|早就)|"
    r"户口\w{0,4}?(?:去年|今年|前年|前几年|上个月|才|早就|已经)\w{0,6}?(?:迁|落)"
)
#: Another errand asked for besides the one at hand (别的补贴, 除了低保).
_OTHER_ASKED = re.compile(r"别的|其他|其它|除了|另外")
#: A move asked for (户口怎么迁, 想把户口迁过来, 迁移证): a hukou errand, not a circumstance.
MOVE_ASKED = re.compile(
    r"(?:怎么|咋|如何|想|要|能|能不能|可以|打算|准备|得)(?:把)?\w{0,4}?迁|迁移证|迁户口|落户"
)
#: A hukou item's name (户口迁入, 出生登记（新生儿入户）).
_HUKOU_ITEM = re.compile(r"户口|户籍|落户|入户|迁")
#: What the citizen says is lacking, just before a thing's name (莫得结婚证, 没有房产证).
_LACKED = re.compile(r"(?:没有?|莫得|没得|冇得?|无)\w{0,2}$")


def _lacked(normal: str, word: str) -> bool:
    """Whether normalised ``normal`` says ``word`` (where it says it) as a thing lacking (莫得结婚证)."""
    before, found, _ = normal.partition(word)
    return bool(found) and bool(_LACKED.search(before[-4:]))


#: Getting something first (要先去办那个证, 得先补): the thing lacked is the errand wanted.
_GET_FIRST = re.compile(r"(?:要|得|先|需要)先?(?:去)?(?:办|领|补|开|申请)|先(?:去)?(?:办|领|补|开|申请)")
#: Words for a paper of any errand (开证明, 交材料, 办手续): they name no item by themselves.
_ANY_PAPER = frozenset({"证明", "证件", "材料", "资料", "手续", "表格", "申请表", "复印件", "原件"})
#: What the citizen says is not had, just before a thing's name (还没领结婚证, 莫得户口本): narrower than
#: _LACKED (没到退休年龄 tells an age, not a thing lacking).
_NOT_HAD = re.compile(r"(?:没有?|莫得|没得|冇得?)(?:领|办|拿|带|有)?(?:过|到|着)?$")
#: What the citizen says is had, just before a thing's name (有残疾证, 已经办了居住证, 买了保险).
_HELD = re.compile(r"(?:有|有个|有辆|有台|有套|有张|有本|持有|拿着|办了|办过|领了|领过|买了)$")


def _held_or_lacked(normal: str, word: str) -> bool:
    """Whether normalised ``normal`` says ``word`` as a thing the citizen has or lacks (莫得结婚证, 有残疾证),
    wherever it says it: a circumstance told, not an errand asked (not 还没有居住证，居住证咋办)."""
    parts = normal.split(word)
    return len(parts) > 1 and all(
        _NOT_HAD.search(before[-4:]) or _HELD.search(before[-3:]) for before in parts[:-1]
    )


#: The errand words of an item name, around the document it is about (临时…申领, …补领（丢失、损坏）).
_ERRAND_WORDS = re.compile(r"临时|首次|申领|申请|办理|登记|补领|换领|补办|补发|换发|（[^）]*）|\([^)]*\)")
#: A thing referred to as talked about (领证那个, 积分的事): which earlier item, its words tell.
REFERRED = re.compile(r"([^，,。？?！!\s]{2,8}?)(?:那个|那件事儿?|那事儿?|的事儿?|的事情)")
#: Which of two errands to take first (先说退休那个, 先问报销的): the one of the other errand's words.
#: The citizen announces another errand (还有个事，…; 另外问一下，…): not a follow-up on the item at hand.
NEW_ERRAND = re.compile(
    r"^(?:还有|另外|另|再问)(?:一)?(?:个|件)(?:事|问题)|^另外(?:问|想问|咨询)(?:一下|下)?[，,]"
)
FIRST_OF_TWO = re.compile(
    # 先 only: 再问一下办身份证的材料 goes on with the item at hand.
    r"^(?:那)?先(?:说|问|讲|聊|办|弄)(?:一下|下)?([^，,。？?！!\s]{2,6}?)(?:的|那个|那件)"
)


#: Something done before, told as such (去年才从外省迁过来的, 已经办好了的): a statement of the past.
_TOLD_DONE = re.compile(
    r"(?:去年|前年|上个?月|上半年|今年|年前|前几年|早就|已经|才|刚)\w{0,12}?(?:了|的)[。！!~～]*$"
)


@dataclass(frozen=True)
class SemanticStage:
    """The semantic stage of one knowledge-base version: its passage index and the model."""

    index: SemanticIndex
    embedder: Embedder


#: Items that are complaints or reports themselves (拖欠工资投诉, 劳动保障监察举报): 在哪投诉 asks of them.
COMPLAINT_ITEM = re.compile(r"投诉|举报")
#: A candidate this probable, the others far behind, is offered in a question rather than handed off.
SURE_P = 0.9
#: How likely a document's item must be for a message telling it lost to get the replacing item.
LOST_P = 0.5
#: How likely the item a message asks about "apart" (另外, 单独) must be, far ahead, to be the errand asked.
APART_LEAD_P = 0.5
#: Operations every kind of item does: a word they begin tells no item's own operation.
_GENERIC_OPERATIONS = frozenset("办申登")
#: Whether to bring something (还要带户口本吗, 要不要带照片): a yes/no question about a material.
_BRING_ASK = re.compile(
    r"(?:带|拿|准备|提供|复印)(?!什么|些什么|啥|哪些)[^ ]{0,8}?(?:吗|么|不|没有?)$|"
    r"(?:要不要|用不用|需不需要|需要)(?:带|拿|准备|提供)"
)


class Matcher:
    """Item and field matching over one knowledge-base version; build once, then ``decide`` per message."""

    def __init__(
        self,
        scorer: ItemScorer,
        *,
        semantic: SemanticStage | None = None,
        models: Models | None = None,
        reader: PinyinReader | None = None,
        mode: str = "auto",
    ) -> None:
        self.scorer = scorer
        #: auto: the lexical stage, then both when it is not sure; lexical / hybrid / semantic: one way
        #: only (measurements).
        self.mode = mode
        self.items = scorer.items
        self.codes = scorer.codes
        self.position = scorer.position
        self.semantic = semantic
        self._models = models
        self.reader = reader or PinyinReader(words_of(scorer.items))
        self.names = [item.name for item in self.items]
        #: Every item's name and aliases, one item a line: the words that name errands in this hall.
        self.errand_words = "\n".join(" ".join([item.name, *(item.aliases or ())]) for item in self.items)
        self._old_ages = [old_age_bounds(item) for item in self.items]
        # Pure functions of the text over this index version, cached per Matcher: a publish builds a
        # new Matcher, so a cached result never outlives its knowledge base. Bursts after an
        # announcement repeat the same questions, and every push prepares its text twice.
        self._prepare = functools.lru_cache(maxsize=CACHE_SIZE)(scorer.prepare)
        self._rank = functools.lru_cache(maxsize=CACHE_SIZE)(lambda content: tuple(scorer.rank(content)))
        self._surface = functools.lru_cache(maxsize=CACHE_SIZE)(
            functools.partial(read_surface, fix=scorer.fixer.fix)
        )
        self._read = functools.lru_cache(maxsize=CACHE_SIZE)(self.reader.read)
        self._query = functools.lru_cache(maxsize=CACHE_SIZE)(self._embed)
        self._fresh_for = functools.lru_cache(maxsize=CACHE_SIZE)(self._fresh)
        self._records: Records | None = None
        self._own_documents: dict[int, str] = {}
        self._canonical = functools.lru_cache(maxsize=CACHE_SIZE)(self._canonical_form)
        self._applied: dict[str, frozenset[str]] = {}

    @property
    def models(self) -> Models:
        """The fitted models deciding fresh questions (the shipped ones unless others were given)."""
        return self._models or shipped()

    @classmethod
    def build(
        cls, items: Sequence[Item], *, synonyms: Mapping[str, str] | None = None, models: Models | None = None
    ) -> "Matcher":
        """Index ``items`` lexically (names, aliases, FAQ questions, departments); ``synonyms`` are staff
        additions. ``with_semantic`` adds the semantic stage once its passages are embedded."""
        return cls(ItemScorer.build(items, synonyms=synonyms), models=models)

    def with_semantic(self, stage: SemanticStage | None) -> "Matcher":
        """This matcher with the semantic stage attached (fresh caches; the lexical index is shared)."""
        return Matcher(self.scorer, semantic=stage, models=self._models, reader=self.reader)

    def with_models(self, models: Models) -> "Matcher":
        """This matcher deciding with other fitted models (fitting and cross-validation)."""
        return self._sibling(models, self.mode)

    def in_mode(self, mode: str) -> "Matcher":
        """This matcher deciding fresh questions one way only: lexical, hybrid or semantic (measurements)."""
        return self._sibling(self._models, mode)

    def _sibling(self, models: Models | None, mode: str) -> "Matcher":
        # Same knowledge base and stages: the text caches (readings, rankings, query vectors) are shared,
        # only the decisions differ.
        sibling = Matcher(self.scorer, semantic=self.semantic, models=models, reader=self.reader, mode=mode)
        for name in ("_prepare", "_rank", "_surface", "_read", "_query", "_records"):
            setattr(sibling, name, getattr(self, name))
        return sibling

    @property
    def records(self) -> Records:
        """The items' whole records, for follow-ups (built on first use: most messages never need them)."""
        if self._records is None:
            self._records = Records(self.items)
        return self._records

    def grounded(self, normal: str, content: str, code: str) -> bool:
        """Whether a question (normalised ``normal``, prepared ``content``) asks about something the record
        of item ``code`` tells and few other records do (可以寄到家里吗 after 护照补发: 证件可邮寄)."""
        return asks(normal) and bool(self.records.grounded(content, self.position[code]))

    def prepare(self, text: str) -> str:
        """The content words of a message, typo-corrected and canonical, as matched against phrases."""
        return self._prepare(self._read(text))  # type: ignore[no-any-return]

    def rank(self, content: str) -> list[Ranked]:
        """``ItemScorer.rank`` of prepared ``content``, cached (a fresh list each call)."""
        return list(self._rank(content))

    def item(self, code: str) -> Item:
        """The item with this code (KeyError when unknown)."""
        return self.scorer.item(code)

    def _embed(self, text: str) -> np.ndarray:
        assert self.semantic is not None
        return self.semantic.embedder.queries([text])[0]

    def surface(self, text: str) -> Surface:
        """What a message says before any matching: field, 人工/投诉, a bare pick (cached)."""
        return self._surface(self._read(text))  # type: ignore[no-any-return]

    def query_vector(self, text: str) -> np.ndarray:
        """The semantic stage's vector of a normalised message (cached); needs the stage."""
        return self._query(text)  # type: ignore[no-any-return]

    def semantic_scores(self, text: str) -> np.ndarray | None:
        """Each item's semantic similarity to ``text`` (normalised message), or None without the stage."""
        if self.semantic is None or not text.strip():
            return None
        # Misspellings corrected first (公基金, 社宝卡): the model reads a wrong character as another word.
        spelled = self.scorer.synonyms.respelled(text)
        return self.semantic.index.item_scores(self._query(spelled))

    def verdict(self, text: str, content: str, mode: str) -> Verdict:
        """The ``mode`` ranker's judgement of a message (normalised ``text``, prepared ``content``)."""
        return self.models.rankers[mode].judge(self.candidates(text, content, mode), self.names, content)

    def candidates(self, text: str, content: str, mode: str) -> list[Candidate]:
        """The items both stages put forward for a message, with their features (what the models see)."""
        semantic = self.semantic_scores(text) if mode != "lexical" else None
        clause = ask_clause(text)
        # A story's clause that asks, in meaning too: the whole story's vector drifts with what it tells.
        told = self.semantic_scores(clause) if clause and semantic is not None else None
        ask = self._prepare(clause) if clause else ""
        return candidates(self.scorer, content, semantic, mode=mode, ask=ask, ask_semantic=told)

    def _fresh(self, text: str, content: str, field: str | None, topical: bool = False) -> Decision:
        """Answer, clarify or hand off a question on its own (no conversation); ``topical``: the message with
        the conversation's topic before it (whose words tell no case of their own)."""
        if self.mode != "auto":
            mode = self.mode if self.semantic is not None else "lexical"
            return self._decision(self.verdict(text, content, mode), field, mode, text, topical=topical)
        verdict = self.verdict(text, content, "lexical")
        if self.semantic is None or (verdict.action == "answer" and verdict.answer_p >= self.models.fast_at):
            return self._decision(verdict, field, "lexical", text, topical=topical)
        return self._decision(self.verdict(text, content, "hybrid"), field, "hybrid", text, topical=topical)

    def _decision(
        self, verdict: Verdict, field: str | None, mode: str, text: str = "", *, topical: bool = False
    ) -> Decision:
        if text and verdict.action != "handoff" and self._elsewhere(verdict, text):
            # 驾驶证到期了在你们这换得了吗, in a hall with no driving-licence desk: not 身份证换领.
            return Decision("handoff", field=field, score=verdict.answer_p, reason="out_of_scope")
        p = verdict.probabilities
        alone = len(p) > 0 and p[0] >= SURE_P and (len(p) < 2 or p[1] < CHOICE_SHARE * p[0])
        if verdict.action == "handoff" and alone:
            # 我叫…电话… 我阿爸眼睛看不见了 想办残疾证: one item very likely and alone, the message only
            # unusual around it; asked about, not handed off (a question answers nothing wrongly).
            verdict = dataclasses.replace(verdict, action=verdict.action.replace("handoff", "clarify"))
        scores = tuple(
            (self.codes[c.position], round(p, 4))
            for c, p in zip(verdict.ordered[:MAX_CANDIDATES], verdict.probabilities, strict=False)
        )
        if verdict.action == "handoff" and text and len(p) > 0 and p[0] >= LOST_P:
            lost = self._lost_sibling(self.codes[verdict.ordered[0].position], scores, text)
            if lost is not None:
                # 社保卡找不到了 咋个办嘛, its document's item likely but not sure: the card is lost, and the
                # item that replaces it is the answer, not a person.
                return Decision(
                    "answer", item=lost, field=field, score=verdict.answer_p, reason="told", scores=scores
                )
        settled = (
            settled_alone(
                verdict,
                text,
                self.items,
                self.scorer,
                self._prepare,
                spread=None if topical else self._spread,
            )
            if verdict.action == "clarify" and text
            else None
        )
        if settled is not None:
            # 我闺女今年满16了，还没办过身份证 / 听说有个高龄补贴要去哪里申请: the one credible item, and the
            # message tells one of its situations or says its name; asking which item would only ask again.
            code = self.codes[verdict.ordered[0].position]
            return Decision(
                "answer", item=code, field=field, score=verdict.answer_p, reason=settled, scores=scores
            )
        if verdict.action == "answer":
            code = self.codes[verdict.ordered[0].position]
            lost = self._lost_sibling(code, scores, text) if text else None
            if lost is not None:
                # 钱包被偷了，社保卡在里面: not 社会保障卡申领 but the item that replaces the card.
                return Decision(
                    "answer", item=lost, field=field, score=verdict.answer_p, reason="told", scores=scores
                )
            return Decision("answer", item=code, field=field, score=verdict.answer_p, scores=scores)
        if verdict.action == "clarify":
            choices = tuple(self.codes[c.position] for c in verdict.choices(self.names))
            items = {c: self.item(c) for c in choices}
            # Between 社会保障卡申领 and 挂失与补换: 社保卡找不到了 (lost: replaced), 孙女刚满月想给她办张
            # 社保卡 (a first card: issued).
            told = (
                replacing_choice(choices, self._prepare(text), items)
                or issuing_choice(choices, text, items)
                or goal_choice(choices, text, items)
                or (
                    # What it says is not so names no document of its own (不是护照).
                    document_choice(
                        choices, self._canonical(without_denied(normalize(text))), items, self._canonical_form
                    )
                    if not _BRINGS.search(text)
                    else None
                )
                or named_choice(
                    choices,
                    text,
                    items,
                    self.scorer,
                    self._prepare,
                    lexical_first=self._lexical_first(verdict),
                )
                if text
                else None
            )
            if told is not None:
                score = verdict.answer_p
                return Decision("answer", item=told, field=field, score=score, reason="told", scores=scores)
            pair = [self.names[self.position[c]] for c in choices[:2]]
            way = by_direction(text, pair) if text and len(choices) >= 2 else None
            if way is not None:
                # 想把户口迁到我老公这边, between 户口迁入 and 户口迁出: the way the message points at.
                code, score = choices[way], verdict.answer_p
                return Decision("answer", item=code, field=field, score=score, reason="told", scores=scores)
            lost = self._lost_document(verdict, text) if text else None
            if lost is not None:
                # 钱包让人给摸走了，身份证也在里头…现在要咋弄: the story's other words put other items
                # forward, but a document told stolen is replaced by the one item that replaces it.
                score = verdict.answer_p
                return Decision("answer", item=lost, field=field, score=score, reason="told", scores=scores)
            return Decision(
                "clarify",
                candidates=choices,
                field=field,
                score=verdict.answer_p,
                reason="ambiguous",
                scores=scores,
            )
        ranker = self.models.rankers[mode]
        reason: Reason = "low_confidence" if verdict.clarify_p >= ranker.clarify_at / 2 else "out_of_scope"
        return Decision("handoff", field=field, score=verdict.answer_p, reason=reason, scores=scores)

    def _elsewhere(self, verdict: Verdict, text: str) -> bool:
        """Whether the message names a document that none of the verdict's candidates is about or asks for
        (驾驶证到期了 in a hall whose desks hold only 居民身份证有效期满换领): an errand this hall does not
        handle."""
        if _BRINGS.search(text):
            return False  # 结婚登记要带户口本吗: a document asked of as something to bring, not the errand
        content = self._canonical(text)
        own = []
        for candidate in verdict.ordered[:MAX_CANDIDATES]:
            position = candidate.position
            if position not in self._own_documents:
                # Uncached: the item's texts would only crowd the messages' cache.
                item = self.items[position]
                self._own_documents[position] = own_documents_text(item, self._canonical_form)
            own.append(self._own_documents[position])
        return bool(own) and all(names_other_document(words, content) for words in own)

    def _canonical_form(self, text: str) -> str:
        """``text`` normalised, its words in canonical form (社保卡 → 社会保障卡), nothing else removed."""
        return str(self.scorer.synonyms.canonical(normalize(text)))

    def _lexical_first(self, verdict: Verdict) -> str | None:
        """The item the lexical stage ranked first among a verdict's candidates, if any."""
        first = next((c for c in verdict.ordered if c.values.get("lex_rank", 1.0) == 0.0), None)
        return self.codes[first.position] if first is not None else None

    def _lost_document(self, verdict: Verdict, text: str) -> str | None:
        """The item replacing the one document ``text`` tells lost and names, if the verdict considered it."""
        code = lost_document(self._prepare(text), self.items)
        considered = {self.codes[c.position] for c in verdict.ordered}
        return code if code in considered else None

    def _lost_sibling(self, code: str, scores: Sequence[tuple[str, float]], text: str) -> str | None:
        items = {c: self.item(c) for c, _ in scores if c in self.position}
        return lost_sibling(code, scores, self._prepare(text), items)

    def _current_operation(self, content: str, current: str, other: str, *, leading: bool = False) -> bool:
        """Whether ``content`` says alone, as one character, the first of an operation in the current item's
        name (换 of 换领), which the other item's name does not hold; ``leading``: or says it within a word
        (一起迁过来 of 迁入), a generic operation (办理, 申请, 登记) excepted."""
        singles = {token for token in content.split() if len(token) == 1}
        said = set(content.replace(" ", "")) - _GENERIC_OPERATIONS if leading else set()
        if not singles and not said:
            return False
        operations = vocab.actions()[0]
        own = {op[0] for op in operations if op in self.names[self.position[current]]}
        theirs = set(self.names[self.position[other]])
        if said & own and not said & own & theirs:
            return True
        return bool(singles & own) and not singles & theirs

    def turns_away(self, text: str, codes: Sequence[str]) -> bool:
        """Whether ``text`` alone answers an item other than ``codes`` and names it by a key word of its names
        that each of ``codes``' names and situations lack (食品许可证要多久 beside 个体工商户登记)."""
        if not codes:
            return True
        fresh = self.decide(text, None)
        if fresh.action != "answer" or fresh.item is None or fresh.item in codes:
            return False
        if any(code not in self.position for code in codes):
            return False
        content = self._prepare(self._read(text))
        return all(self._renamed(content, code, fresh.item) for code in codes)

    @staticmethod
    def _sure_elsewhere(fresh: Decision, code: str) -> bool:
        """Whether the message alone is sure of another item (p ≥ SURE_P) and finds ``code`` no credible
        rival of it (还要开个纳税证明 after 参保证明: 纳税记录开具, not a neighbour of the topic)."""
        if not fresh.scores or fresh.scores[0][0] == code or fresh.scores[0][1] < SURE_P:
            return False
        return dict(fresh.scores).get(code, 0.0) < CHOICE_SHARE * fresh.scores[0][1]

    def _neighbour_with_topic(self, topic: str, normal: str, content: str, current: str) -> str | None:
        """The one item the message with the topic leads to, besides ``current``, named by a key word of the
        message that ``current`` lacks (补贴 of 残疾人两项补贴 after 残疾人证办理), or None."""
        if not topic:
            return None
        combined = self._with_topic(topic, normal, content, None)
        codes = [combined.item] if combined.action == "answer" else list(combined.candidates[:2])
        named = [
            code
            for code in codes
            if code in self.position and code != current and self._renamed(content, current, str(code))
        ]
        return str(named[0]) if len(named) == 1 else None

    def errands(self, decision: Decision, text: str) -> tuple[str, ...]:
        """The errands a numbered question's message tells at once (see :func:`settled.errands`)."""
        names = {c: self.names[self.position[c]] for c, _ in decision.scores if c in self.position}
        return errands(decision, f"{text} {self._prepare(self._read(text))}", names)

    def turned_to_by_name(self, text: str, code: str) -> bool:
        """Whether ``text`` turns to the item by a name or alias that is its alone (那开个纳税证明呢 of 个人
        所得税纳税记录开具), as to a new topic."""
        if code not in self.position:
            return False
        read = self._read(text)
        if not TURN_TO.match(re.sub(r"\s", "", to_halfwidth(read))):
            return False
        return says_own_name(self.scorer, self.position[code], self._prepare(read))

    def mentions_item(self, text: str, code: str) -> bool:
        """Whether ``text`` shares a word (two characters) with a name or alias of item ``code`` (老年的那个
        of 老年人优待证办理), in its own or the catalogue's terms."""
        if code not in self.position:
            return False
        names = self._names_and_aliases[self.position[code]]
        said = self._said_both_ways(text)
        return any(said[i : i + 2] in names for i in range(len(said) - 1) if "|" not in said[i : i + 2])

    def _said_both_ways(self, text: str) -> str:
        """``text`` compact in its own words and in the catalogue's (prepared), joined by |."""
        read = self._read(text)
        return normalize(read).replace(" ", "") + "|" + self._prepare(read).replace(" ", "")

    def put_aside(self, text: str, codes: Sequence[str], fresh: Decision | None = None) -> bool:
        """Whether ``text`` is a question put aside from the one at hand ("by the way") that the message alone
        (``fresh``, decided here when not given) hands off and whose words are not mostly those of any item
        of ``codes`` (顺便问下 老人想打流感疫苗 去哪打 after 高龄津贴; not 对了 我的是被偷的 after
        身份证补领)."""
        if not SIDE_ASK.match(text.lstrip()):
            return False
        alone = fresh if fresh is not None else self.decide(text, None)
        return alone.action == "handoff" and not any(self.covers(text, code) for code in codes)

    def covers(self, text: str, code: str) -> bool:
        """Whether the content words of ``text``, after any "by the way" (对了), are mostly (SIDE_COVERAGE, by
        weight) words of item ``code``'s record, its weightiest among them (对了 我的是被偷的 of 身份证补领's
        被盗)."""
        if code not in self.position:
            return False
        words = self.scorer.weighted_words(self.prepare(SIDE_ASK.sub("", text.lstrip(), count=1)))
        record = self.records.texts[self.position[code]]
        total = sum(weight for _, _, weight, _ in words)
        told = sum(weight for word, _, weight, _ in words if word in record)
        # ... its weightiest word among them: 银行卡也一起丢了 names a card 身份证补领's record does not.
        weightiest = max(words, key=lambda word: word[2])[0] if words else ""
        return total > 0 and told >= SIDE_COVERAGE * total and weightiest in record

    def names_unoffered(self, text: str, offered: Sequence[str]) -> bool:
        """Whether the item ``text`` alone leads with is not among ``offered`` and is named apart from them
        (就是孩子上学要交的那个社保缴费证明 under 无犯罪记录证明 / 租赁备案 / 不动产查询)."""
        alone = self.decide(text, None)
        lead = alone.scores[0][0] if alone.scores else None
        return lead is not None and lead not in offered and self.named_apart(text, lead, offered)

    def named_apart(self, text: str, code: str, others: Sequence[str]) -> bool:
        """Whether ``text`` says APART_RUN characters or more in a row of a name or alias of item ``code``
        that no other item's name or alias holds (社保缴费证 of 打印社保缴费证明; not 证期满换, an operation
        on some document), ``others`` among them."""
        if code not in self.position or any(other not in self.position for other in others):
            return False
        named = self._names_and_aliases
        own = named[self.position[code]]
        said = self._said_both_ways(text)
        runs = {said[i : i + APART_RUN] for i in range(len(said) - APART_RUN + 1)}
        return any("|" not in run and run in own and sum(run in n for n in named) == 1 for run in runs)

    @functools.cached_property
    def _names_and_aliases(self) -> tuple[str, ...]:
        """Each item's name and aliases, normalised and compact, joined by |."""
        return tuple(
            "".join(normalize(n).replace(" ", "") + "|" for n in [item.name, *(item.aliases or ())])
            for item in self.items
        )

    def _wanted_errand(self, normal: str, field: str | None, fresh: Decision) -> Decision | None:
        """In a story left to a numbered question, the clause that says what the citizen wants done
        (想在这边把结婚证领了, among who is from where and works where), when it alone surely answers one of
        the question's items or puts it far ahead; in a short message of several clauses only one saying the
        errand by its verb (我俩要结婚 要带啥 我户口在伊宁); else None."""
        parts = clauses(normal)
        short = len(normal.replace(" ", "")) < STORY_LENGTH
        if short and len(parts) < 2:
            return None
        for clause in reversed(parts):
            if not _WANTED.search(clause):
                continue
            alone = self._fresh_for(clause, self._prepare(clause), field)
            if not short and alone.action == "answer" and alone.item in fresh.candidates:
                return dataclasses.replace(alone, field=field)
            lead = leading_option(alone)
            # Says the errand itself by its verb (要结婚), not how to do it (要先办什么手续); in a story, any
            # clause of what is wanted done (打算下个月去领证, then who is from where and what to bring), when
            # the whole story puts the same option first.
            first = bool(fresh.scores) and fresh.scores[0][0] == lead
            told = (bool(_WANTED_ERRAND.search(clause)) or (not short and first)) and not ASKS.search(clause)
            if told and lead is not None and lead in fresh.candidates and alone.scores[0][1] >= AWAY_P:
                # 我们两个要结婚, its first option far ahead and very likely: that one.
                return Decision("answer", item=lead, field=field, score=alone.score, scores=alone.scores)
        return None

    def _wanted_alone(self, normal: str, field: str | None, fresh: Decision) -> Decision | None:
        """Of a message of several clauses left to a numbered question, the last clause saying what is
        wanted done (我想申请低保) when it alone surely answers one of the question's items; else None."""
        parts = clauses(normal)
        if len(parts) < 2:
            return None
        for clause in reversed(parts):
            if _WANTED.search(clause):
                alone = self._fresh_for(clause, self._prepare(clause), field)
                if alone.action == "answer" and alone.item in fresh.candidates:
                    return dataclasses.replace(alone, field=field)
                return None
        return None

    def _asking_alone(self, normal: str, field: str | None, fresh: Decision) -> Decision | None:
        """In a message of several clauses left to a numbered question, its last asking clause alone when that
        surely answers one of the question's first two items (开个奶茶店，个体的营业执照咋个办: the licence
        asked for, not the food permit the shop would need); else None."""
        parts = clauses(normal)
        asking = [part for part in parts if ASKS.search(part)]
        if len(parts) < 2 or not asking or asking[-1] == normal:
            return None
        clause = asking[-1]
        if detect_field(clause) not in (None, "materials"):
            return None  # 奥体中心在哪里办 asks where, by a place's name: not which errand
        said = self._prepare(clause)
        alone = self._fresh_for(clause, said, field)
        # The whole message must find its first option probable already (NAMED_FIRST_P): a story of
        # something out of scope may end in a clause that names an item alone.
        credible = bool(fresh.scores) and fresh.scores[0][1] >= NAMED_FIRST_P
        if not (
            credible
            and alone.action == "answer"
            and alone.reason == "confident"
            and alone.item in fresh.candidates[:2]
        ):
            return None
        # ... by a word of its names the other option's names lack (营业执照, not 食品经营许可; not 奥体中心
        # where both are done).
        rivals = [code for code in fresh.candidates[:2] if code != alone.item and code in self.position]
        if not all(self._renamed(said, code, str(alone.item)) for code in rivals):
            return None
        return dataclasses.replace(alone, field=field)

    def _seen(self, prev: Turn) -> list[str]:
        """The items answered earlier in the conversation (``Turn.extra["seen"]``), latest first."""
        kept = (prev.extra or {}).get("seen")
        return [str(code) for code in kept if code in self.position] if isinstance(kept, list) else []

    def _seen_named(self, content: str, fresh: Decision, prev: Turn) -> str | None:
        """Of the items answered earlier in the conversation (``Turn.extra["seen"]``, latest first), the one
        a message going back to one (刚才那个…) means: the one it is decided for or offered, else the one its
        words cover most, else the latest; None when none was answered."""
        seen = self._seen(prev)
        if not seen:
            return None
        offered = [code for code in (fresh.item, *fresh.candidates) if code in seen]
        if offered:
            return offered[0]
        covered = [self.scorer.coverage(content, self.position[code]) for code in seen]
        best = max(covered)
        return seen[covered.index(best)] if best > 0 and covered.count(best) == 1 else seen[0]

    def then_next(
        self, compact: str, current: str, field: str | None = None, seen: Sequence[str] = ()
    ) -> str | None:
        """For one errand done, then another (等出生证改好了再去上户口，上户口收钱不), the errand the words
        after it name: the one item they answer, else of the items they offer one answered before (``seen``);
        None when the message says no such thing, or names the item at hand ``current`` or nothing."""
        then = THEN_NEXT.search(compact) if current in self.position else None
        after = compact[then.end() :] if then else ""
        content = self._prepare(after) if after else ""
        if not content:
            return None
        alone = self._fresh_for(normalize(after), content, field)
        if alone.action == "answer":
            found = alone.item
        else:
            found = next((code for code in alone.candidates[:MAX_CANDIDATES] if code in seen), None)
            found = found or likely_item(alone)
        return str(found) if found and found != current and found in self.position else None

    def _named_back(self, content: str, fresh: Decision, prev: Turn) -> str | None:
        """Of the items answered before the one at hand, the one a message going back (回到失业金…) names:
        the one its words cover most, alone and more than the item at hand, else the one it is decided for;
        None otherwise."""
        before = [code for code in self._seen(prev) if code != prev.item]
        if not before or prev.item not in self.position:
            return None
        covered = [self.scorer.coverage(content, self.position[code]) for code in before]
        best = max(covered)
        at_hand = self.scorer.coverage(content, self.position[str(prev.item)])
        if best > at_hand and covered.count(best) == 1:
            return before[covered.index(best)]
        tied = [code for code, cov in zip(before, covered, strict=True) if cov == best and best > at_hand]
        # 失业保险金 covers 就业失业登记's record as much as its own: the one whose own names hold it.
        named = by_words(content, [own_words(self.item(code)) for code in tied]) if len(tied) > 1 else None
        if named is not None:
            return tied[named]
        return str(fresh.item) if fresh.action == "answer" and fresh.item in before else None

    def _regular_of(self, compact: str, current: str, fresh: Decision, prev: Turn) -> str | None:
        """For 正式的 after an item for a temporary document (临时居民身份证申领): the item for the same
        document that is not temporary, of those answered or offered so far (latest first), else of those
        the message alone puts forward; None otherwise."""
        name = self.names[self.position[current]]
        if not REGULAR.search(compact) or TEMPORARY not in name:
            return None
        document = _ERRAND_WORDS.sub("", name)  # 居民身份证 of 临时居民身份证申领 (not 证申领)
        earlier = str((prev.extra or {}).get("earlier") or "")
        ranked = [code for code, _ in fresh.scores]
        for code in dict.fromkeys([earlier, *self._seen(prev), *prev.candidates, *ranked]):
            other = self.names[self.position[code]] if code in self.position else ""
            if code != current and other and TEMPORARY not in other:
                if same_document(document, _ERRAND_WORDS.sub("", other)):
                    return code
        return None

    def _temporary_of(self, compact: str, current: str) -> str | None:
        """For 临时的 (那临时的多少钱) after an item for a regular document (居民身份证补领): the one item
        for the same document that is temporary (临时居民身份证申领); None otherwise."""
        name = self.names[self.position[current]]
        if not _TEMPORARY_ONE.search(compact) or TEMPORARY in name:
            return None
        document = _ERRAND_WORDS.sub("", name)
        found = [
            code
            for code, other in zip(self.codes, self.names, strict=True)
            if TEMPORARY in other and same_document(document, _ERRAND_WORDS.sub("", other))
        ]
        return found[0] if len(found) == 1 else None

    def _refers_to_earlier(self, compact: str, earlier: str, current: str) -> bool:
        """Whether ``compact`` refers to a thing talked about (领证那个) in words of ``earlier``'s own words
        (names, aliases, situations) that ``current``'s lack."""
        options = [own_words(self.item(earlier)), own_words(self.item(current))]
        for found in REFERRED.findall(compact):
            if by_words(found, options) == 0:
                return True
            # 补的那个: one character of the earlier item's own words (补 of 补领) that the current one lacks.
            short = found.lstrip("那这").removesuffix("的")
            if 0 < len(short) <= 2 and by_hint(short, options) == 0:
                return True
        return False

    def other_errand(self, compact: str, current: str) -> str | None:
        """For 先说X那个 / 先问X的, the likeliest item for X alone other than ``current`` whose own words hold
        X; None when the message is no such choice or X names nothing else."""
        first = FIRST_OF_TWO.match(compact)
        if first is None:
            return None
        said = first.group(1)
        if said in base_name(self.names[self.position[current]]):
            return None  # 先办户口的 after 户口迁入: the item at hand is the one named
        alone = self._fresh_for(said, self._prepare(said), None)
        codes = [alone.item] if alone.action == "answer" else []
        codes += [code for code, _ in alone.scores]
        key = self._prepare(said).replace(" ", "")
        for code in dict.fromkeys(c for c in codes if c and c != current and c in self.position):
            words = own_words(self.item(code))
            if key and (said in words or key in self._prepare(words).replace(" ", "")):
                return code
        return None

    def _renamed(self, content: str, current: str, other: str) -> bool:
        """Whether ``content`` names ``other`` by a key word of its names that ``current``'s names and
        situations lack (公积金 after 养老保险; not 一年 of 多少钱一年, a count that names nothing, nor 证明
        of 要不要先去派出所开证明, a paper of any errand)."""
        words = followups.naming_words(self.scorer, content, current, other, self._prepare, keys_only=True)
        return any(word not in _ANY_PAPER for word in words)

    def _pays(self, code: str) -> bool:
        """Whether item ``code``'s record tells of money paid out to the citizen (发放, 到账)."""
        return code in self.position and bool(_PAYS.search(self.records.texts[self.position[code]]))

    def _told_by_record(self, content: str, current: str, other: str) -> bool:
        """Whether the record of ``current`` holds a key word of ``content``, and ``other``'s names none."""
        keys = self._key_words(content)
        record = self.records.texts[self.position[current]]
        name = self.scorer.name_text(self.position[other])
        return any(word in record for word in keys) and not any(word in name for word in keys)

    def _asked_of_record(self, compact: str, content: str, current: str) -> bool:
        """Whether ``compact`` is a short yes/no question whose key words all occur in ``current``'s
        record."""
        if len(compact) > SHORT_ASK or not _YES_NO_END.search(compact) or _APART.search(compact):
            return False
        keys = self._key_words(content)
        record = self.records.texts[self.position[current]]
        return bool(keys) and all(word in record for word in keys)

    def _kept_apart(self, content: str, current: str, other: str) -> bool:
        """Whether ``other``'s record holds a key word of ``content`` that ``current``'s lacks."""
        records = self.records.texts
        mine, theirs = records[self.position[current]], records[self.position[other]]
        return any(word in theirs and word not in mine for word in self._key_words(content))

    def _key_words(self, content: str) -> list[str]:
        """The key words of prepared ``content`` (担保 of 找人担保), by the scorer's weighting."""
        return [word for word, *_, key in self.scorer.weighted_words(content) if key]

    def _circumstance(self, normal: str, content: str, current: str, other: str) -> bool:
        """Whether every key word of ``content`` naming ``other`` (and not ``current``) is said as had or
        lacking, in a question (a field asked, 能上不 among them)."""
        if current not in self.position or other not in self.position or current == other:
            return False
        if not (ASKS.search(normal) or detect_field(normal)):
            return False
        keys = followups.naming_words(self.scorer, content, current, other, self._prepare, keys_only=True)
        return bool(keys) and all(_held_or_lacked(normal, word) for word in keys)

    def _case_of(self, normal: str, code: str) -> bool:
        """Whether ``normal`` tells one of ``code``'s situations, in its words or in the words a story's ties
        and circumstances are told in (两个人的 → 共有)."""
        item = self.item(code)
        if _OTHER_ASKED.search(normal):
            return False  # 他是一级残疾，除了低保还有别的补贴吗: another errand asked, whatever case is told
        told = f"{normal} {roles(normal)}"
        return bool(item.situations) and worded_situation(item, told, self._prepare) is not None

    def _hukou_told(self, normal: str, current: str, other: str) -> bool:
        """Whether ``normal`` tells where a hukou is or that it was moved (外地户口, 户口去年才迁过来的),
        asking no move, and ``other`` is a hukou item while ``current`` is not."""
        if current not in self.position or other not in self.position:
            return False
        compact = normal.replace(" ", "")
        if not HUKOU_TOLD.search(compact) or MOVE_ASKED.search(compact):
            return False
        return bool(_HUKOU_ITEM.search(self.item(other).name)) and not _HUKOU_ITEM.search(
            self.item(current).name
        )

    def _spread(self, word: str) -> int:
        """How many items' records hold ``word``."""
        return sum(word in text for text in self.records.texts)

    def _lost_material(self, content: str, current: str) -> bool:
        """Whether prepared ``content`` tells lost a paper that ``current`` asks for and whose note says what
        to do when it cannot be found."""
        return (
            current in self.position
            and unfound_material(self.item(current), content, self._prepare) is not None
        )

    def _a_case_told(self, normal: str, content: str, current: str, other: str) -> bool:
        """Whether ``normal`` tells who someone is (是低保户) by key words that name ``other`` and that all
        name one of ``current``'s own cases."""
        if not IDENTITY.search(normal):
            return False
        name = self.scorer.name_text(self.position[other])
        keys = [word for word in self._key_words(content) if word in name]
        cases = " ".join(self._prepare(s.name) for s in self.item(current).situations or ())
        # 特困人员 is the 特困 of 低保、特困等困难群体: the kind, without the word for a person.
        kinds = [kind for kind in (_PERSON.sub("", word) for word in keys) if kind]
        return bool(kinds) and all(kind in cases for kind in kinds)

    def leads_away(self, text: str, offered: Sequence[str], topic: str = "") -> bool:
        """Whether ``text`` points, surely and far ahead of the rest, at an item not among ``offered``, alone
        and with the topic of the question (想把养老保险转回来 under 城乡居民养老保险 / 灵活就业人员参保:
        养老保险关系转移; not 我的到期了要换新的 under 残疾证's items)."""
        normal = self._surface(text).normal
        content = self._prepare(text)
        fresh = self._fresh_for(normal, content, None)
        combined = self._with_topic(topic, normal, content, None) if topic else None
        if combined is not None and combined.scores and combined.scores[0][0] in offered:
            return False  # with the numbered question's own words (prepared), one of its options
        # Alone, or with the topic (卡丢了 under 社保's items: 社会保障卡挂失与补换): the first that is sure.
        decided, elsewhere = None, None
        for decision in (fresh, combined):
            if decision is None or not decision.scores or decision.scores[0][1] < AWAY_P:
                continue
            elsewhere = leading_option(decision) if decision.action == "clarify" else decision.item
            if elsewhere is not None:
                decided = decision
                break
        if decided is None or elsewhere is None or elsewhere in offered:
            return False
        # ... by words its names have and no option's names do (not 退休 of 公积金提取（离休、退休）).
        names = self.scorer.name_text(self.position[elsewhere])
        theirs = " ".join(self.scorer.name_text(self.position[c]) for c in offered if c in self.position)
        words = self.scorer.weighted_words(content)
        # With the topic any word of its names does (卡 of 社会保障卡, under 社保's items without a card).
        keys_only = decided is fresh
        return any((key or not keys_only) and word in names and word not in theirs for word, *_, key in words)

    def _material_names(self, current: str) -> str:
        """The names of ``current``'s materials (any situation's), as matched (canonical words)."""
        item = self.item(current)
        lists = [item.materials or [], *((s.materials or []) for s in item.situations or ())]
        return " ".join(self._prepare(m.name) for materials in lists for m in materials)

    def _a_material_of(self, content: str, current: str) -> bool:
        """Whether a key word of ``content`` names one of ``current``'s materials (any situation's)."""
        names = self._material_names(current)
        return any(key and word in names for word, *_, key in self.scorer.weighted_words(content))

    def _touches_material(self, content: str, current: str) -> bool:
        """Whether a key word of ``content`` shares a telling pair of characters with one of ``current``'s
        material names (不动产权证书 of 房产证 and 产权证明), not a pair every paper has (证书, 复印)."""
        names = self._material_names(current)
        for _word, grams, _weight, key in self.scorer.weighted_words(content):
            if key and any(g in names for g in grams if g not in _PAPER_PAIRS):
                return True
        return False

    def names_away(self, text: str, current: str, codes: Sequence[str]) -> bool:
        """Whether ``text`` names each of ``codes`` by a word its names have and ``current``'s names,
        situations and record lack (听说有个没人抚养的娃能领补贴 after 身份证: 补贴)."""
        if current not in self.position or not codes or any(c not in self.position for c in codes):
            return False
        return self._names_away(self._prepare(self._read(text)), current, codes)

    def _names_away(self, content: str, current: str, codes: Sequence[str]) -> bool:
        """Whether ``content`` names each of ``codes`` by a word of its names that ``current``'s names,
        situations and whole record lack (公积金 after 二手房过户; not 身份证 after 死亡人员户口注销, whose
        record tells what becomes of the card)."""
        record = self.records.texts[self.position[current]]
        for code in codes:
            naming = followups.naming_words(
                self.scorer, content, current, code, self._prepare, keys_only=True
            )
            if not naming or any(w in record for w in naming):
                return False
        return True

    def bare_family(self, text: str) -> tuple[str, ...]:
        """The items whose names all hold the one thing ``text`` names and nothing else (社保卡, 身份证怎么办:
        社会保障卡申领 and 社会保障卡挂失与补换), when two to five do; else empty. A bare name of several
        services asks which, however likely one of them is."""
        said = self.scorer.weighted_words(self._prepare(self._read(text)))
        # 社保卡的事: the matter of it names nothing besides.
        words = [w for w in said if w[0] not in _MATTER]
        if len(words) != 1 or not words[0][3]:
            return ()
        key = words[0][0]
        named = zip(self.codes, self._prepared_names, strict=True)
        family = tuple(code for code, name in named if key in name)
        return family if 2 <= len(family) <= MAX_CANDIDATES else ()

    def _uniquely_named(self, content: str, code: str, current: str) -> bool:
        """Whether prepared ``content`` says NAME_RUN characters or more of ``code``'s name in a row that no
        other item's name holds and the ``current`` item's name does not (护理补贴 of 困难残疾人生活补贴和
        重度残疾人护理补贴, after 残疾人证申领)."""
        compact = content.replace(" ", "")
        names = self._compact_names
        name, own = names[self.position[code]], names[self.position[current]]
        runs = {compact[i : i + NAME_RUN] for i in range(len(compact) - NAME_RUN + 1)}
        # In its name and no other: held by exactly one name.
        return any(run in name and run not in own and sum(run in n for n in names) == 1 for run in runs)

    def _parallel(self, compact: str, fresh: Decision, current: str) -> str | None:
        """The one option of ``fresh`` whose name holds the thing ``compact`` says "too" (驾驶证也快到期了;
        three characters or more, canonical) when the ``current`` item's name and cases do not; else None."""
        said = ALSO_SUBJECT.match(compact)
        # 我是四川户口也能在这换吗: who the citizen is, not a thing of another errand.
        if said is None or "是" in said.group(1):
            return None
        subject = self._prepare(said.group(1)).replace(" ", "")
        names = self._compact_names
        own = names[self.position[current]]
        # 二手房也可以吗 after 住房公积金提取: a case of the errand at hand (购买二手房).
        cases = self._prepare(" ".join(s.name for s in self.item(current).situations or ())).replace(" ", "")
        options = [c for c in fresh.candidates[:MAX_CANDIDATES] if c in self.position and c != current]
        # The longest run of its words an option's name holds (港澳通行证 of 我老婆的港澳通行证).
        for length in range(len(subject), 2, -1):
            for start in range(len(subject) - length + 1):
                thing = subject[start : start + length]
                named = [c for c in options if thing in names[self.position[c]]]
                if named:
                    return named[0] if len(named) == 1 and thing not in own and thing not in cases else None
        return None

    def _name_of(self, code: str | None) -> str:
        return self.names[self.position[code]] if code in self.position else ""

    @functools.cached_property
    def _compact_names(self) -> tuple[str, ...]:
        """``_prepared_names`` without spaces, in ``position`` order."""
        return tuple(name.replace(" ", "") for name in self._prepared_names)

    @functools.cached_property
    def _prepared_names(self) -> tuple[str, ...]:
        """Each item's name as matched (canonical words), in ``codes`` order; prepared once, on first use."""
        return tuple(self._prepare(self.names[self.position[code]]) for code in self.codes)

    def first_answer(self, decision: Decision, text: str, *, apart: bool = True) -> str | None:
        """The item a conversation answers at once instead of asking ``decision``'s numbered question about
        ``text`` (see :func:`settled.answer_first`), or None. The message's prepared words count too (补办 →
        补领): names are written in the catalogue's terms."""
        names = {c: self.names[self.position[c]] for c, _ in decision.scores if c in self.position}
        described = {c: own_words(self.item(c)) for c in names}
        # What it says it has already (结婚证也有) names no option, in its canonical words either.
        normal = normalize(self._read(text))
        had_not = without_had(normal)
        story = len(normal.replace(" ", "")) > SHORT_ASK
        found = answer_first(
            decision, f"{text} {self._prepare(had_not)}", names, described, apart=apart, story=story
        )
        if found is None and apart and decision.action == "clarify":
            found = self._by_old_age(decision, text)
        if found is None and apart and decision.action == "clarify":
            found = self._by_sum(decision, normal)
        return found

    def _by_sum(self, decision: Decision, normal: str) -> str | None:
        """The one option of ``decision`` whose record states a sum of money the normalised message tells
        (生娃国家一年给三千六 → 育儿补贴, whose record says 每孩每年3600元, not 生育津贴), else None."""
        sums = sums_told(normal.replace(" ", ""))
        if not sums:
            return None
        # Its own record, not its FAQ, which may name another item's sum to tell the two apart.
        records = {
            code: record_text(self.item(code), faq=False)
            for code in decision.candidates
            if code in self.position
        }
        holding = [
            code for code, record in records.items() if any(holds_sum(record, value) for value in sums)
        ]
        return holding[0] if len(holding) == 1 else None

    def _by_old_age(self, decision: Decision, text: str) -> str | None:
        """``decision``'s first option when an old age the message tells falls in its bounds most narrowly of
        all options (我今年满六十了…去哪里领钱: 年满60周岁 of 养老待遇, not 缴费; 我妈九十二了: 80周岁以上
        before 60岁), else None."""
        age = told_age(text)
        if age is None or age < OLD_AGE:
            return None
        fits: dict[str, int] = {}
        for code, p in decision.scores:
            if p < NEIGHBOUR_P or code not in self.position:
                continue
            bounds = [b for b in self._old_ages[self.position[code]] if b <= age]
            if bounds:
                fits[code] = max(bounds)
        if not fits:
            return None
        narrowest = max(fits.values())
        winners = [code for code, bound in fits.items() if bound == narrowest]
        # The age confirms the ranker's lead; it does not overrule what else the story tells (我爸65了，以前
        # 当过兵…优待证: 退役军人 first, 老年人 second, a question to ask).
        first = decision.candidates[0] if decision.candidates else None
        return winners[0] if len(winners) == 1 and winners[0] == first else None

    @staticmethod
    def _strong(decision: Decision, prev: Turn) -> bool:
        # A clarification settled by what the message says (its name, a situation) of the item already under
        # discussion says nothing new: the follow-up rules judge the message (护照办好了，美国签证你们这能办吗
        # after 护照补发).
        settled = decision.reason in ("named", "told") and decision.item == prev.item
        return decision.action == "answer" and not settled

    def decide(self, text: str, previous: Turn | None = None) -> Decision:
        """What to do with one citizen message, given the previous turn of the conversation."""
        decision = self._decide(text, previous)
        moved = self._replaced(decision, text, previous)
        if moved is not None:
            decision = moved
        if (
            decision.action == "answer"
            and decision.field is None
            and previous is not None
            and previous.field
            and BARE_ASK.match(re.sub(r"\s", "", to_halfwidth(self._read(text))))
        ):
            # 港澳通行证呢 after 办护照多少钱: a bare "and X?" asks what was asked before, about X.
            return dataclasses.replace(decision, field=previous.field)
        return decision

    def _replaced(self, decision: Decision, text: str, previous: Turn | None) -> Decision | None:
        """A follow-up about a document item that tells the document lost (不对，我是证丢了要补 after
        残疾人证申领; 社保卡呢 after a theft story) moves to the item that replaces it."""
        if decision.action != "answer" or decision.item not in self.position or previous is None:
            return None
        read = self._read(text)
        told = tells_loss(self._prepare(read))
        if not told and BARE_ASK.match(re.sub(r"\s", "", to_halfwidth(read))) and previous.extra:
            told = tells_loss(str(previous.extra.get("topic", "")))  # the story before: 钱包被偷了…
        if not told:
            return None
        other = replacement(str(decision.item), self.items)
        return dataclasses.replace(decision, item=other, reason="told") if other is not None else None

    def _decide(self, text: str, previous: Turn | None = None) -> Decision:
        prev = previous or Turn()
        text = self._read(text)
        compact = re.sub(r"\s", "", to_halfwidth(text))  # what the citizen typed, for the patterns of turns
        corrected = CORRECTION.match(compact) if previous else None
        if corrected is not None and corrected.end() < len(compact):
            # 不是身份证，我是说刚生下来的娃要上户口: what it meant, read afresh; an item it names surely is
            # the answer, whatever was under discussion.
            meant = self._decide(compact[corrected.end() :], None)
            if meant.action == "answer" and meant.item != prev.item:
                return meant
            far = likely_item(meant) if meant.action == "clarify" else None
            if far is not None and far != prev.item:
                return meant  # far ahead of the rest: the engine answers it, the others named
        purpose = PURPOSE.search(compact)
        if purpose is not None and purpose.start() >= 4:
            # 另外想开个无房证明，小朋友积分入学用: the errand before the purpose decides, when it does alone.
            errand = self._decide(compact[: purpose.start()], previous)
            if errand.action == "answer" or likely_item(errand) is not None:
                return errand
        called_off = CALLED_OFF.search(compact) if prev.item in self.position else None
        if called_off is not None and called_off.group(1) in self.names[self.position[str(prev.item)]]:
            # 先不注销了，改个地址 after 公司注销登记: what comes instead, read afresh.
            rest = compact[called_off.end() :]
            meant = self._decide(rest, None)
            # The topic without what was called off: 公司 of it still holds (公司变更登记, not 个体工商户…).
            topic = str(prev.extra.get("topic", "")).replace(called_off.group(1), " ") if prev.extra else ""
            if meant.action == "clarify" and topic.strip():
                combined = self._with_topic(topic, self._surface(rest).normal, self._prepare(rest), None)
                lead = combined.item if combined.action == "answer" else leading_option(combined)
                if lead in meant.candidates:
                    meant = Decision(
                        "answer", item=lead, field=meant.field, score=combined.score, scores=combined.scores
                    )
            if meant.action in ("answer", "clarify") and prev.item not in (meant.item, *meant.candidates):
                return meant
        surface: Surface = self._surface(text)
        if not surface.normal:
            return Decision("handoff", reason="empty")
        if OPINION.search(compact):
            # 县城哪家影楼拍结婚照好看 after 结婚登记: an opinion on businesses, not the errand's photo.
            return Decision("handoff", reason="out_of_scope")
        field = surface.field
        # 这个在哪投诉 after 拖欠工资投诉: a field of the errand at hand, itself a complaint.
        complaint_errand = (
            bool(field)
            and prev.item in self.position
            and COMPLAINT_ITEM.search(self._name_of(prev.item)) is not None
        )
        if surface.complaint and not complaint_errand:
            lodged = self.complaint_lodged(text)
            if lodged is not None:
                # 包工头跑了 工钱拿不到 能在老家投诉吗: a complaint the hall takes in as an errand of its own.
                return Decision("answer", item=lodged, field=field, score=1.0, reason="named")
            return Decision("handoff", field=field, reason="complaint")
        if surface.human:
            return Decision("handoff", field=field, reason="human")
        number = surface.pick
        if number is not None and prev.candidates:
            if 1 <= number <= len(prev.candidates):
                code = prev.candidates[number - 1]
                return Decision("answer", item=code, field=field or prev.field, score=1.0, reason="picked")
            return Decision("clarify", candidates=prev.candidates, field=prev.field, reason="ambiguous")
        offered = [c for c in prev.candidates if c in self.position] if not prev.item else []
        offered_names = [self.names[self.position[c]] for c in offered]
        topic = str(prev.extra.get("topic", "")) if prev.extra else ""
        index = by_words(text, offered_names) if offered else None
        if index is None and offered:
            # Or by their aliases (营业执照 of 个体工商户设立登记's 办营业执照), each option by its own.
            index = by_words(text, [own_words(self.item(code)) for code in offered])
        if index is None and offered and never_had(text):
            # 还从来没办过 under 首次申领 / 换领 / 补领: the one option for a first document.
            index = first_time(text, offered_names)
        if index is not None and (
            self.turns_away(text, offered)
            or self.leads_away(text, offered, topic)
            or self.names_unoffered(text, offered)
        ):
            index = None  # 那公积金退休了能全部取出来吗 under a list of pension items: another item named
        if index is not None:
            # "租赁的" after 公积金提取's numbered question: the words that set one option apart.
            return Decision(
                "answer", item=offered[index], field=field or prev.field, score=1.0, reason="picked"
            )
        content = self._prepare(text)
        # 现在去来得及吗 要带啥: what to bring and when, the whole answer (no field), naming no item either.
        whole = field or ("materials" if asks_materials(surface.normal) else None)
        if whole is not None and (only_field_words(content) or names_nothing(content, whole)):
            # 几天, 多钱, 在手机上可以办不: a field asked and nothing else, whatever some record says.
            content = ""
        if not content:
            if prev.item:
                # 那要啥手续 after its conditions were asked: the whole errand now, not that field again.
                kept = None if HOW_TO.search(surface.normal.replace(" ", "")) else prev.field
                return Decision("answer", item=prev.item, field=field or kept, score=1.0, reason="follow_up")
            if prev.candidates:
                return self._pending(prev, field)
            return Decision("handoff", field=field, reason="empty")
        ranked: Sequence[Ranked] = self._rank(content)
        best_cov = ranked[0].cov if ranked else 0.0
        fresh: Decision = self._fresh_for(surface.normal, content, field)
        handover = self._handover_item() if HANDED_OVER.search(compact) else None
        if (
            handover is not None
            and fresh.item != handover
            and (
                fresh.action != "answer"
                and bool(_LICENCE_WORDS.search(compact))
                or handover in (*fresh.candidates, *(code for code, _ in fresh.scores[:MAX_CANDIDATES]))
            )
        ):
            # 想把店交给我儿子干，是不是得先把执照注销了再重新办: a change of who runs it (变更经营者), not a
            # closing and a new licence, whatever the message's own words name.
            return Decision(
                "answer", item=handover, field=field, score=fresh.score, reason="told", scores=fresh.scores
            )
        if fresh.action == "clarify" and not (prev.item or prev.candidates):
            wanted = self._wanted_errand(surface.normal, field, fresh) or self._asking_alone(
                surface.normal, field, fresh
            )
            if wanted is not None:
                return wanted
        if fresh.action == "handoff" and fresh.scores and not (prev.item or prev.candidates):
            # 今天礼拜六出入境那边有开吗，想办护照: the other clause's words (a desk "over there") leave the
            # whole unsure, but the clause saying what is wanted done alone answers the item it leads with.
            lead_only = dataclasses.replace(fresh, candidates=(fresh.scores[0][0],))
            wanted = self._wanted_alone(surface.normal, field, lead_only)
            if wanted is not None:
                return wanted
        if fresh.action == "clarify" and not prev.candidates and never_had(text):
            # 我孙子满16了，还没办过身份证 between 首次申领 and 临时居民身份证申领: never had one, the one
            # first-time item of the document leading.
            offered_now = [code for code in fresh.candidates[:MAX_CANDIDATES] if code in self.position]
            first_index = first_time(text, [self._name_of(code) for code in offered_now])
            document = (
                _ERRAND_WORDS.sub("", self._name_of(offered_now[first_index]))
                if first_index is not None
                else ""
            )
            said = f"{surface.normal}|{content}".replace(" ", "")
            if not any(said[i : i + 2] in document for i in range(len(said) - 1)):
                first_index = None  # 头一回办护照 beside 身份证首次申领: its document is not the one named
            elif not all(
                TEMPORARY in self._name_of(c) for i, c in enumerate(offered_now) if i != first_index
            ):
                # Only beside a temporary document's errand, which is had while the first is made: any other
                # errand offered (a renewal, another kind) is still the citizen's to tell.
                first_index = None
            if first_index is not None:
                return Decision(
                    "answer",
                    item=offered_now[first_index],
                    field=field,
                    score=fresh.score,
                    scores=fresh.scores,
                )
        if (
            fresh.action == "clarify"
            and prev.item
            and not prev.candidates
            and prev.item not in fresh.candidates
        ):
            # 家里钱都给他看病花光了，我想申请低保 after 门诊慢特病: the clause saying what is wanted done
            # decides between the items the message leads to, away from the one at hand.
            wanted = self._wanted_alone(surface.normal, field, fresh)
            if wanted is not None:
                return wanted
        held = {code for code in (prev.item, *prev.candidates) if code}
        if (
            NEW_ERRAND.match(compact)
            and fresh.action in ("answer", "clarify")
            and held
            and not held & {fresh.item, *fresh.candidates}
        ):
            # 还有个事，俺娘…住院…还能报不 after 继承登记: another errand, whatever the item at hand tells.
            return fresh
        if prev.item in self.position and fresh.action != "answer" and _NEW_ONE.search(compact):
            # 下礼拜要坐高铁去省城看病 新证来得及不 after 身份证补领: the new card is the errand at hand's,
            # whatever the trip's words name.
            return self._kept(str(prev.item), field, fresh)
        earlier = str((prev.extra or {}).get("earlier") or "")
        if not prev.item and BACK_TO.match(compact):
            back = self._seen_named(content, fresh, prev)
            if back is not None:
                # 刚才那个过户要几天 under a numbered question about other items: the item answered before.
                return Decision("answer", item=back, field=field, score=1.0, reason="follow_up")
        named_back = self._named_back(content, fresh, prev) if prev.item and BACK_TO.match(compact) else None
        if named_back is not None:
            # 回到失业金，手机上能申请不 after three other errands: the one answered before that its words
            # name, however far back.
            return Decision("answer", item=named_back, field=field, score=1.0, reason="follow_up")
        next_errand = self.then_next(compact, str(prev.item), field, self._seen(prev)) if prev.item else None
        if next_errand is not None:
            # 那等出生证改好了再去上户口，上户口收钱不 after 出生医学证明换发: the errand after the one at
            # hand is asked about.
            return Decision("answer", item=next_errand, field=field, score=1.0, reason="named")
        applied = [
            code
            for code in dict.fromkeys([fresh.item, *fresh.candidates[:2]])
            if code
            and code != prev.item
            and code in self.position
            and self._applies_for(surface.normal, code)
        ]
        # Not 要先办营业执照不 after 食品生产许可: whether to get it first asks of the errand at hand.
        if prev.item in self.position and len(applied) == 1 and not _FIRST_STEP.search(compact):
            # 能申请公租房不 after 公积金提取（租赁住房）, whose case 租住公共租赁住房 names it too:
            # applying for the item named is asked.
            return Decision("answer", item=applied[0], field=field, score=fresh.score, reason="named")
        if (
            earlier in self.position
            and prev.item
            and BACK_TO.match(compact)
            and not (
                fresh.action == "answer"
                and fresh.item not in (earlier, prev.item)
                # 那刚才那个社保卡 names the earlier 社会保障卡挂失与补换 by its document, whatever the
                # document's bare name alone would answer (社会保障卡申领).
                and not same_document(self.names[self.position[earlier]], self._name_of(fresh.item))
            )
        ):
            # 回到我爸那个，要多久到账 / 刚才那个，… : back to the item talked about before this one.
            return Decision("answer", item=earlier, field=field, score=1.0, reason="follow_up")
        if (
            earlier in self.position
            and prev.item in self.position
            and earlier != prev.item
            and self._refers_to_earlier(compact, earlier, str(prev.item))
            and not (fresh.action == "answer" and fresh.item not in (earlier, prev.item))
        ):
            # 再问下领证那个，周六能办吗 after 结婚登记 then 户口迁入: the one its words name, of the two.
            return Decision("answer", item=earlier, field=field, score=1.0, reason="follow_up")
        at_hand = str(prev.item) if prev.item in self.position else None
        regular = self._regular_of(compact, at_hand, fresh, prev) if at_hand else None
        if regular is not None:
            # 那补正式的呢，多少钱 after 临时居民身份证申领: the regular document's errand, talked of before.
            return Decision("answer", item=regular, field=field, score=1.0, reason="follow_up")
        temporary = self._temporary_of(compact, at_hand) if at_hand else None
        if temporary is not None:
            # 那临时的多少钱 after 居民身份证补领: the temporary document's errand.
            return Decision("answer", item=temporary, field=field, score=1.0, reason="follow_up")
        other = self.other_errand(compact, at_hand) if at_hand else None
        if other is not None:
            # 先说退休那个 after 住房公积金提取（离休、退休）, the story having asked of 退休手续 too: the
            # other errand its words name, not the item at hand (whose name holds 退休 as well).
            return Decision("answer", item=other, field=field, score=1.0, reason="named")
        if (
            fresh.action == "answer"
            and fresh.reason == "confident"
            and fresh.item != prev.item
            and fresh.item == (prev.extra or {}).get("earlier")
        ):
            # 那离婚还要带什么 after 离婚登记 then 补领婚姻登记证（…离婚证）: back to the item discussed
            # before, named surely, though the current one's name holds the word too.
            return fresh
        if (
            fresh.action == "answer"
            and fresh.item in self.position
            and prev.item in self.position
            and fresh.item != prev.item
            and field is not None
            and self.scorer.coverage(content, self.position[prev.item])
            >= self.scorer.coverage(content, self.position[fresh.item]) - FOLLOW_UP_SLACK
            and not followups.renamed(self.scorer, content, prev.item, fresh.item, self._prepare)
        ):
            # A field question that the previous item explains about as well as the new one stays on topic.
            return self._kept(str(prev.item), field, fresh)
        if (
            fresh.action == "clarify"
            and field == "location"
            and prev.item in self.position
            and prev.item not in fresh.candidates
            and not offered
            and self._place_holds(str(prev.item), content.split())
        ):
            # 在市场哪个门 after 农残快速检测 (done at the wholesale market): a field asked of a place the
            # record of the item at hand names, the message alone sure of nothing else.
            return self._kept(str(prev.item), field, fresh)
        # 想把养老保险转回来 under a list of pension items without 转移: the message leads elsewhere.
        elsewhere_named = fresh.action == "answer" and fresh.item not in offered
        away = (
            bool(offered)
            and not elsewhere_named
            and (self.leads_away(text, offered, topic) or self.names_unoffered(text, offered))
        )
        if away and topic and fresh.action != "answer":
            combined = self._with_topic(topic, surface.normal, content, field)
            if combined.action == "answer" and combined.item not in offered:
                # 卡丢了 买菜的时候钱包被偷了 under 社保's items (none of them a card): with the topic,
                # 社会保障卡挂失与补换, surely.
                return combined
        if offered and topic and not elsewhere_named and fresh.action != "answer" and told_age(text):
            combined = self._with_topic(topic, surface.normal, content, field)
            aged = self._by_old_age(combined, text) if combined.action == "clarify" else None
            if aged is not None and aged not in offered:
                # 给我爷爷问的 他八十二了 under 残疾人补贴 / 育儿补贴 (asked of 补贴): an old age none of
                # them is for, and the item for that age the question's words lead to (高龄津贴).
                return Decision(
                    "answer",
                    item=aged,
                    field=field or prev.field,
                    score=combined.score,
                    reason="told",
                    scores=combined.scores,
                )
        if offered and not elsewhere_named and not away:
            # Not by the words of the field asked (手 of 在手机上能办不 is no 手 of 手工报销).
            told = strip_field_words(surface.normal) if field is not None else text
            # 要带哪样证明: papers asked for in general, nothing of any option (not even in meaning).
            if field is not None and not PAPERS.sub(" ", told).strip():
                return self._pending(prev, field)  # which of them still decides what to bring
            # 我爸去年过世了，老房子要转到我们名下: the ties and events the story tells, in the words
            # names use (继承 of 继承、赠与不动产转移登记).
            hinted = by_hint(
                f"{told} {roles(told)}", offered_names, self._offered_scores(surface.normal, offered)
            )
            if hinted is not None:
                return Decision(
                    "answer", item=offered[hinted], field=field or prev.field, score=1.0, reason="picked"
                )
        likely = prev.extra.get("likely")
        if (
            likely in offered
            and not self._strong(fresh, prev)
            and self.grounded(surface.normal, content, str(likely))
        ):
            # 万一找回来了旧的还能用不, the numbered question left unanswered: its only credible option's
            # record tells what is asked.
            return Decision("answer", item=str(likely), field=field, score=fresh.score, reason="likely")
        if (
            prev.item in self.position
            and fresh.item != prev.item
            and by_done(text, [s.name for s in self.item(str(prev.item)).situations or ()]) is not None
        ):
            # 租房合同没去备案过那也能取吗 after 住房公积金提取（租赁住房）: whether something was done tells
            # one of the item's own cases (未办理租赁备案), though 备案 alone names 房屋租赁登记备案.
            scores = fresh.scores
            return Decision(
                "answer", item=prev.item, field=field, score=fresh.score, reason="follow_up", scores=scores
            )
        if (
            fresh.action == "answer"
            and fresh.item in self.position
            and prev.item in self.position
            and fresh.item != prev.item
            and fresh.reason == "confident"
            and self._renamed(content, prev.item, str(fresh.item))
            and not self._circumstance(surface.normal, content, str(prev.item), str(fresh.item))
            # 他身份证找不着了咋办 after 死亡人员户口注销: a material of the item at hand lost, which its
            # record says what to do about, not the card's replacement.
            and not self._lost_material(content, str(prev.item))
        ):
            # 先办执照，个体户 after 食品经营许可: the message alone names another item, surely; no neighbour
            # of the topic is guessed from its words.
            return fresh
        if (
            field == "materials"
            and prev.item in self.position
            and _BRING_ASK.search(surface.normal)
            and not tells_loss(content)
            and self._a_material_of(content, str(prev.item))
        ):
            # 还要带户口本吗 after 居民身份证首次申领: whether to bring one of its materials, not 户口簿补领.
            return Decision("answer", item=prev.item, field=field, score=fresh.score, reason="follow_up")
        if prev.item in self.position and topic and AFTER_DONE.search(compact):
            # 证办下来以后补贴咋申请 after 残疾人证申领: the errand done, the one after it asked
            # (残疾人两项补贴), named by a word the item at hand lacks.
            after = self._neighbour_with_topic(topic, surface.normal, content, str(prev.item))
            if after is not None and not self._sure_elsewhere(fresh, after):
                return Decision("answer", item=after, field=field, score=fresh.score, reason="follow_up")
        top = fresh.item or (fresh.candidates[0] if fresh.candidates else None)
        if prev.item in self.position and top and self._hukou_told(surface.normal, str(prev.item), str(top)):
            # 她户口去年才从外省迁过来的, 我户口在外省 能在这补吗 after an errand that moves no hukou:
            # where the hukou is told of that errand, not a move asked for.
            return Decision("answer", item=prev.item, field=field, score=fresh.score, reason="follow_up")
        if (
            prev.item in self.position
            and topic
            # Cheap first: only a word the item lacks can name a neighbour (then the topic is matched too).
            and followups.new_words(self.scorer, content, prev.item, self._prepare)
        ):
            with_topic = self._with_topic(topic, surface.normal, content, field)
            codes = [code for code, _ in with_topic.scores[:SIBLINGS]]
            sibling = followups.sibling_named(
                self.scorer,
                content,
                prev.item,
                codes,
                told=self._prepare,
                meaning=self.semantic_scores(surface.normal),
            )
            if (
                sibling is not None
                and not self._sure_elsewhere(fresh, sibling)
                # 家里户口薄前阵子弄丢了 after 身份证首次申领: the message alone tells another document lost,
                # and the item replacing it; 丢 names no neighbour of the item at hand.
                and not (fresh.action == "answer" and fresh.reason == "told" and fresh.item != sibling)
                # 领这个钱要交税吗 after 育儿补贴申领: this one, not a neighbour; nor 要找人担保吗, which the
                # item's own record answers (不需要担保).
                and not THIS_ONE.match(compact)
                and not self._asked_of_record(compact, content, str(prev.item))
                # 孩子户口也能一起迁过来吗 after 户口迁入: 迁 is the current item's operation, which 出生登记
                # (its 户口 a word the current item's names lack) does not do.
                and not self._current_operation(content, str(prev.item), sibling, leading=True)
                # 房子是我和我老婆两个人的 after 不动产权证书补证: a case of the item at hand (房屋为共有),
                # none of the neighbour's.
                and not (
                    self._case_of(surface.normal, str(prev.item))
                    and not self._case_of(surface.normal, sibling)
                )
            ):
                # 那丢了呢 after 驾驶证期满换证: a word the item lacks names a neighbour of the topic.
                return Decision(
                    "answer",
                    item=sibling,
                    # A bare 那丢了呢 asks what was asked before; a question of its own asks its own.
                    field=field or (prev.field if len(content.replace(" ", "")) <= BARE else None),
                    score=with_topic.score,
                    reason="follow_up",
                    scores=with_topic.scores,
                )
        if (
            prev.item in self.position
            and fresh.action == "answer"
            and fresh.item != prev.item
            and not any(key for *_, key in self.scorer.weighted_words(content))
        ):
            # Nothing in the message names any item (要他本人去吗): it is about the item under discussion,
            # however well some other item's FAQ happens to fit it alone.
            return Decision(
                "answer", item=prev.item, field=field or prev.field, score=fresh.score, reason="follow_up"
            )
        if (
            fresh.action == "answer"
            and prev.item in self.position
            and fresh.item in self.position
            and fresh.item != prev.item
            and (
                # 我是外省户口，能在这边换吗 after 居民身份证换领: the verb is the current item's operation
                # (换 of 换领), which the other item (结婚登记, whose FAQ asks of 外省户口) does not do.
                self._current_operation(content, str(prev.item), str(fresh.item))
                # 照片要自己带吗 after 老年人优待证: a detail asked, in no word of the other item's names (its
                # FAQ fits the words alone), and the current item's record tells of it.
                or (field is not None and self._told_by_record(content, str(prev.item), str(fresh.item)))
                # 我们家是低保户 工本费能免不 after 居民身份证首次申领: who the family is, by the words that
                # name 低保 and one of the current item's own cases (城乡低保对象等申请免收工本费).
                or self._a_case_told(surface.normal, content, str(prev.item), str(fresh.item))
                # 我们还没领结婚证 能上不 after 出生登记: the document of the other item, told lacking (or
                # had): a circumstance of the errand at hand.
                or self._circumstance(surface.normal, content, str(prev.item), str(fresh.item))
                # 他身份证翻遍了也没找着 after 死亡人员户口注销: one of its materials lost, which its record
                # says what to do about (死者居民身份证：无法找到的须书面说明).
                or self._lost_material(content, str(prev.item))
                # 要找人担保吗 after 生源地信用助学贷款: a short yes/no question whose every key word the
                # current item's record holds (不需要担保), though another item's name has one (创业担保贷款).
                or self._asked_of_record(compact, content, str(prev.item))
            )
        ):
            return Decision(
                "answer", item=prev.item, field=field or prev.field, score=fresh.score, reason="follow_up"
            )
        if (
            fresh.action == "clarify"
            and prev.item in self.position
            and fresh.candidates
            and prev.item not in fresh.candidates
            and all(self._current_operation(content, str(prev.item), code) for code in fresh.candidates)
        ):
            # 我户口不在这里的也能补？ after 居民身份证补领: 补 is the current item's operation, which none of
            # the items its other words fit (户口迁入, 出生登记…) does; a case of the item at hand.
            return Decision(
                "answer", item=prev.item, field=field or prev.field, score=fresh.score, reason="follow_up"
            )
        if (
            fresh.action == "clarify"
            and prev.item in self.position
            and (
                THIS_ONE.match(compact)
                or (
                    WHAT_IF.match(compact)
                    and (
                        prev.item in fresh.candidates
                        or not self._names_away(content, str(prev.item), fresh.candidates[:2])
                    )
                    # 那专用发票呢 after 代开普通发票: its first option, named apart, is the one asked.
                    and not (
                        fresh.candidates[:1] not in ((), (prev.item,))
                        and self._renamed(content, str(prev.item), fresh.candidates[0])
                    )
                )
            )
        ):
            # 要是没备案直接去了呢 after 异地就医备案: the errand at hand in another case; the items its words
            # happen to fit (房屋租赁登记备案) are not named away from it. 领这个钱要交税吗 after
            # 育儿补贴申领: this one, the item at hand.
            return Decision(
                "answer", item=prev.item, field=field or prev.field, score=fresh.score, reason="follow_up"
            )
        bare_reply = len(compact) <= CASE_REPLY and prev.item in self.position
        cases = [s.name for s in self.item(str(prev.item)).situations or ()] if bare_reply else []
        if (
            cases
            and fresh.item != prev.item
            and by_words(text, cases, topic=self._name_of(prev.item)) is not None
        ):
            # 二手的 after 住房公积金提取（购买自住住房）: a few words naming one of the item's own cases
            # (购买二手房), however surely they alone would name another item (存量房转移登记).
            return Decision(
                "answer", item=prev.item, field=field or prev.field, score=fresh.score, reason="follow_up"
            )
        parallel = (
            self._parallel(compact, fresh, str(prev.item))
            if fresh.action == "clarify" and prev.item in self.position
            else None
        )
        if parallel is not None:
            # 驾驶证也快到期了 这个怎么换 after 从业资格证换发: the thing said "too" is another errand's,
            # named by one option alone (机动车驾驶证期满换证, not 身份证换领 whose operation the words fit).
            return Decision(
                "answer", item=parallel, field=field, score=fresh.score, reason="named", scores=fresh.scores
            )
        if (
            fresh.action == "answer"
            and fresh.item != prev.item
            and prev.item in self.position
            and _TOLD_DONE.search(compact)
            and not asks(surface.normal)
            and self.records.grounded(content, self.position[str(prev.item)])
        ):
            # 她户口是去年才从外省迁过来的 after 高龄津贴申领: something done before, told and not asked, is
            # the errand at hand's case (户籍刚迁入), not the errand it once was (户口迁入).
            return Decision(
                "answer", item=prev.item, field=field or prev.field, score=fresh.score, reason="follow_up"
            )
        if (
            fresh.action == "clarify"
            and prev.item in fresh.candidates
            and not asks(surface.normal)
            and not WHAT_IF.match(compact)  # 那专用发票呢: a question of another kind, however it ends
            and self.records.grounded(content, self.position[str(prev.item)])
            # Not one naming another of them (听说还有护理补贴 after 残疾人证: 护理补贴 is that one's name).
            and not any(
                self._uniquely_named(content, code, str(prev.item))
                for code in fresh.candidates
                if code != prev.item and code in self.position
            )
        ):
            # 厂里说减员都给报上去了 after 失业保险金申领: told, not asked, of something the record at hand
            # tells and few others do (停保减员), the item at hand among those it might be about: this one,
            # and what its record says of it (no field asked before carried over to a statement).
            return Decision("answer", item=prev.item, field=field, score=fresh.score, reason="follow_up")
        if self._strong(fresh, prev) or not (prev.item or prev.candidates):
            return fresh
        # Only a very likely new item leaves the one under discussion (not one merely named apart:
        # 我们才结婚半年，能迁吗 after 户口迁入 投靠配偶 is still about the move).
        first = self.first_answer(fresh, text, apart=False)
        # 还没领结婚证 能上吗 after 出生登记: the other item's document told lacking, the errand at hand asked
        # (not 还冇办残疾证，那要先去办那个证吧, which means to get it first).
        circumstance = not _GET_FIRST.search(compact) and self._circumstance(
            surface.normal, content, str(prev.item), str(first or leading_option(fresh) or "")
        )
        if (
            first is not None
            and prev.item in self.position
            and first != prev.item
            and self._renamed(content, prev.item, first)
            and not circumstance
        ):
            # 驾驶证今年也到期了，能一起换了不 after 从业资格证换发: another item, very likely and named by a
            # word the current one lacks; a new question (the conversation answers it at once).
            return fresh
        lead = leading_option(fresh)
        if lead is None and fresh.reason == "low_confidence" and fresh.scores:
            # 我老婆的港澳通行证也过期了能一起办吗 after 护照: the message as a whole unusual to the ranker,
            # its first item still far ahead of the rest; named apart, it is the item asked.
            lead = far_ahead(fresh.scores)
        if (
            lead is not None
            and prev.item in self.position
            and lead != prev.item
            and (fresh.scores[0][1] >= AWAY_P or self._uniquely_named(content, lead, prev.item))
            and self._renamed(content, prev.item, lead)
            # 那婚姻登记呢，… turns to a topic; which of its items is the question's to ask.
            and not TURN_TO.match(compact)
            and not circumstance
            # 她本人不去 我拿她身份证去能办不 after 老年人优待证: who goes, and the card taken along, asked of
            # the errand at hand; the card names no errand of its own here.
            and not (fresh.action != "answer" and PROXY_ASK.search(surface.normal))
        ):
            # 他还冇办残疾证，那要先去办那个证吧 after 残疾人两项补贴: another item named by a word the
            # current one lacks, far ahead of the rest: that item (its runner-up no real rival).
            return Decision(
                "answer", item=lead, field=field, score=fresh.score, reason="named", scores=fresh.scores
            )
        if first is not None and first != prev.item and first == prev.extra.get("earlier"):
            # 娃是9月2号生的，今年能报不 after 入学报名 then 租房备案: back to the item talked about before.
            return fresh
        coming = BACK_ASK.search(surface.normal)
        if (
            coming is not None
            and fresh.action == "clarify"
            and prev.item in self.position
            and fresh.candidates
            and prev.item not in fresh.candidates
            and not self._names_away(
                self._prepare(f"{surface.normal[: coming.start()]} {surface.normal[coming.end() :]}"),
                prev.item,
                fresh.candidates[:2],
            )
        ):
            # 人在东莞 要回来吗 after 驾驶证期满换证: whether one must come back for the errand at hand; the
            # words of the ask itself (回来) name no other errand (养老保险转回来, 返乡落户).
            return Decision(
                "answer", item=prev.item, field=field or prev.field, score=fresh.score, reason="follow_up"
            )
        if (
            fresh.action == "clarify"
            and prev.item in self.position
            and fresh.candidates
            and prev.item not in fresh.candidates
            and self._names_away(content, prev.item, fresh.candidates[:2])
        ):
            # 我的公积金能取出来不 after 二手房过户: the items it may mean are all named by a word the current
            # item lacks (公积金); which of them is a new numbered question.
            return fresh
        if (
            fresh.action == "clarify"
            and prev.item in self.position
            and prev.item not in fresh.candidates
            and (PROXY_ASK.search(surface.normal) or PRESENCE_ASK.search(surface.normal))
        ):
            # 户主是俺爹…俺自己去中不 after 户口簿补领: who may go, asked of the item at hand; the items the
            # story's words happen to fit are not named away from it.
            return Decision(
                "answer", item=prev.item, field=field or prev.field, score=fresh.score, reason="follow_up"
            )
        if (
            fresh.action != "handoff"
            # 那婚姻登记呢，… says outright that it turns to something else.
            and (best_cov >= SWITCH_COVERAGE or TURN_TO.match(compact))
            and followups.names_other_topic(self.scorer, content, prev, TOPIC_SWITCH)
            # 新证能寄回老家不 after 身份证换领: no other item is sure, and the record tells what is asked
            # (邮寄).
            and not (
                fresh.action == "clarify"
                and prev.item in self.position
                and self.grounded(surface.normal, content, prev.item)
            )
        ):
            if fresh.action == "clarify" and topic:
                combined = self._with_topic(topic, surface.normal, content, field)
                if combined.action == "answer" and combined.item in fresh.candidates:
                    # 快过期了 要换新的 after 办身份证: words the list lacked, and with the topic they settle
                    # which of the new question's items.
                    return combined
            return fresh  # 提取公积金 after 身份证补领: a new question, not a refinement
        # 没收到钱咋办 after 高龄津贴申领: the money the errand at hand pays has not come; about that errand.
        unpaid = bool(PAYMENT_MISSING.search(compact)) and self._pays(str(prev.item))
        if (
            field in (None, "conditions")  # a specific field asked beside the item is a follow-up
            # 让我老公去帮我办行不行, 要不要她本人回去, 她的也一样吗: about the item at hand.
            and not _of_the_item_at_hand(surface.normal, compact)
            and not unpaid
            and len(content.replace(" ", "")) > 3
            and self.scorer.foreign_share(content) > FOREIGN_SHARE
            # 可以寄到家里吗 after 护照补发: nothing else fits, and the record tells what the words ask; so
            # does 厂里一直不给办减员咋整 after 失业保险金申领, though a weak list of items names it too.
            and not (
                (fresh.action == "handoff" or prev.item in fresh.candidates)
                and prev.item in self.position
                and self.grounded(surface.normal, content, prev.item)
            )
        ):
            return (
                fresh if fresh.action != "answer" else Decision("handoff", field=field, reason="out_of_scope")
            )
        if prev.candidates and not prev.item and field is not None and fresh.action != "answer":
            return self._pending(prev, field)
        if (
            prev.item
            and field is None
            and fresh.reason in ("out_of_scope", "low_confidence")
            and ASKS.search(surface.normal)
            and self.scorer.coverage(content, self.position[prev.item]) == 0.0
            # 要不要她本人回去, 她的也一样吗: about the item at hand.
            and not _of_the_item_at_hand(surface.normal, compact)
            and not unpaid
        ):
            # A question of its own that shares no word with the item (附近有银行吗 after 身份证补领) is not
            # about it; a bare refinement (我儿子的) still is. With the topic, its words may name the
            # item's neighbour (办下来以后有什么补贴吗 after 残疾人证办理: 残疾人两项补贴).
            neighbour = self._neighbour_with_topic(topic, surface.normal, content, str(prev.item))
            if neighbour is not None and not self._sure_elsewhere(fresh, neighbour):
                return Decision("answer", item=neighbour, field=field, score=fresh.score, reason="follow_up")
            if not self._touches_material(content, str(prev.item)):
                return fresh
            # 房东不给房产证复印件咋办 after 个体工商户设立登记: about one of its materials (产权证明).
            return Decision("answer", item=prev.item, field=field, score=fresh.score, reason="follow_up")
        lead = fresh.scores[0][0] if fresh.scores else None
        if (
            BARE_ASK.match(compact)
            and prev.item in self.position
            and lead in self.position
            and lead != prev.item
            and self._renamed(content, str(prev.item), str(lead))
        ):
            # 身份证呢 after 户口簿补领 (both lost): the thing named, which the item at hand is not about; the
            # topic (a theft) still holds for it.
            return Decision(
                "answer", item=lead, field=field, score=fresh.score, reason="follow_up", scores=fresh.scores
            )
        if (
            _APART.search(compact)
            and prev.item in self.position
            and lead in self.position
            and lead != prev.item
            and far_ahead(fresh.scores) == lead
            # Credibly so, not the least unlikely of none (还要另外收手续费吗: 生育登记 at 0.08).
            and fresh.scores[0][1] >= APART_LEAD_P
            and self._kept_apart(content, str(prev.item), str(lead))
        ):
            # 还想卖点散装瓜子 这个要另外办证不 after 个体工商户设立登记: whether it takes an errand of its
            # own, the one far ahead whose record tells what the item at hand's does not (散装食品).
            return Decision(
                "answer", item=lead, field=field, score=fresh.score, reason="named", scores=fresh.scores
            )
        if prev.item and fresh.scores and fresh.scores[0][0] == prev.item and fresh.scores[0][1] >= SURE_P:
            # 补身份证多少钱 after 身份证补领 (the topic still 户口簿遗失 from before): the message alone is
            # sure of the item at hand; the topic's words do not move it.
            return self._kept(str(prev.item), field, fresh)
        if (
            prev.item in self.position
            and self.put_aside(text, [str(prev.item)], fresh)
            and not _of_the_item_at_hand(surface.normal, compact)
        ):
            # 顺便问下 老人想打流感疫苗 去哪打 after 高龄津贴: a question put aside from the errand at hand
            # ("by the way") that nothing in the catalogue answers is not about that errand.
            return fresh
        # 还有他身份证是13岁办的 今年到期了 开学前能换下来不 after 户口迁出: a field asked of a document the
        # item at hand is not about; which of its items is the question, not the item at hand.
        asked_elsewhere = self._asked_elsewhere(fresh, prev, surface.normal, content)
        if topic:
            combined = self._with_topic(topic, surface.normal, content, field)
            if combined.action == "answer" and combined.item is not None:
                if combined.item in prev.candidates or combined.item == prev.item:
                    return dataclasses.replace(combined, reason="follow_up")
                # A new item only when the new words themselves point at it.
                covered = self.scorer.coverage(content, self.position[combined.item])
                if covered >= NEW_ITEM_COVERAGE:
                    return combined
                if fresh.action == "clarify" and fresh.candidates[:1] == (combined.item,):
                    # 就是卡不见了要补的那个 after 社会保障卡申领: the message alone leads with the item the
                    # topic settles (社会保障卡挂失与补换), though its filler words cover little of it.
                    return combined
            also = ALSO_SUBJECT.match(compact)
            subject = also.group(1) if also and prev.item in self.position else ""
            also_named = [
                code
                for code in (*([combined.item] if combined.item else []), *combined.candidates[:2])
                if subject
                and self.mentions_item(subject, code)
                and not self.mentions_item(subject, str(prev.item))
            ]
            if len(also_named) == 1:
                # 驾照也在那个钱包里 after the stolen wallet's ID card: the thing said "too", with the story
                # told (被偷), names the errand (机动车驾驶证遗失补领).
                return Decision(
                    "answer", item=also_named[0], field=field, score=combined.score, reason="named"
                )
            on_topic = (
                combined.scores[:1] == ()
                or combined.scores[0][0] == prev.item
                or (combined.action == "clarify" and prev.item in combined.candidates)
            )
            if prev.item and on_topic and fresh.action != "answer" and not asked_elsewhere:
                # "用于出国探亲" after 亲属关系公证: the refinement still points at the item being discussed.
                return Decision(
                    "answer",
                    item=prev.item,
                    field=field or prev.field,
                    score=combined.score,
                    reason="follow_up",
                    scores=combined.scores,
                )
        if prev.item and (field is not None or fresh.action == "handoff") and not asked_elsewhere:
            return Decision(
                "answer",
                item=prev.item,
                field=field or prev.field,
                score=fresh.score,
                reason="follow_up",
                scores=fresh.scores,
            )
        return fresh

    def _asked_elsewhere(self, fresh: Decision, prev: Turn, normal: str, content: str) -> bool:
        """Whether a numbered question the message alone asks leaves the item at hand: its first option is
        named by a key word the item at hand's names lack, and not as a thing the citizen lacks (莫得结婚证
        after 出生登记 is a case of the birth's registration, not a question about marriage)."""
        if fresh.action != "clarify" or prev.item not in self.position or not fresh.candidates:
            return False
        first = fresh.candidates[0]
        if prev.item in fresh.candidates or first not in self.position:
            return False
        current = str(prev.item)
        keys = followups.naming_words(self.scorer, content, current, first, self._prepare, keys_only=True)
        keys = [word for word in keys if not _lacked(normal, word)]
        if not keys:
            return False
        if any(word not in self.records.texts[self.position[current]] for word in keys):
            return True
        # A thing the item at hand's record names too (社保卡上查了没有 after 高龄津贴, paid onto the card) is
        # asked of only with the other item's own words besides (到期 of 身份证换领（有效期满）).
        named = followups.naming_words(self.scorer, content, current, first, self._prepare)
        return any(word not in keys for word in named)

    @functools.cached_property
    def _handover(self) -> tuple[str, ...]:
        """The items whose own words change who runs a business (个体工商户变更登记's 变更经营者)."""
        return tuple(
            code
            for code, item in zip(self.codes, self.items, strict=True)
            if re.search(r"(?:变更|换)经营者|经营者变更", own_words(item))
        )

    def _handover_item(self) -> str | None:
        """The one item changing who runs a business, or None."""
        return self._handover[0] if len(self._handover) == 1 else None

    def _applies_for(self, normal: str, code: str) -> bool:
        """Whether normalised ``normal`` asks to apply for item ``code`` by its name or an alias
        (能申请公租房吗 after 公积金提取（租赁住房）, whose case 租住公共租赁住房 names it too)."""
        said = normal.replace(" ", "")
        return any(
            re.search(rf"(?:申请|申领|办理?|报名)(?:个|一个|一套|一下)?{re.escape(core)}", said)
            for core in self._applied_names(code)
        )

    def _applied_names(self, code: str) -> frozenset[str]:
        """Item ``code``'s name and aliases without the words of applying at either end (公租房 of
        申请公租房), worked out once per item."""
        known = self._applied.get(code)
        if known is not None:
            return known
        item = self.item(code)
        cores = (
            _APPLYING_WORDS.sub("", normalize(n).replace(" ", "")) for n in [item.name, *(item.aliases or ())]
        )
        self._applied[code] = frozenset(core for core in cores if len(core) >= 2)
        return self._applied[code]

    def _place_holds(self, code: str, words: Sequence[str]) -> bool:
        """Whether item ``code``'s record with where it is done (its windows and address) holds every one of
        ``words`` (and there is one)."""
        item = self.item(code)
        places = [item.address or "", *(f"{w.name}{w.location or ''}" for w in item.windows or ())]
        text = "\n".join([self.records.texts[self.position[code]], *places])
        return bool(words) and all(word in text for word in words)

    @staticmethod
    def _kept(code: str, field: str | None, fresh: Decision) -> Decision:
        """A follow-up on ``code``, the item at hand, with the fresh decision's score and ranking."""
        return Decision(
            "answer", item=code, field=field, score=fresh.score, reason="follow_up", scores=fresh.scores
        )

    @staticmethod
    def _pending(prev: Turn, field: str | None) -> Decision:
        """A field asked while a clarification is pending ("电话多少"): about its only credible item when it
        had one (the others were listed only to make a list), or its first option far ahead of the rest (the
        citizen went on as if understood: the reply names the runner-up), else the same question again, with
        the field."""
        likely = prev.extra.get("likely") or prev.extra.get("leading")
        if field is not None and likely in prev.candidates:
            return Decision("answer", item=str(likely), field=field, score=1.0, reason="likely")
        return Decision("clarify", candidates=prev.candidates, field=field or prev.field, reason="ambiguous")

    def _with_topic(self, topic: str, normal: str, content: str, field: str | None) -> Decision:
        """The message decided together with the topic of the conversation (cached)."""
        return self._fresh_for(  # type: ignore[no-any-return]
            topic + " " + normal, topic + " " + content, field, True
        )

    def _offered_scores(self, text: str, codes: Sequence[str]) -> list[float] | None:
        scores = self.semantic_scores(text)
        return None if scores is None else [float(scores[self.position[c]]) for c in codes]

    def turn_after(self, text: str, decision: Decision, previous: Turn | None = None) -> Turn:
        """The Turn after ``decision``, remembering the topic words for vague refinements (丢了, 租房的)."""
        turn = Turn.after(decision, previous)
        content = self.prepare(text)
        prev_topic = str(previous.extra.get("topic", "")) if previous and previous.extra else ""
        if decision.reason in ("follow_up", "picked", "likely", "empty", "human", "complaint"):
            topic = prev_topic or content
        elif decision.action == "handoff" and decision.reason == "out_of_scope":
            topic = ""
        else:
            topic = content
        extra: dict[str, object] = {"topic": topic}
        earlier = previous.extra.get("earlier") if previous and previous.extra else None
        if previous is not None and previous.item and decision.item and decision.item != previous.item:
            earlier = previous.item  # the item talked about before this one, which the citizen may go back to
        if earlier and earlier != decision.item:
            extra["earlier"] = earlier
        likely = likely_item(decision)
        if likely is not None:
            # The first option is the only credible one: a field asked next, not a pick, is about it.
            extra["likely"] = likely
        else:
            leading = leading_option(decision)
            if leading is not None:
                extra["leading"] = leading  # far ahead: a field asked next is answered for it, the rest named
        return dataclasses.replace(turn, extra=extra)

    def complaint_lodged(self, text: str) -> str | None:
        """The item that is itself a complaint (农民工欠薪投诉) which ``text`` answers once the word of
        complaining is taken out (包工头跑了 工钱拿不到 能在老家投诉吗), or None: a complaint about the hall
        stays one."""
        named = self.named_in_request(text)
        lodged = named.item if named.action == "answer" else likely_item(named) or leading_option(named)
        if lodged is not None and COMPLAINT_ITEM.search(self._name_of(lodged)):
            return str(lodged)
        return None

    def named_in_request(self, text: str) -> Decision:
        """What ``text`` asks once its request for a person or complaint is taken out: "异地就医备案弄不好，
        转人工" still names 异地就医备案, so the next "在几号窗口" is about it."""
        rest = COMPLAINT.sub(" ", HUMAN.sub(" ", normalize(self._read(text))))
        rest = re.sub(r"(帮我|给我|请)?\s*$", "", rest).strip()
        if not rest:
            return Decision("handoff", reason="empty")
        return self.decide(rest)

    def replay(self, messages: Sequence[str]) -> Turn:
        """The Turn after the citizen's earlier ``messages`` (oldest first), for stateless callers."""
        turn: Turn | None = None
        for message in messages:
            decision = self.decide(message, turn)
            turn = self.turn_after(message, decision, turn)
        return turn or Turn()
