"""The demo scenario as data: everything the loader will create, decided from one seed (same seed → same plan).

The counts are those the district bureau reported for 2020–2021 (domain.md §6). Dates follow the procedure's time
limits on the official working calendar, so every step the services check (filing within 15 days, ≥ 2 credentialed
officers, answer window, review meeting before the decision, publication within 7 / 20 working days, police steps
within their hours and days) is met.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from services.cases.domain.identifiers import CREDIT_ALPHABET, credit_code_check_char, id_number_check_char
from shared.workdays import WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT_SEED = 2021

# The reported figures (domain.md §6).
PENALTIES = 143
SEIZURES = 1
YELLOW_CARDS = 20
ORDERS_TO_CORRECT = 151
MEETINGS = 60
CASES_REVIEWED = 167
REFERRAL_MEDIA: tuple[str, ...] = ("water", "soil", "soil", "soil")
SECTIONS = 96
AIR_STATIONS = 10
ENTERPRISES = 420

TOWNS: tuple[str, ...] = (
    "杨柳青镇", "辛口镇", "张家窝镇", "精武镇", "中北镇", "大寺镇", "王稳庄镇", "李七庄街", "西营门街",
)  # fmt: skip
TOWN_CODES: tuple[str, ...] = ("YLQ", "XK", "ZJW", "JW", "ZB", "DS", "WWZ", "LQZ", "XYM")
RIVERS: tuple[str, ...] = (
    "子牙河", "大清河", "南运河", "独流减河", "中亭河", "津港运河", "卫津河", "赤龙河", "丰产河", "自来水河",
    "南引河", "西大洼排水河", "陈台子排水河", "复兴河", "洪泥河", "月牙河",
)  # fmt: skip
LAKES: tuple[str, ...] = ("王稳庄水库", "鸭淀水库", "杨柳青森林公园湖")
AIR_PARAMETERS: tuple[str, ...] = ("so2", "no2", "co", "pm10", "pm25", "o3")
WATER_PARAMETERS: tuple[str, ...] = ("ph", "do", "codmn", "cod", "bod5", "nh3n", "tp")
WATER_MONTHS: tuple[date, ...] = tuple(date(2020 + m // 12, m % 12 + 1, 1) for m in range(24))
AIR_START = date(2021, 1, 1)

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = (
    "建国", "志强", "秀英", "海涛", "立新", "淑华", "春生", "文博", "晓东", "红梅", "永利", "玉兰", "国庆", "宏伟",
    "德明", "丽娟", "振华", "金凤", "长江", "子健", "雪梅", "新民", "桂芳", "俊杰", "宝山", "凤英", "明辉", "秀兰",
)  # fmt: skip
BRANDS = (
    "津西", "华泰", "鑫源", "宏达", "恒信", "瑞丰", "金盛", "中正", "德润", "海河", "远航", "盛世", "利民", "同创",
    "长城", "星辰", "永固", "天成", "鼎盛", "汇通", "北辰", "新纪元", "环宇", "精诚", "嘉禾", "博远", "正泰", "通达",
    "万隆", "聚源", "和顺", "晟达", "铭扬", "凯越", "力拓", "光明", "安泰", "福润", "金桥", "立信",
)  # fmt: skip
TRADES = (
    "化工", "金属制品", "塑料制品", "家具制造", "印刷", "汽车配件", "电镀", "食品", "建材", "包装", "机械制造",
    "涂料", "橡胶制品", "物流", "混凝土", "钢管", "电子", "纺织", "制药", "再生资源",
)  # fmt: skip
ROADS = ("津静公路", "杨柳青大道", "中北大道", "张家窝工业园", "赛达大道", "天津西青经济技术开发区", "王稳庄工业区")

TEAMS: tuple[str, ...] = ("执法一队", "执法二队")

# 双随机抽查 of the seed year: the registry's categories by trade (重点排污单位 for the heavy trades, 特殊监管对象 for
# waste recycling), a draw per quarter and category with the count from the proportions in force (the cases
# service's dated rates, services/cases/data/random_inspection_rates.json), inspections from the quarter's second
# week; about one in eight finds a violation and opens a lead.
KEY_POLLUTER_TRADES = ("化工", "电镀")
SPECIAL_TRADES = ("再生资源",)
DRAW_YEAR = 2021
VIOLATION_SHARE = 0.125
MAX_DRAWN = 25  # more than any quarter's count: the days and findings planned for each drawn entity


@dataclass(frozen=True)
class Section:
    """地表水断面, monitored monthly."""

    code: str
    name: str
    town: str
    water_body: Literal["river", "lake"]
    target_class: str
    quality: float  # typical class as a number (1.0 = I … 5.0 = V, above 5 = 劣V)


@dataclass(frozen=True)
class AirStation:
    """镇街空气自动站."""

    code: str
    name: str
    town: str
    latitude: float
    longitude: float
    factor: float  # local pollution level relative to the district mean
    outages: tuple[tuple[int, int], ...]  # (first hour index, hours) with no data
    faults: tuple[tuple[int, int, str, str], ...]  # (first hour, hours, parameter, HJ 212 flag)


@dataclass(frozen=True)
class Party:
    """当事人: an enterprise (or a person) of a town."""

    key: str
    party_type: Literal["organisation", "individual", "sole_trader"]
    name: str
    town: str
    address: str
    credit_code: str | None = None
    id_number: str | None = None
    legal_representative: str | None = None


@dataclass(frozen=True)
class OfficerPlan:
    key: str
    name: str
    credential_number: str
    team: str | None
    legal_qualification: bool = False
    subject: str | None = None
    # 执法证有效期 as first issued; the renewed credential's period, recorded once the year's casework is done; and
    # whether the officer has left enforcement since (停用: off the public list, kept in its history).
    valid_from: date | None = None
    valid_until: date | None = None
    renewal: tuple[date, date] | None = None
    deactivated: bool = False

    @property
    def current_period(self) -> tuple[date | None, date | None]:
        """The valid period the register holds at the end of the load."""
        return self.renewal or (self.valid_from, self.valid_until)


@dataclass(frozen=True)
class Violation:
    medium: str
    violation_type: str
    facts: str
    legal_basis: str
    penalty_summary: str
    fine_fen: int
    order: str  # 责令改正 content


@dataclass(frozen=True)
class ReferralPlan:
    """涉嫌犯罪移送 and the police's handling (西青公安分局)."""

    medium: str
    offence: str
    summary: str
    package_items: tuple[str, ...]
    facts: dict[str, float | int]
    approved_on: date
    transfer_at: datetime
    letter_number: str
    received_at: datetime
    receiver: str
    decided_at: datetime
    police_case_number: str
    exhibits_at: datetime | None
    exhibits: tuple[str, ...]


