"""A generated corpus of enforcement decisions with the personal spans recorded (ground truth for redaction).

Each decision is built from sentence templates modelled on real decision wording — the party line of an individual,
witness and interview statements, facts, evidence lists, payment instructions, family members, employees — filled
with ``Faker('zh_CN')`` people, addresses, phone numbers, ID numbers and bank cards in the spellings decisions use
(full-width digits, spaces, hyphens, ``+86``, area codes in brackets, Chinese numerals). Every slot is either
personal (a ``Secret``: what must never be published, in each form it could leak in) or public (a word that must
stay); the template's own wording is public too.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from faker import Faker
from faker.providers.address.zh_CN import Provider as Places
from faker.providers.person.zh_CN import Provider as People

from services.disclosure.domain.detectors import fold
from shared.contracts.common import DecisionKind, PartySnapshot, PartyType, PenaltyTerms
from shared.contracts.events import DecisionIssuedV1
from tests.factories import credit_code

FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")
CN_DIGITS = "〇一二三四五六七八九"
PLACE_CHARS = "东西南北大小新老上下前后高王张刘杨赵李家庄营屯口台河沟堡柳杨槐桃杏兴旺富裕安宁"
TOWNS = ("中北镇", "杨柳青镇", "张家窝镇", "精武镇")
_SURNAMES = (list(People.last_names), list(People.last_names.values()))  # Faker's weights
WORD_SPLIT = re.compile(r"[，。；：:、（）()\s“”《》]+")


@dataclass(frozen=True)
class Secret:
    """A personal span: ``text`` as written; ``forms`` are the strings that must appear in no public byte."""

    category: str
    text: str
    forms: tuple[str, ...]


@dataclass
class Field:
    """One free-text field as pieces: plain strings are public wording, ``Secret`` pieces personal."""

    pieces: list[str | Secret] = field(default_factory=list)

    def add(self, *pieces: str | Secret) -> None:
        self.pieces.extend(pieces)

    @property
    def text(self) -> str:
        return "".join(p if isinstance(p, str) else p.text for p in self.pieces)

    def public_words(self) -> list[str]:
        """The non-personal words, in order (split at punctuation)."""
        words: list[str] = []
        for piece in self.pieces:
            if isinstance(piece, str):
                words.extend(w for w in WORD_SPLIT.split(piece) if w)
        return words

    def secrets(self) -> list[Secret]:
        return [p for p in self.pieces if isinstance(p, Secret)]


@dataclass
class CorpusDecision:
    decision: DecisionIssuedV1
    facts: Field
    summary: Field
    secrets: list[Secret]


class Corpus:
    """Builds decisions; the same seed gives the same corpus."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.used_names: set[str] = set()

    # -- personal values ---------------------------------------------------------------------------------------
    def fresh_name(self) -> str:
        """A name that is no part of another name in the decision (李建 would be found inside a public 李建国)."""
        value = self.person()
        while any(value in used or used in value for used in self.used_names):
            value = self.person()
        self.used_names.add(value)
        return value

    def person(self) -> str:
        """Faker's zh_CN name format (surname by Faker's weights, given name), drawn directly."""
        return self.rng.choices(*_SURNAMES)[0] + self.rng.choice(People.first_names)

    def name(self) -> Secret:
        value = self.fresh_name()
        return Secret("name", value, (value,))

    def id_number(self) -> Secret:
        if self.rng.random() < 0.1:  # 15-digit legacy number: region, YYMMDD, sequence
            value = self.fake.ssn()[:6] + self.birth().strftime("%y%m%d") + f"{self.rng.randint(0, 999):03d}"
            return Secret("id_number", value, (value,))
        number = self.fake.ssn()
        if number.endswith("X") and self.rng.random() < 0.5:
            number = number[:-1] + "x"
        style = self.rng.choice(["plain", "plain", "spaced", "full"])
        text = {
            "plain": number,
            "spaced": f"{number[:6]} {number[6:14]} {number[14:]}",
            "full": number.translate(FULL_WIDTH),
        }[style]
        return Secret("id_number", text, (number.upper(), number[:17]))

    def mobile(self) -> Secret:
        digits = self.fake.phone_number()
        a, b, c = digits[:3], digits[3:7], digits[7:]
        text = self.rng.choice(
            [digits, f"{a}-{b}-{c}", f"{a} {b} {c}", f"+86 {digits}", f"+86-{a}-{b}-{c}", f"{a}－{b}－{c}"]
        )
        if self.rng.random() < 0.15:
            text = text.translate(FULL_WIDTH)
        return Secret("phone", text, (digits,))

    def landline(self) -> Secret:
        area = self.rng.choice(["022", "010", "021", "0311", "0755"])
        local = str(self.rng.randint(2_000_000, 8_999_999)) + str(self.rng.randint(0, 9))
        a, b = local[:4], local[4:]
        text = self.rng.choice(
            [f"{area}-{a}-{b}", f"{area}-{local}", f"({area}){local}", f"（{area}）{a} {b}", f"{area}－{a}－{b}"]
        )
        if self.rng.random() < 0.2:
            text += f"转{self.rng.randint(100, 899)}"
        return Secret("phone", text, (local,))

    def local_number(self) -> Secret:
        local = str(self.rng.randint(2_000_000, 8_999_999)) + str(self.rng.randint(0, 9))
        text = self.rng.choice([local, f"{local[:4]} {local[4:]}", f"{local[:4]}-{local[4:]}"])
        return Secret("phone", text, (local,))

    def phone(self) -> Secret:
        return self.mobile() if self.rng.random() < 0.7 else self.landline()

    def card(self) -> Secret:
        digits = self.fake.credit_card_number()
        text = " ".join(digits[i : i + 4] for i in range(0, len(digits), 4)) if self.rng.random() < 0.5 else digits
        return Secret("bank_account", text, (digits,))

    def account(self) -> Secret:
        digits = str(self.rng.randint(1, 9)) + "".join(self.rng.choice("0123456789") for _ in range(18))
        text = " ".join(digits[i : i + 4] for i in range(0, 19, 4)) if self.rng.random() < 0.5 else digits
        return Secret("bank_account", text, (digits,))

    def email(self) -> Secret:
        value = self.fake.email()
        return Secret("email", value, (value,))

    def plate(self) -> Secret:
        plate = self.fake.license_plate()
        text = self.rng.choice([plate, plate.replace("-", ""), plate.replace("-", "·")])
        return Secret("vehicle_plate", text, (plate.replace("-", ""),))

    def known_phone(self, phone: Secret) -> Secret:
        """The party's recorded phone again, in a spelling no shape gives away: the local number without area code
        or cue word, grouped by a space, or split across a line break."""
        local = phone.forms[0]  # a landline's local number, or the mobile number
        cut = self.rng.randint(3, len(local) - 3)
        text = self.rng.choice([f"{local[:4]} {local[4:]}", f"{local[:cut]}\n{local[cut:]}", local])
        return Secret("phone", text.translate(FULL_WIDTH) if self.rng.random() < 0.3 else text, (local,))

    def split_id(self, number: str) -> Secret:
        """A recorded ID number in full-width digits, whole or split across a line break."""
        text = number.translate(FULL_WIDTH)
        if self.rng.random() < 0.5:
            cut = self.rng.randint(5, 13)
            text = f"{text[:cut]}\n{text[cut:]}"
        return Secret("id_number", text, (number.upper(), number[:17]))

    def birth(self) -> date:
        return date(1940, 1, 1) + timedelta(days=self.rng.randint(0, 65 * 365))

    def birth_pieces(self) -> list[str | Secret]:
        born = self.birth()
        y, m, d = born.year, born.month, born.day
        cn_year = "".join(CN_DIGITS[int(c)] for c in str(y))
        forms = (f"{y}年{m}月{d}日", f"{y}-{m:02d}-{d:02d}", f"{y}{m:02d}{d:02d}")
        style = self.rng.randrange(6)
        if style == 0:
            return [Secret("birth_date", f"{y}年{m}月{d}日生", forms)]
        if style == 1:
            return ["生于", Secret("birth_date", f"{y}年{m}月{d}日", forms)]
        if style == 2:
            return ["出生日期：", Secret("birth_date", f"{y}-{m:02d}-{d:02d}", forms)]
        if style == 3:
            cn = f"{cn_year}年{_cn_number(m)}月{_cn_number(d)}日"
            return [Secret("birth_date", cn + "出生", (cn,))]
        if style == 4:
            return [Secret("birth_date", f"{y}.{m:02d}.{d:02d}出生", (f"{y}.{m:02d}.{d:02d}", *forms))]
        return ["出生于", Secret("birth_date", f"{y}年{m}月", (f"{y}年{m}月",))]

    # Faker's zh_CN place lists and formats, drawn directly: Faker's own formatter took a quarter of the corpus test.
    def province(self) -> str:
        return self.rng.choice(Places.provinces)

    def city(self) -> str:
        name = self.rng.choice(Places.cities) if self.rng.random() < 0.5 else self.rng.choice(People.first_names)
        return name + self.rng.choice(Places.city_suffixes)

    def district(self) -> str:
        return self.rng.choice(Places.districts)

    def street_name(self) -> str:
        name = self.rng.choice(Places.cities) if self.rng.random() < 0.5 else self.rng.choices(*_SURNAMES)[0]
        return name + self.rng.choice(Places.street_suffixes)

    def address(self) -> Secret:
        f, r = self, self.rng
        place = "".join(r.choice(PLACE_CHARS) for _ in range(r.randint(2, 3)))
        n, b, u, room = r.randint(1, 300), r.randint(1, 30), r.randint(1, 6), r.randint(101, 2604)
        street = f.street_name()
        detail, prefix = r.choice(
            [
                (f"{street}{n}号", f"{f.province()}{f.city()}{f.district()}区"),
                (f"{place}村{r.randint(1, 12)}组{n}号", f"天津市西青区{f.district()}镇"),
                (f"{place}小区{b}号楼{u}单元{room}室", f"{f.city()}{f.district()}区{street}"),
                (f"{street}{n}号院", f"天津市{f.district()}区"),
                (f"{place}村{n}号", f"{f.province()}{f.city()}{f.district()}县{place}镇"),
                (f"{street}{n}号{b}栋{room}室".translate(FULL_WIDTH), f"天津市{f.district()}区"),
                (f"{place}村{_cn_number(r.randint(1, 9))}组", f"天津市西青区{f.district()}镇"),
                (f"{place}里{b}-{u}-{room}", f"天津市南开区{f.district()}街道"),
            ]
        )
        return Secret("address", prefix + detail, (prefix + detail, detail))

    # -- public values -----------------------------------------------------------------------------------------
    def site(self) -> str:
        town = self.rng.choice(TOWNS)
        return f"天津市西青区{town}{self.street_name()}{self.rng.randint(1, 99)}号"

    def day(self) -> str:
        d = date(2021, 1, 1) + timedelta(days=self.rng.randint(0, 364))
        return f"{d.year}年{d.month}月{d.day}日"

    # -- decisions ---------------------------------------------------------------------------------------------
    def decision(self) -> CorpusDecision:
        individual = self.rng.random() < 0.5
        self.used_names = set(TOWNS)  # a witness 杨柳 would be "found" in the public 杨柳青镇
        ctx = _Context(self, individual)
        facts, summary = Field(), Field()
        if individual:
            self.rng.choice(PARTY_LINES)(ctx, facts)
        for template in self.rng.sample(FACTS, self.rng.randint(3, 6)):
            template(ctx, facts)
        if individual and self.rng.random() < 0.5:
            self.rng.choice(INDIVIDUAL_FACTS)(ctx, facts)
        if not individual and self.rng.random() < 0.5:
            self.rng.choice(ORGANISATION_FACTS)(ctx, facts)
        self.rng.choice(PAYMENTS)(ctx, summary)
        decision = DecisionIssuedV1(
            decision_id=str(uuid.uuid4()),
            kind=DecisionKind.PENALTY,
            document_number=f"津西青环罚〔2021〕{self.rng.randint(1, 999)}号",
            decided_on=date(2021, 10, 8),
            party=ctx.party,
            facts=facts.text,
            legal_basis="《中华人民共和国水污染防治法》第八十三条第三项",
            penalty=PenaltyTerms(fine_fen=self.rng.randint(1, 500) * 100_000, summary=summary.text),
            violation_type="私设暗管排放水污染物",
        )
        secrets = facts.secrets() + summary.secrets() + ctx.party_secrets
        return CorpusDecision(decision=decision, facts=facts, summary=summary, secrets=secrets)


