"""执法证有效期: an enforcement credential is valid from its first day to its last, both included; a day not
recorded leaves that side open (a credential registered before the first day was kept is valid since issued)."""

from __future__ import annotations

from datetime import date

from shared.errors import Invalid


def valid_on(on: date, valid_from: date | None, valid_until: date | None) -> bool:
    """Whether the credential is valid on the day."""
    return (valid_from is None or valid_from <= on) and (valid_until is None or on <= valid_until)


def check_period(valid_from: date | None, valid_until: date | None) -> None:
    """The first day may not follow the last (422)."""
    if valid_from is not None and valid_until is not None and valid_from > valid_until:
        raise Invalid(
            "执法证有效期起始日期不得晚于截止日期 credential_valid_from must not be after credential_valid_until",
            slug="credential-period",
        )