@dataclass(frozen=True)
class CasePlan:
    """One case from lead to closing; each date is a step of the procedure, strictly increasing."""

    key: str
    kind: Literal["penalty", "yellow_card", "referral"]
    party: str
    team: str
    investigators: tuple[str, str]
    reviewer: str
    lead_source: Literal["inspection", "complaint", "monitoring"]
    violation: Violation
    received_on: date
    filed_on: date
    investigating_on: date
    review_on: date
    meeting: str
    notice_on: date | None = None
    answered_on: date | None = None
    legal_on: date | None = None
    decided_on: date | None = None
    published_on: date | None = None
    served_on: date | None = None
    executing_on: date | None = None
    paid_on: date | None = None
    closed_on: date | None = None
    order_published_on: date | None = None  # the accompanying order to correct (penalty cases)
    referral: ReferralPlan | None = None
    transferred_on: date | None = None


@dataclass(frozen=True)
class MeetingPlan:
    """案件审议会."""

    key: str
    held_on: date
    cases: tuple[str, ...]


@dataclass(frozen=True)
class StandalonePlan:
    """A decision outside a case file: an order to correct after an inspection, or the seizure."""

    key: str
    kind: Literal["order_to_correct", "seizure"]
    party: str
    decided_on: date
    published_on: date
    violation: Violation
    seizure_items: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegistryEntry:
    """监管对象名录 line: a party of the plan with its category and industry."""

    party: str
    category: Literal["key_polluter", "ordinary", "special"]
    industry: str


