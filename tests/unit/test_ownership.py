"""Object-level access rules: the owner reaches, a stranger gets the 404 of a missing object, lists filter in SQL,
and an object or caller without an owner value is closed to the scoped roles."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import Column, MetaData, String, Table, select
from sqlalchemy.dialects import sqlite

from services.cases.access import OWNERSHIP as CASES
from services.disclosure.access import OWNERSHIP as DISCLOSURE
from services.monitoring.access import OWNERSHIP as MONITORING
from services.referral.access import OWNERSHIP as REFERRAL
from shared.auth import Principal, Role
from shared.ownership import By, Caller, Rule, Scope
from shared.problems import Problem

pytestmark = pytest.mark.unit

RULE = Rule(
    ("物件", "Thing"),
    unscoped=frozenset({Role.HEAD}),
    scopes=(Scope(By.TEAM, "team", frozenset({Role.OFFICER})), Scope(By.UNIT, "unit", frozenset({Role.POLICE}))),
    slug="thing-not-found",
)


@dataclass
class Thing:
    id: str
    team: str | None = None
    unit: str | None = None


# A table of its own metadata: nothing joins the services' tables.
THINGS = Table("ownership_thing", MetaData(), Column("id", String, primary_key=True), Column("team", String))


@dataclass
class Station:
    code: str


def officer(team: str | None) -> Principal:
    return Principal(subject="o", roles=frozenset({Role.OFFICER}), zone="staff", team=team)


def sql(statement: object) -> str:
    compiled = statement.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})  # type: ignore[attr-defined]
    return str(compiled)


def test_the_owner_reaches_and_a_stranger_gets_the_404_of_a_missing_object() -> None:
    thing = Thing(id="t1", team="一队", unit="西青公安分局")
    assert RULE.check(officer("一队"), thing, "t1") is thing
    with pytest.raises(Problem) as other_team:
        RULE.check(officer("二队"), thing, "t1")
    with pytest.raises(Problem) as missing:
        RULE.check(officer("一队"), None, "t1")
    assert other_team.value.status == missing.value.status == 404
    assert other_team.value.detail == missing.value.detail == "物件不存在 Thing t1 not found"
    police = Principal(subject="p", roles=frozenset({Role.POLICE}), zone="police", unit="西青公安分局")
    assert RULE.allows(police, thing)
    assert not RULE.allows(police.model_copy(update={"unit": "北辰公安分局"}), thing)


def test_no_owner_on_either_side_is_closed_to_scoped_roles() -> None:
    assert not RULE.allows(officer(None), Thing(id="t", team=None))  # a teamless officer never matches a teamless row
    assert not RULE.allows(officer("一队"), Thing(id="t", team=None))
    assert not RULE.allows(officer(None), Thing(id="t", team="一队"))
    head = Principal(subject="h", roles=frozenset({Role.HEAD}), zone="staff")
    admin = Principal(subject="a", roles=frozenset({Role.ADMIN}), zone="staff")
    assert RULE.allows(head, Thing(id="t"))
    assert RULE.allows(admin, Thing(id="t"))
    # a role neither unscoped nor scoped reaches nothing
    assert not RULE.allows(Principal(subject="x", roles=frozenset({Role.LEGAL_REVIEWER}), zone="staff"), Thing(id="t"))


def test_a_rule_through_a_parent_reads_the_owner_from_the_parent() -> None:
    child = Rule(("文件", "Document"), frozenset({Role.HEAD}), RULE.scopes, through="thing")
    document = object()
    assert child.check(officer("一队"), document, "d1", parent=Thing(id="t", team="一队")) is document
    with pytest.raises(Problem):
        child.check(officer("一队"), document, "d1", parent=None)  # no parent: no owner


def test_lists_are_filtered_in_sql() -> None:
    statement, things = select(THINGS), THINGS.c
    head = Principal(subject="h", roles=frozenset({Role.HEAD}), zone="staff")
    assert "WHERE" not in sql(RULE.where(statement, head, things))
    assert sql(RULE.where(statement, officer("一队"), things)).endswith("WHERE ownership_thing.team = '一队'")
    assert sql(RULE.where(statement, officer(None), things)).endswith("WHERE 0 = 1")


def test_a_station_caller_owns_its_own_code_only() -> None:
    push = MONITORING["readings_push"]
    assert push.allows(Caller.station("ST1"), Station("ST1"))
    assert not push.allows(Caller.station("ST1"), Station("ST2"))
    assert push.allows(
        Principal(subject="m", roles=frozenset({Role.MONITORING_REVIEWER}), zone="staff"), Station("ST2")
    )


def test_every_service_declares_its_objects() -> None:
    for declaration, service in (
        (CASES, "cases"),
        (REFERRAL, "referral"),
        (DISCLOSURE, "disclosure"),
        (MONITORING, "monitoring"),
    ):
        assert declaration.service == service
        assert declaration.rules
    assert CASES["case"].scopes  # the team-owned objects
    assert REFERRAL["referral"].scopes
    assert Role.OFFICER not in CASES["case"].unscoped | REFERRAL["referral"].unscoped
    for name in ("evidence", "decision", "clock_stop"):
        assert CASES[name].through == "case"
        assert CASES[name].scopes == CASES["case"].scopes
