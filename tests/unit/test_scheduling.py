"""The order in which ``make test`` hands out its units of work (tests/scheduling.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scheduling import HEAVY, unit_of, unit_order

pytestmark = pytest.mark.unit

DEMO = "tests/integration/test_demo_scenario.py::test_the_bureaus_year_is_reported_by_the_apis"
FUZZ = "tests/integration/test_api_fuzzing.py::test_service_api_holds_under_fuzzing"


def test_a_module_is_one_unit_and_a_heavy_test_its_own() -> None:
    assert unit_of("tests/unit/test_audit.py::test_chain") == "tests/unit/test_audit.py"
    assert unit_of(DEMO) == DEMO
    assert unit_of(f"{FUZZ}[cases]") != unit_of(f"{FUZZ}[referral]")
    assert unit_of("tests/integration/test_api_fuzzing.py::test_extreme_values_are_refused_not_500[cases]") == (
        "tests/integration/test_api_fuzzing.py"
    )


def test_a_heavy_test_for_each_worker_then_a_module_for_each_then_the_rest() -> None:
    collection = [
        "tests/unit/test_audit.py::a",
        "tests/unit/test_audit.py::b",
        "tests/unit/test_audit.py::c",
        "tests/integration/test_api_fuzzing.py::test_extreme_values_are_refused_not_500[cases]",
        f"{FUZZ}[cases]",
        f"{FUZZ}[referral]",
        "tests/integration/test_demo_scenario.py::test_same_seed_same_plan_and_readings",
        DEMO,
        "tests/e2e/test_faults.py::test_every_effect_exists_once_through_crashes_and_outages",
    ]
    faults = "tests/e2e/test_faults.py::test_every_effect_exists_once_through_crashes_and_outages"
    modules = [
        "tests/unit/test_audit.py",
        "tests/integration/test_api_fuzzing.py",
        "tests/integration/test_demo_scenario.py",
    ]
    assert unit_order(collection, 2) == [DEMO, faults, *modules[:2], f"{FUZZ}[cases]", f"{FUZZ}[referral]", modules[2]]
    assert unit_order(collection, 8) == [DEMO, faults, f"{FUZZ}[cases]", f"{FUZZ}[referral]", *modules]


def test_every_heavy_prefix_names_a_test_module_that_exists() -> None:
    root = Path(__file__).parents[2]
    for prefix in HEAVY:
        assert (root / prefix.split("::", 1)[0]).is_file(), prefix