@dataclass(frozen=True)
class DrawPlan:
    """One quarter's draw for a category; the n-th drawn entity is inspected on ``days[n]`` and, if
    ``violations[n]``, a violation is found (a lead, declined after the correction, 不予立案)."""

    category: Literal["key_polluter", "ordinary", "special"]
    year: int
    quarter: int
    days: tuple[date, ...]
    violations: tuple[bool, ...]
    public_entropy: str


@dataclass(frozen=True)
class DemoPlan:
    seed: int
    air_days: int
    sections: tuple[Section, ...]
    air_stations: tuple[AirStation, ...]
    parties: tuple[Party, ...]
    officers: tuple[OfficerPlan, ...]
    cases: tuple[CasePlan, ...]
    meetings: tuple[MeetingPlan, ...]
    standalone: tuple[StandalonePlan, ...]
    annual_report_published_on: date = date(2022, 1, 20)
    # The 2020 enforcement report, by 31 January 2021; the 2021 rule-of-law report, before 1 April 2022.
    annual_report_2020_published_on: date = date(2021, 1, 22)
    rule_of_law_report_published_on: date = date(2022, 3, 25)
    expected: dict[str, int] = field(default_factory=dict)
    registry: tuple[RegistryEntry, ...] = ()
    draws: tuple[DrawPlan, ...] = ()
    # 执法统计季报、年报 of 2021: each published some days after its period ends (the year with the annual report).
    statistics_releases: tuple[tuple[str, date], ...] = (
        ("Q1", date(2021, 4, 15)),
        ("Q2", date(2021, 7, 15)),
        ("Q3", date(2021, 10, 15)),
        ("Q4", date(2022, 1, 14)),
        ("year", date(2022, 1, 20)),
    )

    @property
    def air_dates(self) -> tuple[date, ...]:
        """The days of hourly air data (each gets a daily bulletin)."""
        return tuple(AIR_START + timedelta(days=n) for n in range(self.air_days))

    @property
    def air_weeks(self) -> tuple[date, ...]:
        """Mondays of the weeks the air data covers whole (each gets a weekly bulletin)."""
        days = set(self.air_dates)
        return tuple(d for d in self.air_dates if d.weekday() == 0 and d + timedelta(days=6) in days)

    @property
    def air_months(self) -> tuple[date, ...]:
        """First days of the months the air data touches (each gets a monthly bulletin)."""
        last = AIR_START + timedelta(days=max(self.air_days, 1) - 1)
        months, month = [], AIR_START
        while month <= last:
            months.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        return tuple(months)


class _Days:
    """Working-day arithmetic on the official calendar (the services use the same one)."""

    def __init__(self) -> None:
        self.calendar = WorkCalendar()

    def workday_on_or_after(self, day: date) -> date:
        while not self.calendar.is_workday(day):
            day += timedelta(days=1)
        return day

    def workday_on_or_before(self, day: date) -> date:
        while not self.calendar.is_workday(day):
            day -= timedelta(days=1)
        return day

    def plus(self, day: date, working_days: int) -> date:
        return self.calendar.add_working_days(day, working_days).due_on

    def minus(self, day: date, working_days: int) -> date:
        while working_days:
            day -= timedelta(days=1)
            if self.calendar.is_workday(day):
                working_days -= 1
        return day


def credit_code(rng: random.Random) -> str:
    body = "91120111" + "".join(rng.choice(CREDIT_ALPHABET) for _ in range(9))
    return body + credit_code_check_char(body)


def id_number(rng: random.Random) -> str:
    born = date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 35))
    body = f"120111{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + id_number_check_char(body)


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _parties(rng: random.Random) -> list[Party]:
    names: set[str] = set()
    parties: list[Party] = []
    while len(parties) < ENTERPRISES:
        index = len(parties)
        town = TOWNS[index % len(TOWNS)]
        name = f"天津市{rng.choice(BRANDS)}{rng.choice(TRADES)}有限公司"
        if name in names:
            continue
        names.add(name)
        address = f"天津市西青区{town}{rng.choice(ROADS)}{rng.randint(1, 300)}号"
        parties.append(
            Party(f"P{index:03d}", "organisation", name, town, address, credit_code(rng), None, _person(rng))
        )
    for index in range(3):  # people: open burning, a small workshop, illegal dumping
        town = TOWNS[(index * 4 + 2) % len(TOWNS)]
        address = f"天津市西青区{town}{rng.choice(('东', '西', '南', '北'))}村{rng.randint(1, 99)}号"
        parties.append(Party(f"I{index}", "individual", _person(rng), town, address, None, id_number(rng)))
    return parties