def _cn_number(n: int) -> str:
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


class _Context:
    """One decision's party and the values its sentences share."""

    def __init__(self, corpus: Corpus, individual: bool) -> None:
        self.c, self.rng, self.individual = corpus, corpus.rng, individual
        self.party_secrets: list[Secret] = []
        if individual:
            person = corpus.fresh_name()
            number = corpus.fake.ssn(min_age=30, max_age=85)  # adults on the 2021 decision date
            self.home = corpus.address()
            self.phone = corpus.phone()
            self.party = PartySnapshot(
                party_id=str(uuid.uuid4()),
                party_type=PartyType.INDIVIDUAL,
                name=person,
                id_number=number,
                address=self.home.text,
                town="中北镇",
                phone=self.phone.text,
            )
            self.subject = "当事人"
            self.party_secrets = [Secret("id_number", number, (number,)), self.home, self.phone]
        else:
            company = corpus.fake.company()
            self.phone = corpus.landline()
            self.representative_id = corpus.fake.ssn(min_age=30, max_age=85)
            self.party = PartySnapshot(
                party_id=str(uuid.uuid4()),
                party_type=PartyType.ORGANISATION,
                name=company,
                credit_code=credit_code(self.rng),
                legal_representative=corpus.fresh_name(),
                legal_representative_id_number=self.representative_id,
                address=corpus.site(),
                town="中北镇",
                phone=self.phone.text,
            )
            self.subject = self.rng.choice(["当事人", "该公司", company])
            number = self.representative_id
            self.party_secrets = [Secret("id_number", number, (number.upper(), number[:17])), self.phone]
        self.site = corpus.site()

    def sex(self) -> str:
        return self.rng.choice(["男", "女"])

    def nation(self) -> str:
        return self.rng.choice(["汉族", "回族", "满族", "蒙古族"])

    def pollutant(self) -> str:
        return self.rng.choice(["化学需氧量", "氨氮", "总磷", "悬浮物", "石油类", "总铬", "六价铬"])

    def waste(self) -> str:
        return self.rng.choice(["废矿物油", "废酸液", "含油抹布", "废铅蓄电池", "漆渣", "生活垃圾", "建筑垃圾"])

    def value(self) -> str:
        return f"{self.rng.randint(20, 900)}.{self.rng.randint(0, 9)}"


