"""Annual enforcement report (年度执法工作报告)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["reports"])