def _violation(rng: random.Random, party: Party, *, yellow: bool = False) -> Violation:
    multiple = round(rng.uniform(0.2, 2.8), 1)
    options = [
        (
            "water", "超标排放水污染物",
            f"{party.name}废水总排口化学需氧量超过《污水综合排放标准》（DB12/356-2018）{multiple}倍。",
            "《中华人民共和国水污染防治法》第八十三条第二项", (100_000, 500_000),
            "立即停止超标排放水污染物，并于三十日内完成污水处理设施整改。",
        ),
        (
            "air", "超标排放大气污染物",
            f"{party.name}废气排气筒颗粒物排放浓度超过排放标准{multiple}倍。",
            "《中华人民共和国大气污染防治法》第九十九条第二项", (100_000, 600_000),
            "立即停止超标排放大气污染物，完成废气治理设施整改。",
        ),
        (
            "air", "挥发性有机物无组织排放",
            f"{party.name}喷涂工序未在密闭空间或者设备中进行，未按规定安装、使用污染防治设施。",
            "《中华人民共和国大气污染防治法》第一百零八条第一项", (20_000, 150_000),
            "立即改正，将喷涂工序移入密闭空间并配套建设废气收集处理设施。",
        ),
        (
            "solid_waste", "危险废物贮存不规范",
            f"{party.name}未按照国家有关规定贮存废矿物油、废活性炭等危险废物，未设置危险废物识别标志。",
            "《中华人民共和国固体废物污染环境防治法》第一百一十二条第一款第六项", (100_000, 400_000),
            "立即规范危险废物贮存场所，设置识别标志并建立管理台账。",
        ),
        (
            "other", "未批先建",
            f"{party.name}建设项目环境影响报告表未经批准，擅自开工建设并投入生产。",
            "《中华人民共和国环境影响评价法》第三十一条第一款", (50_000, 300_000),
            "立即停止建设，依法报批建设项目环境影响评价文件。",
        ),
        (
            "other", "无证排污",
            f"{party.name}未取得排污许可证排放污染物。",
            "《排污许可管理条例》第三十三条第一项", (200_000, 500_000),
            "立即停止排放污染物，依法申领排污许可证。",
        ),
        (
            "noise", "工业噪声超标",
            f"{party.name}厂界夜间噪声超过《工业企业厂界环境噪声排放标准》限值。",
            "《中华人民共和国环境噪声污染防治法》第四十八条", (10_000, 100_000),
            "立即采取隔声降噪措施，确保厂界噪声达标排放。",
        ),
    ]  # fmt: skip
    if yellow:
        options = options[:2]
    medium, violation_type, facts, basis, (low, high), order = rng.choice(options)
    if yellow:  # the notice restricts production and carries no fine: a fine would be a penalty decision of its own
        facts += "经复查仍未稳定达标，依据天津市有关规定予以“黄牌”警示。"
        return Violation(medium, violation_type, facts, basis, "予以环保“黄牌”警示，责令限制生产三个月", 0, order)
    yuan = rng.randrange(low, high + 1, 1_000) if high > low else low
    return Violation(medium, violation_type, facts, basis, f"罚款人民币{yuan:,}元", yuan * 100, order)


# 执法证: valid five years from issue; most of the bureau's were issued in 2019 (before the first inspection of
# 2020-01-10) and renewed in 2024. 刘洋 left enforcement when his lapsed (停用), 孙浩's renewal is still pending
# (the list shows it 已过有效期), the legal reviewer's was issued in 2021.
CREDENTIAL_YEARS = 5
OFFICERS: tuple[tuple[str, str | None, str | None, date, bool, bool], ...] = (
    # name, team, login, issued on, renewed, deactivated
    ("王建国", "执法一队", "officer1", date(2019, 3, 15), True, False),
    ("李明", "执法一队", "officer2", date(2019, 3, 15), True, False),
    ("张伟", "执法一队", None, date(2019, 6, 20), True, False),
    ("刘洋", "执法一队", None, date(2019, 6, 20), False, True),
    ("陈静", "执法二队", None, date(2019, 9, 10), True, False),
    ("杨帆", "执法二队", None, date(2019, 9, 10), True, False),
    ("赵磊", "执法二队", None, date(2019, 11, 25), True, False),
    ("孙浩", "执法二队", None, date(2019, 11, 25), False, False),
)
LEGAL_REVIEWER_ISSUED = date(2021, 4, 1)