Template = Callable[[_Context, Field], None]


def _p1(x: _Context, f: Field) -> None:
    p = x.party
    f.add(f"当事人{p.name}，{x.sex()}，", *x.c.birth_pieces(), f"，{x.nation()}，住", x.home)
    f.add("，公民身份号码", Secret("id_number", p.id_number or "", (p.id_number or "",)), "，联系电话", x.phone, "。")


def _p2(x: _Context, f: Field) -> None:
    p = x.party
    f.add(f"当事人：{x.party.name}，{x.sex()}，{x.nation()}，", *x.c.birth_pieces(), "，身份证号码：")
    f.add(x.c.id_number(), "，家住", x.home, "，手机", x.c.mobile(), f"。{p.name}系该作坊实际经营者。")


def _p3(x: _Context, f: Field) -> None:
    f.add(f"当事人{x.party.name}（{x.sex()}，", *x.c.birth_pieces(), "，公民身份号码", x.c.id_number(), "），户籍地：")
    f.add(x.c.address(), "，现住", x.home, "。")


def _p4(x: _Context, f: Field) -> None:
    f.add(f"当事人{x.party.name}，{x.sex()}，", *x.c.birth_pieces(), f"，{x.nation()}，", x.home, "，联系方式：")
    f.add(x.c.landline(), "。")


