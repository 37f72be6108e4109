"""The portal's index of enterprises (企业自行监测信息公开名录), Chinese HTML: by town, then industry and name, with
a search by name, the town and industry to choose from, and pages of ``PAGE_SIZE``; each links to its page. No
script; the form is a plain GET form."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import quote, urlencode

from sqlalchemy import func
from sqlmodel import col, select

from services.monitoring.handlers.bulletin_html import STYLE
from services.monitoring.handlers.enterprise_page import NOTICE, PAGE_STYLE
from services.monitoring.tables import Enterprise
from shared.messaging import UnitOfWork

INDEX_PATH = "/portal/monitoring/enterprises"
PORTAL_HOME = "/portal/"
PAGE_SIZE = 50
INDEX_TITLE = "企业自行监测信息公开"
INDEX_STYLE = (
    ".greenlaw-bulletin form{display:flex;flex-wrap:wrap;gap:.75em 1.25em;align-items:flex-end;margin:1em 0}"
    ".greenlaw-bulletin form label{display:flex;flex-direction:column}"
    ".greenlaw-bulletin table{width:100%}.greenlaw-bulletin td{text-align:left}"
)


@dataclass(frozen=True)
class IndexQuery:
    """What the reader asked for: blank fields mean "any"."""

    q: str | None = None
    town: str | None = None
    industry: str | None = None
    page: int = 1


@dataclass(frozen=True)
class IndexPage:
    query: IndexQuery
    enterprises: list[Enterprise]
    total: int
    towns: list[str]
    industries: list[str]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def enterprise_href(code: str) -> str:
    return f"{INDEX_PATH}/{quote(code, safe='')}"


async def index_page(uow: UnitOfWork, query: IndexQuery) -> IndexPage:
    """One page of the enterprises matching ``query`` (by town, industry, name, code), their count, and the towns
    and industries of the register for the form."""
    conditions = []
    if query.q:
        conditions.append(col(Enterprise.name).contains(query.q, autoescape=True))
    if query.town:
        conditions.append(col(Enterprise.town) == query.town)
    if query.industry:
        conditions.append(col(Enterprise.industry) == query.industry)
    total = (await uow.session.execute(select(func.count()).select_from(Enterprise).where(*conditions))).scalar_one()
    rows = (
        await uow.session.execute(
            select(Enterprise)
            .where(*conditions)
            .order_by(col(Enterprise.town), col(Enterprise.industry), col(Enterprise.name), col(Enterprise.code))
            .offset((query.page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
    ).scalars()
    towns = (await uow.session.execute(select(Enterprise.town).distinct().order_by(col(Enterprise.town)))).scalars()
    industries = (
        await uow.session.execute(select(Enterprise.industry).distinct().order_by(col(Enterprise.industry)))
    ).scalars()
    return IndexPage(query, list(rows), int(total), list(towns), list(industries))


def _page_href(query: IndexQuery, page: int) -> str:
    params = {"q": query.q, "town": query.town, "industry": query.industry, "page": str(page) if page > 1 else None}
    encoded = urlencode({k: v for k, v in params.items() if v})
    return f"{INDEX_PATH}?{encoded}" if encoded else INDEX_PATH


def _select(name: str, label: str, options: Sequence[str], chosen: str | None) -> str:
    items = ['<option value="">全部</option>'] + [
        f'<option value="{escape(o, quote=True)}"{" selected" if o == chosen else ""}>{escape(o)}</option>'
        for o in options
    ]
    return f'<label>{escape(label)}<select name="{name}">{"".join(items)}</select></label>'


def _form(found: IndexPage) -> str:
    q = escape(found.query.q or "", quote=True)
    return (
        f'<form method="get" action="{INDEX_PATH}" role="search" aria-label="查找企业">'
        f'<label>企业名称<input type="search" name="q" value="{q}" maxlength="100"></label>'
        + _select("town", "所在镇街", found.towns, found.query.town)
        + _select("industry", "行业类别", found.industries, found.query.industry)
        + '<button type="submit">查询</button></form>'
    )


def _town_section(town: str, enterprises: Sequence[Enterprise]) -> str:
    head = "".join(f"<th>{h}</th>" for h in ("企业名称", "行业类别", "重点排污单位", "排污许可证编号"))
    rows = "".join(
        f'<tr><td><a href="{escape(enterprise_href(e.code), quote=True)}">{escape(e.name)}</a></td>'
        f"<td>{escape(e.industry)}</td><td>{'是' if e.key_unit else '否'}</td>"
        f"<td>{escape(e.permit_number or '—')}</td></tr>"
        for e in enterprises
    )
    return (
        f'<section aria-label="{escape(town, quote=True)}"><h2>{escape(town)}</h2>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _link(href: str, rel: str, text: str) -> str:
    return f'<li><a href="{escape(href, quote=True)}" rel="{rel}">{text}</a></li>'


def _pager(found: IndexPage) -> str:
    page, links = found.query.page, []
    if page > 1:
        links.append(_link(_page_href(found.query, page - 1), "prev", "上一页"))
    if page < found.pages:
        links.append(_link(_page_href(found.query, page + 1), "next", "下一页"))
    return f'<nav aria-label="分页"><ul>{"".join(links)}</ul></nav>' if links else ""


def index_html(found: IndexPage) -> str:
    by_town: dict[str, list[Enterprise]] = {}
    for e in found.enterprises:
        by_town.setdefault(e.town, []).append(e)
    if found.enterprises:
        summary = f"共 {found.total} 家企业，第 {found.query.page} / {found.pages} 页。"
    elif found.total:
        summary = f"共 {found.total} 家企业，本页之后已无更多企业。"
    else:
        summary = "没有符合条件的企业。"
    parts = [
        f'<nav aria-label="门户导航"><ul><li><a href="{PORTAL_HOME}">行政执法公示</a></li>'
        f'<li><a href="{INDEX_PATH}">企业名录</a></li></ul></nav>',
        f"<h1>{INDEX_TITLE}</h1>",
        f'<p role="note">{escape(NOTICE)}</p>',
        _form(found),
        f'<p role="status">{escape(summary)}</p>',
        *(_town_section(town, rows) for town, rows in by_town.items()),
        _pager(found),
    ]
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{INDEX_TITLE}</title>'
        f"<style>{STYLE}{PAGE_STYLE}{INDEX_STYLE}</style></head>"
        f'<body><main class="greenlaw-bulletin">{"".join(parts)}</main></body></html>'
    )
