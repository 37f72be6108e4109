"""The gateway's own routes: the token issuer (``/auth/token``) and the admin API of its accounts
(``/api/v1/admin/users``, ``/api/v1/admin/clients``). Everything else is forwarded (``forwarding.py``)."""

from __future__ import annotations

from services.gateway.api.clients import router as clients
from services.gateway.api.tokens import router as tokens
from services.gateway.api.users import router as users

ROUTERS = (tokens, users, clients)
