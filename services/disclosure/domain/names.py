"""Names of natural persons other than the party (第三人姓名): witnesses, relatives, employees, others in the facts.

Decisions name a third person after the word for their role (证人王小明称, 其妻李某某, 员工张三、李四), or without
one where the sentence says they are persons: a list counted after it (张三、李四二人 / 等人) or a person's
description after the name (张三，男， / 张三（身份证…), at the start of a clause. A surname
from the common-surname list, then one or two given-name characters, cut where the sentence goes on (称, 在, 于,
punctuation …). A surname that is also a common function word (于, 向, 和 …) counts only before a clear
boundary (a bracket, comma or 称). Each name found becomes surname + 某, here and wherever it recurs in the text.
The party's own name and an organisation's legal representative are public (§3) and stay as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from services.disclosure.domain.detectors import Category, Span

SURNAMES = frozenset(
    "王李张刘陈杨黄吴赵周徐孙马朱胡林郭何高罗郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁于余叶蒋杜苏魏程吕丁沈任姚卢"
    "傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎闫薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严赖覃洪武莫孔汤向常"
    "温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂"
    "成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫"
    "费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡"
    "鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿"
    "国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银"
    "亢嵇公哈湛宾戎勾茅利呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)
DOUBLE_SURNAMES = [
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
    "轩辕",
    "令狐",
    "钟离",
    "端木",
    "澹台",
    "申屠",
    "太史",
    "闻人",
    "万俟",
    "呼延",
    "南宫",
    "西门",
    "第五",
]
_DOUBLE = frozenset(DOUBLE_SURNAMES)
# Surnames that are also everyday words: a name only before a clear boundary.
_AMBIGUOUS = frozenset("于向和从应以与及为由自当所能可会时都来方那过只全但还同将对在是其成常文安平和相")
# A given name ends before these (the sentence goes on); 某 means the name is already masked.
_NOT_GIVEN = frozenset("某的在于是等称说和与及、，,。；;：:（）()“”\"' 　男女均也")
_ENDS_NAME = frozenset(
    "称说证陈介承表系驾等作向也均和与及供到从当对将把被现曾已未不没每负担受同帮为所男女年月日岁家住生签确认指"
    "出交代反映讲回答经因并就即又再还都只亦仍要会能可应请告知看发问提带领拿运倒排放倾烧堆收购开骑用持在于是的"
    "之夫妻子父母"
)
_STRONG_END = re.compile(r"[（()）,，、：:。；;]|称|陈述|证实|介绍|表示|说|$")

ROLES = [
    "证人",
    "见证人",
    "被询问人",
    "询问对象",
    "举报人",
    "投诉人",
    "报案人",
    "知情人",
    "员工",
    "职工",
    "工人",
    "雇员",
    "临时工",
    "操作工",
    "技术员",
    "电工",
    "焊工",
    "司机",
    "驾驶员",
    "驾驶人",
    "保管员",
    "仓管员",
    "门卫",
    "保安",
    "会计",
    "出纳",
    "厨师",
    "负责人",
    "现场负责人",
    "经理",
    "厂长",
    "车间主任",
    "主任",
    "股东",
    "承包人",
    "承租人",
    "出租人",
    "房东",
    "联系人",
    "委托代理人",
    "代理人",
    "受托人",
    "值班人员",
    "工作人员",
    "管理人员",
    "现场人员",
    "施工人员",
    "陪同人员",
    "车主",
    "户主",
    "监护人",
    "未成年人",
    "村民",
    "邻居",
    "亲属",
    "其妻",
    "其夫",
    "妻子",
    "丈夫",
    "其子",
    "其女",
    "儿子",
    "女儿",
    "之子",
    "之女",
    "之妻",
    "之夫",
    "之父",
    "之母",
    "其父",
    "其母",
    "父亲",
    "母亲",
    "其兄",
    "其弟",
    "其姐",
    "其妹",
    "哥哥",
    "弟弟",
    "姐姐",
    "妹妹",
    "孙子",
    "孙女",
    "外甥",
    "侄子",
    "同事",
    "朋友",
    "合伙人",
    "收购人",
    "买受人",
    "运输人",
    "处置人",
    "租户",
    "户名",
    "账户名",
    "收款人",
    "持卡人",
    "开户人",
    "请联系",
    "无资质人员",
    "无证人员",
    "个人",
]
_ROLE = re.compile("(?:" + "|".join(sorted(ROLES, key=len, reverse=True)) + r")\s*[：:]?\s*")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def name_at(text: str, pos: int) -> int | None:
    """Where a person's name starting at ``pos`` ends, or None if no name starts there."""
    if text[pos : pos + 2] in _DOUBLE and (end := _given_end(text, pos + 2)) > pos + 2:
        return end
    # 欧阳 with no given name after it is 欧 + 阳: a single surname and a given name
    if pos >= len(text) or text[pos] not in SURNAMES:
        return None
    end = _given_end(text, pos + 1)
    if end == pos + 1:
        return None
    if text[pos] in _AMBIGUOUS and not (_STRONG_END.match(text, end) or (end < len(text) and text[end] in _ENDS_NAME)):
        return None
    return end


