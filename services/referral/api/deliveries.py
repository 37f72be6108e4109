"""The procuratorate delivery ledger (抄送检察院, ``/api/v1/referral/procuratorate-deliveries``)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from services.referral.api.deps import Reader, Writer, wake_deliverer
from services.referral.handlers import deliveries
from services.referral.schemas import DeliveryList, DeliveryPublic
from shared.service import runtime_of

router = APIRouter(prefix="/api/v1/referral/procuratorate-deliveries", tags=["referral"])


@router.get("", operation_id="list_procuratorate_deliveries", response_model=DeliveryList)
async def list_deliveries(
    request: Request,
    caller: Reader,
    referral_id: Annotated[str | None, Query(max_length=36)] = None,
    status: Annotated[Literal["pending", "delivered", "failed"] | None, Query()] = None,
) -> DeliveryList:
    """抄送检察院 ledger; an officer sees the copies of its team's referrals only."""
    async with runtime_of(request).uow() as uow:
        rows = await deliveries.list_deliveries(uow, caller, referral_id=referral_id, status=status)
        return DeliveryList([DeliveryPublic.model_validate(r, from_attributes=True) for r in rows])


@router.post("/{delivery_id}/retry", operation_id="retry_procuratorate_delivery", response_model=DeliveryPublic)
async def retry_delivery(delivery_id: str, request: Request, caller: Writer) -> DeliveryPublic:
    """Send a failed copy again (after the receiver was fixed); a copy still pending is left as it is."""
    async with runtime_of(request).uow() as uow:
        row = await deliveries.retry_delivery(uow, caller, delivery_id)
        await uow.commit()
        public = DeliveryPublic.model_validate(row, from_attributes=True)
    wake_deliverer(request)
    return public
