"""Helpers of the bulletin rendering tests: an air ranking and the selectors of a page's style sheets."""

from __future__ import annotations

import re

# Two towns of a monthly air ranking, one name carrying markup (to be escaped).
AIR = [
    {"rank": 1, "town": "中北镇", "aqi": 45, "category": "优", "primary_pollutant": None, "good_days_share": 1.0,
     "pm25_mean": 20.0},
    {"rank": 2, "town": "<b>杨柳青镇</b>", "aqi": 107, "category": "轻度污染", "primary_pollutant": "pm25",
     "good_days_share": 0.5, "pm25_mean": 80.0},
]  # fmt: skip


def selectors(html: str) -> list[str]:
    """Every selector of every <style> element in ``html`` (rules split on braces, groups on commas)."""
    found = []
    for sheet in re.findall(r"<style\b[^>]*>(.*?)</style>", html, re.S):
        for rule in re.findall(r"([^{}]+)\{[^{}]*\}", sheet):
            found += [s.strip() for s in rule.split(",")]
    return found
