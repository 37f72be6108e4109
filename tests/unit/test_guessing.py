"""The guessing rule shared by sign-ins: when failures of a name or an address slow it down, and when they lock it."""

from __future__ import annotations

import pytest

from shared.guessing import KEY_MAX_LENGTH, GuessPolicy, address_key, name_key

pytestmark = pytest.mark.unit


def test_names_wait_after_their_threshold_doubling_up_to_the_maximum() -> None:
    policy = GuessPolicy(throttle_after=3, first_delay_seconds=2, max_delay_seconds=10)
    key = name_key("mn", "ST001")
    assert [policy.delay(key, failures) for failures in range(1, 8)] == [0, 0, 2, 4, 8, 10, 10]


def test_addresses_have_their_own_thresholds() -> None:
    policy = GuessPolicy(throttle_after=3, lockout_after=5, source_throttle_after=20, source_lockout_after=50)
    assert policy.limits(address_key("192.0.2.1")) == (20, 50)
    assert policy.limits(name_key("mn", "ip:192.0.2.1")) == (3, 5)  # a name that looks like an address is a name
    assert policy.delay(address_key("192.0.2.1"), 19) == 0


def test_keys_are_bounded() -> None:
    assert len(name_key("mn", "x" * 10_000)) == KEY_MAX_LENGTH
