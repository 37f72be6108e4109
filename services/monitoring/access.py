"""Who owns what in the monitoring service (对象级授权), declared for ``shared.ownership``.

Staff objects (stations, readings as read, reviews, exceedances, bulletins) belong to no team: every role a
route admits reaches all of them. Writing readings is owned: a station pushing with its own credentials (MN and
password, over HTTP Basic or HJ 212) writes only its own readings; monitoring reviewers and admin, with a token,
write any station's.
"""

from __future__ import annotations

from shared.auth import Role
from shared.ownership import By, Declaration, Rule, Scope, shared

READINGS_PUSH = Rule(
    ("监测站点", "Station"),
    unscoped=frozenset({Role.MONITORING_REVIEWER, Role.ADMIN}),
    scopes=(Scope(By.STATION, "code"),),
    note="checked against the station a pushed reading names",
)

OWNERSHIP = Declaration(
    "monitoring",
    {
        "readings_push": READINGS_PUSH,
        "station": shared(("监测站点", "Station"), note="the station register"),
        "reading": shared(("监测数据", "Reading"), note="read by every monitoring reader"),
        "review": shared(("数据审核", "Review"), note="the reviewers' queue"),
        "exceedance": shared(("超标", "Exceedance"), note="becomes a lead in cases"),
        "bulletin": shared(("公报", "Bulletin"), note="published to the public"),
        "enterprise": shared(("排污单位", "Enterprise"), note="the enterprise register, its outlets and permit limits"),
    },
)