def _p5(x: _Context, f: Field) -> None:
    f.add(f"当事人{x.party.name}，{x.sex()}，现住", x.home, "，经常居住地：", x.c.address(), "，电子邮箱", x.c.email())
    f.add("。")


PARTY_LINES: list[Template] = [_p1, _p2, _p3, _p4, _p5]


def _f1(x: _Context, f: Field) -> None:
    f.add(
        f"{x.c.day()}，执法人员对{x.subject}位于{x.site}的生产车间进行现场检查，发现{x.pollutant()}处理设施未正常运行。"
    )


def _f2(x: _Context, f: Field) -> None:
    f.add(
        f"经查，{x.subject}自{x.c.day()}起在{x.site}私设暗管，将生产废水直接排入中亭河，{x.pollutant()}浓度为"
        f"{x.value()}mg/L，超过《污水综合排放标准》（GB 8978-1996）规定的排放限值{x.rng.randint(2, 9)}倍。"
    )


def _f3(x: _Context, f: Field) -> None:
    f.add(
        "证人", x.c.name(), "（身份证号码", x.c.id_number(), "，住", x.c.address(), f"）证实：{x.subject}夜间排放废水。"
    )


def _f4(x: _Context, f: Field) -> None:
    f.add("证人", x.c.name(), f"，{x.sex()}，", *x.c.birth_pieces(), "，住", x.c.address(), "，联系电话", x.c.phone())
    f.add("，其陈述当事人在该处焚烧废旧轮胎。")


