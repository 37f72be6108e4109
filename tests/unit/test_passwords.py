"""Every stored secret is hashed with one argon2id configuration, at least OWASP's (19 MiB, 2 iterations)."""

from __future__ import annotations

import pytest

from services.gateway.handlers.accounts import hash_secret
from services.monitoring.handlers.passwords import hash_password

pytestmark = pytest.mark.unit

PARAMETERS = "$argon2id$v=19$m=19456,t=2,p=1$"


async def test_staff_secrets_and_station_passwords_share_the_configuration() -> None:
    staff = await hash_secret("greenlaw-demo")
    station = hash_password("123456")
    assert staff.startswith(PARAMETERS), staff
    assert station.startswith(PARAMETERS), station
    assert staff != await hash_secret("greenlaw-demo")  # salted
