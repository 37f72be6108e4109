"""The admin API of machine clients (客户端管理, ``/api/v1/admin/clients``), admin role only: police units'
liaison systems and other clients of the client credentials grant.

A list never shows a secret; a rotated secret is returned once, with ``Cache-Control: no-store``. Changes are
audited, reload this replica's account states at once, and need neither ``If-Match`` nor ``Idempotency-Key`` (see
``api/users.py``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from services.gateway.api.deps import (
    NO_STORE,
    ActiveFilter,
    Admin,
    Cursor,
    Limit,
    Session,
    actor_of,
    change_account,
)
from services.gateway.api.users import DEACTIVATE, PREFIX, REACTIVATE, SIGN_OUT
from services.gateway.handlers import lifecycle
from services.gateway.schemas import ClientList, ClientPublic, NewSecretPublic
from services.gateway.tables import GatewayClient
from shared.auth import Principal

router = APIRouter(prefix=f"{PREFIX}/clients", tags=["admin"])
ClientId = Annotated[str, Path(alias="client_id", min_length=1, max_length=100, description="Client id")]


def client_public(client: GatewayClient) -> ClientPublic:
    return ClientPublic(
        client_id=client.client_id,
        role=client.role,
        unit=client.unit,
        active=client.active,
        created_at=client.created_at,
        tokens_revoked_at=client.tokens_revoked_at,
    )


async def _change(request: Request, step: lifecycle.Step, client_id: str, caller: Principal) -> ClientPublic:
    client = await change_account(request, lambda session: step(session, "client", client_id, actor=actor_of(caller)))
    assert isinstance(client, GatewayClient)
    return client_public(client)


@router.get("", operation_id="gateway_list_clients", summary="List machine clients (客户端列表)")
async def list_clients(
    session: Session, _: Admin, active: ActiveFilter = None, cursor: Cursor = None, limit: Limit = 50
) -> ClientList:
    rows, next_cursor = await lifecycle.list_clients(session, active=active, cursor=cursor, limit=limit)
    return ClientList(items=[client_public(row) for row in rows], next_cursor=next_cursor)


@router.post("/{client_id}/deactivation", operation_id="gateway_deactivate_client", summary=DEACTIVATE)
async def deactivate_client(client_id: ClientId, request: Request, caller: Admin) -> ClientPublic:
    return await _change(request, lifecycle.deactivate, client_id, caller)


@router.post("/{client_id}/reactivation", operation_id="gateway_reactivate_client", summary=REACTIVATE)
async def reactivate_client(client_id: ClientId, request: Request, caller: Admin) -> ClientPublic:
    return await _change(request, lifecycle.reactivate, client_id, caller)


@router.post("/{client_id}/token-revocation", operation_id="gateway_revoke_client_tokens", summary=SIGN_OUT)
async def revoke_client_tokens(client_id: ClientId, request: Request, caller: Admin) -> ClientPublic:
    return await _change(request, lifecycle.revoke_tokens, client_id, caller)


@router.post(
    "/{client_id}/secret-rotation",
    operation_id="gateway_rotate_client_secret",
    summary="Give a client a new generated secret (更换密钥); the old secret and its tokens end at once",
)
async def rotate_secret(client_id: ClientId, request: Request, caller: Admin, response: Response) -> NewSecretPublic:
    actor = actor_of(caller)
    client, secret = await change_account(
        request, lambda session: lifecycle.rotate_secret(session, client_id, actor=actor)
    )
    response.headers["Cache-Control"] = NO_STORE
    return NewSecretPublic(client_id=client.client_id, client_secret=secret)
