"""A chart drawn again from the same data is taken from the process's cache, byte for byte; other data draws anew."""

from __future__ import annotations

import pytest

from shared import charts

pytestmark = pytest.mark.unit


def test_the_same_bars_are_drawn_once() -> None:
    charts._bar_chart_svg.cache_clear()
    first = charts.bar_chart_svg(["一月", "二月"], [3, 1], ylabel="件", title="图")
    again = charts.bar_chart_svg(("一月", "二月"), (3, 1), ylabel="件", title="图")  # any sequence of the same items
    assert again == first
    assert charts._bar_chart_svg.cache_info().hits == 1
    other = charts.bar_chart_svg(["一月", "二月"], [3, 2], ylabel="件", title="图")
    assert other != first
    assert charts._bar_chart_svg.cache_info().misses == 2


def test_the_same_effluent_chart_is_drawn_once() -> None:
    charts._effluent_chart_svg.cache_clear()
    args = (["1月", "2月"], [10.0, None], [12.0, None], [20.0, 20.0])
    first = charts.effluent_chart_svg(*args, ylabel="mg/L", title="DW001")
    assert charts.effluent_chart_svg(*args, ylabel="mg/L", title="DW001") == first
    assert charts.effluent_chart_svg(*args, ylabel="mg/L", title="DW002") != first
    info = charts._effluent_chart_svg.cache_info()
    assert (info.hits, info.misses) == (1, 2)


def test_the_cache_is_bounded() -> None:
    assert charts._bar_chart_svg.cache_info().maxsize == charts.CACHED_CHARTS
    assert charts._effluent_chart_svg.cache_info().maxsize == charts.CACHED_CHARTS