def _years_later(day: date, years: int) -> date:
    """The last day of a term of ``years`` years starting on ``day``."""
    return day.replace(year=day.year + years) - timedelta(days=1)


def _officer(
    key: str,
    name: str,
    number: str,
    team: str | None,
    issued: date,
    *,
    renewed: bool,
    subject: str | None,
    deactivated: bool = False,
    legal_qualification: bool = False,
) -> OfficerPlan:
    """An officer whose credential was issued on ``issued`` for the term, and renewed for another if ``renewed``."""
    until = _years_later(issued, CREDENTIAL_YEARS)
    follows = until + timedelta(days=1)
    return OfficerPlan(
        key,
        name,
        number,
        team,
        legal_qualification=legal_qualification,
        subject=subject,
        valid_from=issued,
        valid_until=until,
        renewal=(follows, _years_later(follows, CREDENTIAL_YEARS)) if renewed else None,
        deactivated=deactivated,
    )


def _officers() -> list[OfficerPlan]:
    officers = [
        _officer(
            f"O{i}", name, f"12011100{i + 1:04d}", team, issued, renewed=renewed, subject=subject, deactivated=left
        )
        for i, (name, team, subject, issued, renewed, left) in enumerate(OFFICERS)
    ]
    officers.append(
        _officer(
            "L0",
            "周敏",
            "120111009001",
            None,
            LEGAL_REVIEWER_ISSUED,
            renewed=True,
            subject="legal",
            legal_qualification=True,
        )
    )
    return officers


