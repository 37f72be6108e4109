"""The transfer letter (涉嫌犯罪案件移送书) of a referral as PDF, rendered from the referral as recorded."""

from __future__ import annotations

from services.referral.settings import ReferralSettings
from services.referral.tables import Referral
from shared.documents import render_pdf
from shared.documents.forms import TransferLetterText, transfer_letter


def transfer_letter_text(referral: Referral, settings: ReferralSettings) -> TransferLetterText:
    """The letter to the police unit, with the materials list (移送材料清单) and the copy to the procuratorate."""
    return TransferLetterText(
        authority=settings.authority,
        letter_number=referral.transfer_letter_number,
        police_unit=referral.police_unit,
        case_number=referral.case_number,
        party_name=referral.party_name,
        credit_code=referral.credit_code,
        offence=referral.offence,
        summary=referral.summary,
        thresholds=tuple(referral.threshold_hints),
        materials=tuple(referral.package_items),
        approved_on=referral.approved_on,
        copy_to=settings.procuratorate_name,
    )


def transfer_letter_pdf(referral: Referral, settings: ReferralSettings) -> bytes:
    return render_pdf(transfer_letter(transfer_letter_text(referral, settings)))