def _given_end(text: str, end: int) -> int:
    """Where one or two given-name characters starting at ``end`` stop."""
    given = 0
    while given < 2 and end < len(text) and _CJK.match(text[end]) and text[end] not in _NOT_GIVEN:
        if given == 1 and text[end] in _ENDS_NAME:
            break
        end, given = end + 1, given + 1
    return end


def third_persons(folded: str, public: Iterable[str]) -> Iterator[Span]:
    """Names after a role word (and the names listed after them with 、), except the public ones."""
    public_names = {p for p in public if p}
    for role in _ROLE.finditer(folded):
        pos = role.end()
        while (end := name_at(folded, pos)) is not None:
            name = folded[pos:end]
            if name not in public_names:
                yield Span(pos, end, Category.NAME, 0.8, replacement=masked(name))
            if not folded.startswith("、", end):
                break
            pos = end + 1
    yield from unintroduced(folded, public_names)


_CJK_CLASS = "\u4e00-\u9fff"
_SURNAME = "(?:" + "|".join(DOUBLE_SURNAMES) + "|[" + "".join(sorted(SURNAMES)) + "])"
_NAME = _SURNAME + "(?:(?![" + re.escape("".join(sorted(_NOT_GIVEN))) + "])[" + _CJK_CLASS + "]){1,2}?"
_COUNT = "[二两三四五六七八九十]"
# Two or more names listed with 、 and counted after (张三、李四二人 / 等人), or one name described as a person
# (张三，男， / 张三（身份证…); both only at the start of a clause, so an officer's list (执法人员张三、李四二人)
# is left.
_LISTED = re.compile(rf"(?<![{_CJK_CLASS}])(?P<names>{_NAME}(?:、{_NAME})+)(?={_COUNT}人|等人|等(?:{_COUNT}+|\d+)人)")
_DESCRIBED = re.compile(rf"(?<![{_CJK_CLASS}])(?P<names>{_NAME})(?=[（(]身份证|[，,][男女][，,]|[（(][男女][，,）)])")


def unintroduced(folded: str, public: Iterable[str]) -> Iterator[Span]:
    """Names with no role word before them, where the sentence itself says they are persons."""
    public_names = {p for p in public if p}
    for pattern in (_LISTED, _DESCRIBED):
        for match in pattern.finditer(folded):
            pos = match.start("names")
            for name in match.group("names").split("、"):
                if name not in public_names:
                    yield Span(pos, pos + len(name), Category.NAME, 0.8, replacement=masked(name))
                pos += len(name) + 1


def recurring(folded: str, names: Iterable[str]) -> Iterator[Span]:
    """Every occurrence of names already found (a witness named once is named again later)."""
    for name in sorted(set(names), key=len, reverse=True):
        at = folded.find(name)
        while at >= 0:
            end = at + len(name)
            if _name_ends_at(folded, end):  # 杨柳 the witness, not 杨柳 of 杨柳青镇
                yield Span(at, end, Category.NAME, 0.8, replacement=masked(name))
            at = folded.find(name, end)


def _name_ends_at(text: str, end: int) -> bool:
    return (
        end >= len(text) or not _CJK.match(text[end]) or text[end] in _ENDS_NAME or bool(_STRONG_END.match(text, end))
    )


def masked(name: str) -> str:
    """Surname + 某 (张三 → 张某, 欧阳小明 → 欧阳某)."""
    surname = name[:2] if name[:2] in _DOUBLE and len(name) > 2 else name[:1]
    return surname + "某"