def _f5(x: _Context, f: Field) -> None:
    f.add(
        f"{x.subject}员工", x.c.name(), "、", x.c.name(), f"称，{x.waste()}由其二人负责收集并存放于{x.site}的仓库内。"
    )


def _f6(x: _Context, f: Field) -> None:
    f.add("当事人之妻", x.c.name(), "（电话", x.c.phone(), "）在询问笔录中承认，废水未经处理直接排放。")


def _f7(x: _Context, f: Field) -> None:
    f.add("其子", x.c.name(), f"（{x.rng.randint(8, 16)}岁）在现场帮助搬运{x.waste()}。")


def _f8(x: _Context, f: Field) -> None:
    f.add("被询问人", x.c.name(), f"，{x.sex()}，{x.nation()}，", *x.c.birth_pieces(), "，", x.c.address())
    f.add("，公民身份号码", x.c.id_number(), "。")


def _f9(x: _Context, f: Field) -> None:
    f.add("现场负责人", x.c.name(), "（手机", x.c.mobile(), "，电子邮箱", x.c.email(), "）陪同检查并在笔录上签字。")


def _f10(x: _Context, f: Field) -> None:
    tons = x.rng.randint(2, 40)
    f.add("证据：1.现场检查（勘察）笔录；2.询问笔录（被询问人", x.c.name(), "，身份证号", x.c.id_number())
    f.add(f"）；3.监测报告（编号JC2021-{x.rng.randint(100, 999)}）；4.现场照片{tons}张；5.视听资料。")


def _f11(x: _Context, f: Field) -> None:
    f.add("邻居", x.c.name(), "（住", x.c.address(), "）反映，当事人每晚在院内焚烧垃圾，烟气扰民。")


def _f12(x: _Context, f: Field) -> None:
    f.add(f"{x.subject}位于{x.site}的喷漆车间未安装挥发性有机物收集处理设施，废气直接排放。")


