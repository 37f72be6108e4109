"""Token verification: the algorithm is pinned and every claim that matters is checked."""

from __future__ import annotations

import time

import jwt
import pytest

from shared.auth import Role, issue_token, verify_token
from shared.problems import Problem
from shared.settings import DEV_SECRET, CommonSettings

pytestmark = pytest.mark.unit

SETTINGS = CommonSettings(environment="test", jwt_secret="unit-test-secret-0123456789abcdef0123456789")


def claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    base: dict[str, object] = {
        "sub": "u1",
        "roles": ["officer"],
        "zone": "staff",
        "iss": "greenlaw",
        "aud": "greenlaw",
        "iat": now,
        "exp": now + 60,
    }
    base.update(overrides)
    return base


def test_issued_token_verifies_with_roles_zone_and_unit() -> None:
    token = issue_token(SETTINGS, subject="p1", roles=["police"], zone="police", unit="西青公安分局")
    principal = verify_token(SETTINGS, token)
    assert principal.roles == frozenset({Role.POLICE})
    assert (principal.zone, principal.unit) == ("police", "西青公安分局")


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(
            jwt.encode(claims(exp=int(time.time()) - 10), "unit-test-secret-0123456789abcdef0123456789"), id="expired"
        ),
        pytest.param(jwt.encode(claims(), "another-secret-0123456789abcdef0123456789"), id="wrong-signature"),
        pytest.param(jwt.encode(claims(), None, algorithm="none"), id="alg-none"),
        pytest.param(jwt.encode(claims(iss="evil"), "unit-test-secret-0123456789abcdef0123456789"), id="wrong-issuer"),
        pytest.param(
            jwt.encode(claims(aud="other"), "unit-test-secret-0123456789abcdef0123456789"), id="wrong-audience"
        ),
        pytest.param(
            jwt.encode(claims(roles=["emperor"]), "unit-test-secret-0123456789abcdef0123456789"), id="unknown-role"
        ),
        pytest.param("not-a-jwt", id="garbage"),
    ],
)
def test_bad_tokens_are_401_problems(token: str) -> None:
    with pytest.raises(Problem) as caught:
        verify_token(SETTINGS, token)
    assert caught.value.status == 401
    assert caught.value.headers["WWW-Authenticate"].startswith("Bearer")


def test_production_refuses_the_development_secret_and_short_ones() -> None:
    with pytest.raises(ValueError, match="JWT_SECRET"):
        CommonSettings(environment="production", jwt_secret=DEV_SECRET)
    with pytest.raises(ValueError, match="JWT_SECRET"):
        CommonSettings(environment="production", jwt_secret="short")
    assert CommonSettings(environment="production", jwt_secret=STRONG).environment == "production"


# Keys like `openssl rand -hex 32` makes, and keys an operator might type instead.
STRONG, OTHER_STRONG = "3f9c1a7e5b2d4c8f0a6e9b1d7c3f5a2e", "b7e2d9c4a1f6e3b8d5c2a9f7e4b1d6c3a8f5e2b9"
WEAK_KEYS = {
    "development-default": DEV_SECRET,
    "short": "s3cr3t",
    "one-character": "x" * 40,
    "few-characters": "abab" * 12 + "cdcd",
    "repeated-pattern": "abcd1234" * 5,
}


@pytest.mark.parametrize("weak", WEAK_KEYS.values(), ids=WEAK_KEYS.keys())
def test_production_refuses_weak_current_and_previous_keys(weak: str) -> None:
    with pytest.raises(ValueError, match="GREENLAW_JWT_SECRET must be a strong key"):
        CommonSettings(environment="production", jwt_secret=weak)
    with pytest.raises(ValueError, match=r"GREENLAW_JWT_PREVIOUS_KEYS\['k0'\] must be a strong key"):
        CommonSettings(environment="production", jwt_secret=STRONG, jwt_key_id="k1", jwt_previous_keys={"k0": weak})


def test_production_refuses_a_previous_key_equal_to_another_key() -> None:
    with pytest.raises(ValueError, match="repeats another key"):
        CommonSettings(environment="production", jwt_secret=STRONG, jwt_key_id="k2", jwt_previous_keys={"k1": STRONG})
    with pytest.raises(ValueError, match="repeats another key"):
        CommonSettings(
            environment="production",
            jwt_secret=STRONG,
            jwt_key_id="k3",
            jwt_previous_keys={"k1": OTHER_STRONG, "k2": OTHER_STRONG},
        )
    rotated = CommonSettings(
        environment="production", jwt_secret=STRONG, jwt_key_id="k2", jwt_previous_keys={"k1": OTHER_STRONG}
    )
    assert rotated.verification_key("k1") == OTHER_STRONG


@pytest.mark.parametrize("key_id", ["", "k 1", "k1\n", "../k1", "k" * 65, "ключ"])
def test_key_ids_are_plain_names_in_every_environment(key_id: str) -> None:
    with pytest.raises(ValueError, match="key id"):
        CommonSettings(environment="test", jwt_key_id=key_id)
    with pytest.raises(ValueError, match="key id"):
        CommonSettings(environment="test", jwt_key_id="k2", jwt_previous_keys={key_id: OTHER_STRONG})


def test_development_and_tests_keep_the_development_default_as_a_previous_key() -> None:
    """Outside production any key is accepted, so a development database's tokens survive a local rotation."""
    old = CommonSettings(environment="development")
    token = issue_token(old, subject="u1", roles=["officer"], zone="staff")
    rotated = CommonSettings(
        environment="development", jwt_secret=STRONG, jwt_key_id="k2", jwt_previous_keys={"k1": DEV_SECRET}
    )
    assert verify_token(rotated, token).subject == "u1"


def test_key_rotation_keeps_tokens_of_listed_previous_keys(tmp_path) -> None:
    old = CommonSettings(environment="test", jwt_secret="old-secret-" + "o" * 32, jwt_key_id="k1")
    token = issue_token(old, subject="u1", roles=["officer"], zone="staff")
    assert jwt.get_unverified_header(token)["kid"] == "k1"
    secret_file = tmp_path / "jwt-secret"
    secret_file.write_text("new-secret-" + "n" * 32 + "\n")
    rotated = CommonSettings(
        environment="production",
        jwt_secret_file=secret_file,
        jwt_key_id="k2",
        jwt_previous_keys={"k1": "old-secret-" + "o" * 32},
    )
    assert verify_token(rotated, token).subject == "u1"  # still valid during the rotation
    assert verify_token(rotated, issue_token(rotated, subject="u2", roles=[], zone="staff")).subject == "u2"
    retired = CommonSettings(environment="test", jwt_secret="new-secret-" + "n" * 32, jwt_key_id="k2")
    with pytest.raises(Problem):
        verify_token(retired, token)  # k1 no longer listed: refused
