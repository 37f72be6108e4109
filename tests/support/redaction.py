"""Hypothesis strategies of personal data in the spellings decisions carry them, and Chinese filler text around it
(the redaction tests, unit and security)."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from services.cases.domain.identifiers import id_number_check_char

REGIONS = ["110105", "120111", "120104", "310101", "440305", "510107"]
CHINESE = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种"
    "面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本"
    "去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比"
    "或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总"
    "次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做"
    "必战先回则任取据处理世车"
)
FILLER = st.text(alphabet=CHINESE + "，。；：、（）abcXYZ 0123456789-", max_size=40)


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    born = draw(st.dates(min_value=date(1930, 1, 1), max_value=date(2008, 12, 31)))
    first17 = draw(st.sampled_from(REGIONS)) + born.strftime("%Y%m%d") + f"{draw(st.integers(0, 999)):03d}"
    return first17 + id_number_check_char(first17)


@st.composite
def phones(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        digits = (
            "1"
            + draw(st.sampled_from("3456789"))
            + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=9, max_size=9)))
        )
        style = draw(st.sampled_from(["plain", "dash", "space", "intl"]))
        grouped = f"{digits[:3]}{{0}}{digits[3:7]}{{0}}{digits[7:]}"
        return {"plain": digits, "dash": grouped.format("-"), "space": grouped.format(" "), "intl": "+86 " + digits}[
            style
        ]
    area = draw(st.sampled_from(["022", "010", "0755", "021"]))
    local = str(draw(st.integers(2_000_000, 89_999_999)))
    return draw(st.sampled_from([f"{area}-{local}", f"({area}){local}", f"（{area}）{local}"]))


@st.composite
def bank_accounts(draw: st.DrawFn) -> str:
    length = draw(st.integers(16, 19))
    digits = draw(st.sampled_from(["62", "43", "95"])) + "".join(
        draw(st.lists(st.sampled_from("0123456789"), min_size=length - 2, max_size=length - 2))
    )
    if draw(st.booleans()):
        return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))
    return digits