def _f13(x: _Context, f: Field) -> None:
    f.add(f"经营场所位于{x.site}，主要从事金属表面处理，年产镀件约{x.rng.randint(10, 500)}吨。")


def _f14(x: _Context, f: Field) -> None:
    code = credit_code(x.rng)
    f.add(f"天津某环保科技有限公司（统一社会信用代码{code}）作为危险废物接收单位，未取得危险废物经营许可证。")


def _f15(x: _Context, f: Field) -> None:
    f.add("举报人", x.c.name(), "（联系电话", x.c.landline(), f"）于{x.c.day()}来电反映，{x.subject}夜间偷排废水。")


def _f16(x: _Context, f: Field) -> None:
    f.add("承租人", x.c.name(), f"，{x.sex()}，", *x.c.birth_pieces(), "，经常居住地：", x.c.address())
    f.add("，其租用该场地从事塑料颗粒加工。")


def _f17(x: _Context, f: Field) -> None:
    f.add(
        "该厂工人", x.c.name(), "、", x.c.name(), "在无任何防护措施的情况下进行酸洗作业，酸洗废液直接排入厂区雨水管网。"
    )


def _f18(x: _Context, f: Field) -> None:
    officers = [x.c.fresh_name(), x.c.fresh_name()]
    badges = [f"1211{x.rng.randint(1_000_000, 9_999_999)}" for _ in officers]
    f.add(f"执法人员{officers[0]}、{officers[1]}（执法证号{badges[0]}、{badges[1]}）出示执法证件，表明身份。")


def _f19(x: _Context, f: Field) -> None:
    f.add(
        f"{x.subject}在{x.site}露天堆放{x.waste()}约{x.rng.randint(2, 90)}吨，未采取防扬散、防流失、防渗漏措施，"
        f"监测显示{x.pollutant()}排放浓度{x.value()}mg/m³。"
    )


def _f20(x: _Context, f: Field) -> None:
    f.add("负责人", x.c.name(), "，联系电话：", x.c.local_number(), "，其承认未办理环境影响评价审批手续。")


def _f21(x: _Context, f: Field) -> None:
    f.add(f"{x.subject}于{x.c.day()}向天津某化工有限公司购买{x.waste()}{x.rng.randint(1, 30)}吨，交由无资质人员")
    f.add(x.c.name(), f"（{x.sex()}，", *x.c.birth_pieces(), "，", x.c.address(), "）处置。")


def _f22(x: _Context, f: Field) -> None:
    f.add("户主", x.c.name(), "，户籍地址", x.c.address(), "，", *x.c.birth_pieces(), "，在自家院内堆放废旧电池。")


def _f23(x: _Context, f: Field) -> None:
    f.add("员工", x.c.name(), "的工资卡号为", x.c.card(), "，公司以其名义收取违法所得。")


def _f24(x: _Context, f: Field) -> None:
    f.add(
        "司机",
        x.c.name(),
        f"驾驶重型货车将{x.waste()}运至{x.site}附近空地倾倒，现场查获倾倒物约{x.rng.randint(2, 9)}吨。",
    )


def _f25(x: _Context, f: Field) -> None:
    f.add("经查，", x.c.name(), "、", x.c.name(), f"二人于{x.c.day()}夜间将{x.waste()}倾倒于{x.site}附近。")


def _f26(x: _Context, f: Field) -> None:
    f.add("另查明，", x.c.name(), f"，{x.sex()}，", *x.c.birth_pieces(), "，系该处临时雇用人员，负责看管排污阀门。")


FACTS: list[Template] = [_f1, _f2, _f3, _f4, _f5, _f6, _f7, _f8, _f9, _f10, _f11, _f12]
FACTS += [_f13, _f14, _f15, _f16, _f17, _f18, _f19, _f20, _f21, _f22, _f23, _f24, _f25, _f26]


