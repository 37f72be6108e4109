"""structlog set-up: JSON lines outside a terminal, each line carrying request, correlation and event IDs.

Standard-library loggers (uvicorn, aiokafka, alembic) go through the same processors, so every line of a process
has one format and the IDs bound for the current request or event.
"""

from __future__ import annotations

import contextvars
import logging
import sys
from collections.abc import Mapping
from typing import Any

import structlog


def configure_logging(*, level: str = "INFO", json: bool | None = None) -> None:
    """Configure structlog and the standard library logging once for the process."""
    use_json = (not sys.stderr.isatty()) if json is None else json
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False) if use_json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.access", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    for noisy in ("aiokafka", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


RequestBinding = Mapping[str, contextvars.Token[Any]]


def bind_request(*, request_id: str, correlation_id: str, service: str) -> RequestBinding:
    """Bind the request's IDs for its log lines; see :func:`unbind_request`.

    Each request runs in its own task (a copy of the server's context), so nothing leaks between requests.
    """
    return structlog.contextvars.bind_contextvars(request_id=request_id, correlation_id=correlation_id, service=service)


def unbind_request(binding: RequestBinding) -> None:
    """Put back the IDs an in-process service bound over the gateway's (a nested binding); a request's own stay
    bound to the end of its task, so the server's lines after the answer (an error's traceback) carry them."""
    nested = {key: token for key, token in binding.items() if token.old_value not in (contextvars.Token.MISSING, ...)}
    if nested:
        structlog.contextvars.reset_contextvars(**nested)