def _meeting_days(rng: random.Random, days: _Days) -> list[date]:
    first, last = date(2020, 3, 2), date(2021, 12, 10)
    span = (last - first).days
    out: list[date] = []
    for index in range(MEETINGS):
        start = first + timedelta(days=span * index // MEETINGS)
        end = first + timedelta(days=span * (index + 1) // MEETINGS - 1)
        day = days.workday_on_or_after(start + timedelta(days=rng.randrange(max((end - start).days, 1))))
        if out and day <= out[-1]:
            day = days.plus(out[-1], 1)
        out.append(day)
    return out


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def _referral(rng: random.Random, days: _Days, case_no: int, medium: str, party: Party, held_on: date) -> ReferralPlan:
    if medium == "water":
        tonnes, offence = None, "污染环境罪"
        summary = f"{party.name}通过暗管向雨水管网排放含镍电镀废水，镍浓度超过排放标准{rng.randint(11, 30)}倍。"
        facts: dict[str, float | int] = {"heavy_metal_multiple_ni": 0, "hidden_discharge": 1}
        exhibits: tuple[str, ...] = ("暗管一段（约30米）", "排污泵一台", "水样四份")
    else:
        tonnes = round(rng.uniform(4.0, 60.0), 1)
        offence = "污染环境罪"
        summary = f"{party.name}将废矿物油、废酸等危险废物约{tonnes}吨非法倾倒于{party.town}农用地，造成土壤污染。"
        facts = {"hazardous_waste_tonnes": tonnes}
        exhibits = ("土壤样品六份", "倾倒车辆行驶记录", "危险废物残留物样品两份")
    transfer = _at(held_on, 16)
    received = transfer + timedelta(hours=rng.randint(2, 16))
    decided_day = days.plus(received.date(), rng.randint(1, 3))
    decided = _at(decided_day, 15, 30)
    year = held_on.year
    return ReferralPlan(
        medium=medium,
        offence=offence,
        summary=summary,
        package_items=("移送函", "调查报告", "现场检查笔录", "询问笔录", "采样记录", "监测报告", "现场照片及视频"),
        facts={k: v for k, v in facts.items() if k != "heavy_metal_multiple_ni"},
        approved_on=held_on,
        transfer_at=transfer,
        letter_number=f"西青环移〔{year}〕{case_no}号",
        received_at=received,
        receiver=f"西青公安分局环食药侦支队 {_person(rng)}",
        decided_at=decided,
        police_case_number=f"西公（环）立字〔{year}〕{rng.randint(10, 99)}号",
        exhibits_at=_at(days.plus(decided_day, rng.randint(1, 2)), 10),
        exhibits=exhibits,
    )


def _cases(
    rng: random.Random, days: _Days, parties: list[Party], officers: list[OfficerPlan]
) -> tuple[list[CasePlan], list[MeetingPlan]]:
    sizes = [3] * 47 + [2] * 13
    rng.shuffle(sizes)
    assert sum(sizes) == CASES_REVIEWED
    assert len(sizes) == MEETINGS
    kinds: list[str] = ["penalty"] * PENALTIES + ["yellow_card"] * YELLOW_CARDS + ["referral"] * len(REFERRAL_MEDIA)
    rng.shuffle(kinds)
    media = list(REFERRAL_MEDIA)
    case_parties = [p for p in parties if p.party_type == "organisation"][:152]
    people = [p for p in parties if p.party_type == "individual"]
    team_officers = {team: [o.key for o in officers if o.team == team] for team in TEAMS}
    cases: list[CasePlan] = []
    meetings: list[MeetingPlan] = []
    referrals_in_year: dict[int, int] = {}
    for m_index, (held_on, size) in enumerate(zip(_meeting_days(rng, days), sizes, strict=True)):
        keys = []
        for _ in range(size):
            index = len(cases)
            kind = kinds[index]
            if kind == "referral" and media[0] == "soil" and len(media) == 1:
                party = people[2]  # the last soil case: a person dumping waste
            elif index in (40, 120) and kind == "penalty":
                party = people[0 if index == 40 else 1]
            elif index < len(case_parties):
                party = case_parties[index]
            else:
                party = case_parties[rng.randrange(len(case_parties))]  # a repeat offender
            team = TEAMS[index % 2]
            investigators = tuple(rng.sample(team_officers[team], 2))
            reviewer = rng.choice(team_officers[TEAMS[(index + 1) % 2]])
            key = f"C{index:03d}"
            keys.append(key)
            legal_on = days.minus(held_on, rng.randint(1, 3))
            answered = days.minus(legal_on, rng.randint(1, 2))
            notice = days.minus(answered, rng.randint(1, 3))
            review = days.minus(notice, rng.randint(2, 5))
            filed = days.workday_on_or_before(review - timedelta(days=rng.randint(15, 35)))
            received = days.workday_on_or_before(filed - timedelta(days=rng.randint(2, 10)))
            source = rng.choices(("inspection", "complaint", "monitoring"), weights=(6, 3, 1))[0]
            common = {
                "key": key, "party": party.key, "team": team, "investigators": investigators,
                "reviewer": reviewer, "lead_source": source, "received_on": received, "filed_on": filed,
                "investigating_on": days.plus(filed, 1), "meeting": f"M{m_index:02d}",
            }  # fmt: skip
            if kind == "referral":
                medium = media.pop(0)
                year = held_on.year
                referrals_in_year[year] = referrals_in_year.get(year, 0) + 1
                referral = _referral(rng, days, referrals_in_year[year], medium, party, held_on)
                basis = "《行政执法机关移送涉嫌犯罪案件的规定》第三条"
                violation = Violation(medium, "涉嫌污染环境犯罪", referral.summary, basis, "移送公安机关", 0, "")
                transferred = days.plus(referral.decided_at.date(), 1)
                cases.append(
                    CasePlan(
                        **common,  # type: ignore[arg-type]
                        kind="referral",
                        violation=violation,
                        review_on=days.minus(held_on, rng.randint(2, 6)),
                        referral=referral,
                        transferred_on=transferred,
                        closed_on=days.plus(transferred, rng.randint(2, 6)),
                    )
                )
                continue
            violation = _violation(rng, party, yellow=kind == "yellow_card")
            decided = days.plus(held_on, rng.randint(1, 5))
            served = days.plus(decided, rng.randint(1, 3))
            # A fine is paid before the case closes; a yellow card (no fine) closes once served.
            fined = violation.fine_fen > 0
            executing = days.plus(served, 1) if fined else None
            paid = executing + timedelta(days=rng.randint(2, 10)) if executing else None
            cases.append(
                CasePlan(
                    **common,  # type: ignore[arg-type]
                    kind=kind,  # type: ignore[arg-type]
                    violation=violation,
                    review_on=review,
                    notice_on=notice,
                    answered_on=answered,
                    legal_on=legal_on,
                    decided_on=decided,
                    # Both are penalties since 2021-07-15 (7 working days): published within 5.
                    published_on=days.plus(decided, rng.randint(1, 5)),
                    served_on=served,
                    executing_on=executing,
                    paid_on=paid,
                    closed_on=days.plus(paid or served, rng.randint(2, 8)),
                    order_published_on=days.plus(decided, rng.randint(1, 15)) if kind == "penalty" else None,
                )
            )
        meetings.append(MeetingPlan(f"M{m_index:02d}", held_on, tuple(keys)))
    return cases, meetings


def _standalone(rng: random.Random, days: _Days, parties: list[Party], cases: list[CasePlan]) -> list[StandalonePlan]:
    out: list[StandalonePlan] = []
    free = [p for p in parties if p.party_type == "organisation"][152:160]
    for index, party in enumerate(free):
        decided = days.workday_on_or_after(date(2020, 4, 1) + timedelta(days=80 * index + rng.randint(0, 40)))
        violation = Violation(
            "solid_waste", "危险废物管理台账不完善",
            f"{party.name}未按规定建立危险废物管理台账，未如实记录危险废物的种类、产生量、流向、贮存、利用和处置情况。",
            "《中华人民共和国固体废物污染环境防治法》第七十八条", "责令改正", 0,
            "于十五日内建立并如实填写危险废物管理台账。",
        )  # fmt: skip
        published = days.plus(decided, rng.randint(2, 15))
        out.append(StandalonePlan(f"S{index}", "order_to_correct", party.key, decided, published, violation))
    water = next(c for c in cases if c.referral is not None and c.referral.medium == "water")
    decided = days.plus(water.filed_on, 1)
    violation = Violation(
        "water", "涉嫌通过暗管排放水污染物",
        f"经现场检查，{next(p.name for p in parties if p.key == water.party)}涉嫌通过暗管排放含重金属废水，"
        "为防止证据灭失，对相关设施设备予以查封。",
        "《中华人民共和国环境保护法》第二十五条；《环境保护主管部门实施查封、扣押办法》第四条", "查封排污设施", 0, "",
    )  # fmt: skip
    out.append(
        StandalonePlan(
            "SZ0", "seizure", water.party, decided, days.plus(decided, rng.randint(2, 10)), violation,
            ("排污泵两台", "暗管约三十米", "电镀槽三个"),
        )
    )  # fmt: skip
    return out


def _sections(rng: random.Random) -> list[Section]:
    per_town = [11] * 6 + [10] * 3
    out: list[Section] = []
    lakes = list(LAKES)
    for town_index, (town, count) in enumerate(zip(TOWNS, per_town, strict=True)):
        rivers = rng.sample(RIVERS, 4)
        for n in range(count):
            lake = bool(lakes) and town_index in (0, 5, 6) and n == 0
            target = rng.choices(("III", "IV", "V"), weights=(2, 5, 3))[0]
            target_number = {"III": 3.0, "IV": 4.0, "V": 5.0}[target]
            quality = max(2.0, min(6.2, rng.gauss(target_number - 0.2, 0.7)))
            name = f"{lakes.pop(0)}断面" if lake else f"{rivers[n % 4]}{town.rstrip('镇街')}{n + 1}号断面"
            code = f"XQ-W{town_index + 1}{n + 1:02d}"
            out.append(Section(code, name, town, "lake" if lake else "river", target, round(quality, 2)))
    assert len(out) == SECTIONS
    return out


def _air_stations(rng: random.Random, hours: int) -> list[AirStation]:
    towns = (*TOWNS, TOWNS[0])
    out: list[AirStation] = []
    for index, town in enumerate(towns):
        outages = tuple(
            (rng.randrange(max(hours - 40, 1)), rng.randint(3, 30)) for _ in range(rng.randint(1, 4))
        )  # fmt: skip
        faults = tuple(
            (rng.randrange(max(hours - 12, 1)), rng.randint(2, 12), rng.choice(AIR_PARAMETERS), rng.choice("DCM"))
            for _ in range(rng.randint(2, 6))
        )  # fmt: skip
        name = f"{town}{'二号' if index == 9 else ''}空气自动监测站"
        out.append(
            AirStation(
                f"XQ-A{index + 1:02d}", name, town, round(39.0 + rng.uniform(0, 0.2), 4),
                round(117.0 + rng.uniform(0, 0.25), 4), round(rng.uniform(0.85, 1.18), 3), outages, faults,
            )
        )  # fmt: skip
    return out


def _registry(parties: list[Party]) -> list[RegistryEntry]:
    """Every enterprise of the plan, its category by trade."""
    entries = []
    for party in parties:
        if party.party_type != "organisation":
            continue
        trade = next(t for t in TRADES if t in party.name)
        category: Literal["key_polluter", "ordinary", "special"] = (
            "key_polluter" if trade in KEY_POLLUTER_TRADES else "special" if trade in SPECIAL_TRADES else "ordinary"
        )
        entries.append(RegistryEntry(party.key, category, trade))
    return entries


def _draws(seed: int, days: _Days, registry: list[RegistryEntry]) -> list[DrawPlan]:
    """A draw per quarter and category of the year; its own random stream, so the rest of the plan is unchanged."""
    rng = random.Random(f"{seed}:draws")  # noqa: S311 - demo data, reproducible on purpose
    draws = []
    for quarter in range(1, 5):
        start = date(DRAW_YEAR, 3 * quarter - 2, 1)
        for category in ("key_polluter", "ordinary", "special"):
            size = min(MAX_DRAWN, sum(1 for e in registry if e.category == category))
            inspection_days = tuple(
                days.workday_on_or_after(start + timedelta(days=8 + 3 * n + rng.randrange(3))) for n in range(size)
            )
            violations = tuple(rng.random() < VIOLATION_SHARE for _ in range(size))
            entropy = f"福彩3D {DRAW_YEAR}{quarter * 90 - 80:03d}期 {rng.randrange(1000):03d}"
            draws.append(DrawPlan(category, DRAW_YEAR, quarter, inspection_days, violations, entropy))
    return draws


def build_plan(seed: int = DEFAULT_SEED, *, air_days: int = 365) -> DemoPlan:
    """The whole scenario from ``seed``; ``air_days`` (1–365) limits the hourly air data from 1 January 2021."""
    if not 1 <= air_days <= 365:
        raise ValueError("air_days must be between 1 and 365")
    rng = random.Random(seed)  # noqa: S311 - demo data, reproducible on purpose
    days = _Days()
    parties = _parties(rng)
    officers = _officers()
    cases, meetings = _cases(rng, days, parties, officers)
    standalone = _standalone(rng, days, parties, cases)
    sections = _sections(rng)
    stations = _air_stations(rng, air_days * 24)
    registry = _registry(parties)
    draws = _draws(seed, days, registry)
    kinds = {"penalty": 0, "yellow_card": 0, "order_to_correct": 0, "seizure": 0}
    for case in cases:
        if case.kind != "referral":
            kinds[case.kind] += 1
        if case.order_published_on is not None:
            kinds["order_to_correct"] += 1
    for item in standalone:
        kinds[item.kind] += 1
    expected = {
        **kinds,
        "review_meetings": len(meetings),
        "cases_reviewed": sum(len(m.cases) for m in meetings),
        "referrals_water": sum(1 for c in cases if c.referral and c.referral.medium == "water"),
        "referrals_soil": sum(1 for c in cases if c.referral and c.referral.medium == "soil"),
        "sections": len(sections),
        "towns": len({s.town for s in sections}),
        "air_stations": len(stations),
        "parties": len(parties),
        "registry": len(registry),
        "draws": len(draws),
    }
    return DemoPlan(
        seed=seed,
        air_days=air_days,
        sections=tuple(sections),
        air_stations=tuple(stations),
        parties=tuple(parties),
        officers=tuple(officers),
        cases=tuple(cases),
        meetings=tuple(meetings),
        standalone=tuple(standalone),
        expected=expected,
        registry=tuple(registry),
        draws=tuple(draws),
    )