def _i1(x: _Context, f: Field) -> None:
    f.add("当事人在其位于", x.home, "的住所院内私设废机油收集点，责令立即清理。")


def _i2(x: _Context, f: Field) -> None:
    f.add(f"{x.c.day()}，当事人车辆（号牌", x.c.plate(), "）运输渣土未采取密闭措施，沿途抛洒。")


def _i3(x: _Context, f: Field) -> None:
    f.add("当事人联系电话", x.c.phone(), "，送达地址：", x.c.address(), "。")


def _i4(x: _Context, f: Field) -> None:
    f.add(f"{x.c.day()}回访时当事人不在现场，执法人员致电", x.c.known_phone(x.phone), "告知其复查结果。")


INDIVIDUAL_FACTS: list[Template] = [_i1, _i2, _i3, _i4]


def _o1(x: _Context, f: Field) -> None:
    f.add(f"法定代表人{x.party.legal_representative}（身份证号码", x.c.split_id(x.representative_id))
    f.add("）到场接受询问，整改情况可致电", x.c.known_phone(x.phone), "核实。")


ORGANISATION_FACTS: list[Template] = [_o1]


def _pay1(x: _Context, f: Field) -> None:
    f.add(
        "罚款自收到本决定书之日起十五日内缴至指定银行，开户行：中国工商银行天津西青支行，户名：天津市西青区财政局，账号："
    )
    f.add(x.c.account(), "。")


def _pay2(x: _Context, f: Field) -> None:
    f.add(f"罚款人民币{x.rng.randint(1, 50)}万元。当事人已于{x.c.day()}通过其本人银行卡", x.c.card(), "缴纳罚款。")


def _pay3(x: _Context, f: Field) -> None:
    f.add("责令退还违法所得至其账户", x.c.account(), "（户名", x.c.name(), "），并处罚款。")


def _pay4(x: _Context, f: Field) -> None:
    f.add(f"罚款人民币{x.rng.randint(1, 50)}万元，责令立即改正违法行为。如有疑问请联系", x.c.name(), "，电话")
    f.add(x.c.landline(), "。")


def _pay5(x: _Context, f: Field) -> None:
    f.add(f"罚款人民币{x.rng.randint(1, 50)}万元，于十五日内缴纳；逾期每日按罚款数额的百分之三加处罚款。")


PAYMENTS: list[Template] = [_pay1, _pay2, _pay3, _pay4, _pay5]
TEMPLATES = len(PARTY_LINES) + len(FACTS) + len(INDIVIDUAL_FACTS) + len(ORGANISATION_FACTS) + len(PAYMENTS)


_NOT_DIGITS = re.compile(r"[^0-9]+")  # on folded text: full-width digits are ASCII already


@dataclass(frozen=True)
class Published:
    """Public outputs, with their folded spelling and their digits alone (prepared once, searched per secret).

    Several outputs are joined by a separator that no secret contains and that splits their digit runs, so one
    search per secret covers all of a decision's representations."""

    raw: str
    folded: str
    digits: str

    @classmethod
    def of(cls, *outputs: str) -> Published:
        folded = [fold(out) for out in outputs]
        digits = "|".join(_NOT_DIGITS.sub("", out) for out in folded)
        return cls("\x00".join(outputs), "\x00".join(folded), digits)


def leaks(secret: Secret, output: str | Published) -> list[str]:
    """The forms of ``secret`` found in ``output`` (digits compared with the output's digits alone)."""
    out = output if isinstance(output, Published) else Published.of(output)
    found = [form for form in secret.forms if form and (form in out.raw or form in out.folded)]
    found += [form for form in secret.forms if form.isdigit() and len(form) >= 7 and form in out.digits]
    return found


def kept_words(words: list[str], output: str) -> int:
    """How many of ``words`` appear in ``output`` in their order."""
    kept, cursor = 0, 0
    for word in words:
        at = output.find(word, cursor)
        if at >= 0:
            kept, cursor = kept + 1, at + len(word)
    return kept
