"""Object-level access (对象级授权): who owns an object, declared per service and object type, checked one way.

A role grants routes (function level, ``shared.service.requires``); a :class:`Rule` says which of the objects
behind those routes a caller reaches. Each service declares its rules in its ``access.py``: the roles that reach
every object (``unscoped``), and for the other roles the caller attribute that must equal the object's owner
(an officer's team, a police client's unit, a station's own code). A caller that is neither unscoped nor the
owner reaches nothing: an object without an owner is closed to the scoped roles (fail closed).

``check`` answers 404 for an object the caller does not own, exactly as for one that does not exist (no
existence leak); ``where`` adds the same rule to a list query, in SQL, so pages and cursors stay correct.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import false, or_

from shared.auth import Principal, Role
from shared.problems import Problem

T = TypeVar("T")
S = TypeVar("S")

ALL_STAFF = frozenset(Role) - {Role.POLICE}


class By(StrEnum):
    """What identifies an owner on the caller's side."""

    TEAM = "team"  # 执法队 of an officer (token claim ``team``)
    UNIT = "unit"  # 公安单位 of a police client (token claim ``unit``)
    STATION = "station"  # a monitoring station pushing with its own credentials (MN)


@dataclass(frozen=True)
class Caller:
    """Who asks, as object-level access sees it: roles, and what the caller owns by each kind of owner."""

    roles: frozenset[Role]
    owns: Mapping[By, str] = field(default_factory=dict)

    @classmethod
    def of(cls, principal: Principal) -> Caller:
        owns = {by: value for by, value in ((By.TEAM, principal.team), (By.UNIT, principal.unit)) if value}
        return cls(principal.roles, owns)

    @classmethod
    def station(cls, code: str) -> Caller:
        return cls(frozenset(), {By.STATION: code})


@dataclass(frozen=True)
class Scope:
    """Callers with one of ``roles`` (any caller when empty) reach the objects whose ``column`` names their owner."""

    by: By
    column: str
    roles: frozenset[Role] = frozenset()

    def applies(self, caller: Caller) -> str | None:
        """The caller's owner value this scope compares, or None when the scope is not the caller's."""
        if self.roles and not caller.roles & self.roles:
            return None
        return caller.owns.get(self.by)


@dataclass(frozen=True)
class Rule:
    """Who owns the objects of one type (``what``: the Chinese and English names used in the 404)."""

    what: tuple[str, str]
    unscoped: frozenset[Role]
    scopes: tuple[Scope, ...] = ()
    through: str | None = None  # owned through a parent object: reached only by checking the parent first
    slug: str = "not-found"
    note: str = ""

    def reaches_all(self, caller: Caller | Principal) -> bool:
        return bool(_caller(caller).roles & (self.unscoped | {Role.ADMIN}))

    def allows(self, caller: Caller | Principal, obj: Any) -> bool:
        caller = _caller(caller)
        if self.reaches_all(caller):
            return True
        return any(
            (value := scope.applies(caller)) is not None and getattr(obj, scope.column, None) == value
            for scope in self.scopes
        )

    def check(self, caller: Caller | Principal, obj: T | None, key: str, *, parent: Any = None) -> T:
        """The object if the caller reaches it; else the same 404 as for a missing one. A rule ``through`` a
        parent reads the owner from ``parent`` (None: the object has no owner, so only unscoped roles reach it)."""
        owner = parent if self.through else obj
        if obj is None or not self.allows(caller, owner):
            chinese, english = self.what
            raise Problem(404, f"{chinese}不存在 {english} {key} not found", slug=self.slug)
        return obj

    def where(self, statement: S, caller: Caller | Principal, model: Any) -> S:
        """``statement`` limited to the objects of ``model`` the caller reaches (nothing for a stranger)."""
        caller = _caller(caller)
        if self.reaches_all(caller):
            return statement
        owned = [
            getattr(model, scope.column) == value
            for scope in self.scopes
            if (value := scope.applies(caller)) is not None
        ]
        condition = or_(*owned) if owned else false()
        limited: S = statement.where(condition)  # type: ignore[attr-defined]
        return limited


@dataclass(frozen=True)
class Declaration:
    """A service's rules, one per object type it serves (the object names are the keys)."""

    service: str
    rules: Mapping[str, Rule]

    def __getitem__(self, name: str) -> Rule:
        return self.rules[name]


def _caller(caller: Caller | Principal) -> Caller:
    return caller if isinstance(caller, Caller) else Caller.of(caller)


def shared(what: tuple[str, str], roles: frozenset[Role] = ALL_STAFF, *, note: str) -> Rule:
    """An object with no owner inside the bureau: every role the route admits reaches it (why goes in ``note``)."""
    return Rule(what, unscoped=roles, note=note)
