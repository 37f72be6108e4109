"""RFC 9457 problem details (``application/problem+json``) for every error a service or the gateway returns."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.errors import DomainError

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:greenlaw:problem:"

_TITLES = {
    400: "请求有误 Bad request",
    401: "未认证 Unauthorized",
    403: "无权访问 Forbidden",
    404: "未找到 Not found",
    405: "方法不允许 Method not allowed",
    409: "状态冲突 Conflict",
    412: "前提条件不满足 Precondition failed",
    413: "请求体过大 Payload too large",
    415: "媒体类型不支持 Unsupported media type",
    422: "数据无效 Unprocessable content",
    428: "需要前提条件 Precondition required",
    429: "请求过多 Too many requests",
    500: "内部错误 Internal server error",
    503: "服务不可用 Service unavailable",
    504: "上游超时 Gateway timeout",
}

_SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    412: "precondition-failed",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation",
    428: "precondition-required",
    429: "rate-limited",
    500: "internal",
    503: "unavailable",
    504: "upstream-timeout",
}


class Problem(Exception):
    """An error that becomes a problem response; raise it from handlers and entry points."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        slug: str | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.slug = slug or _SLUGS.get(status, "error")
        self.title = title or _TITLES.get(status, "Error")
        self.headers = headers or {}
        self.extensions = extensions


def problem_body(
    status: int, detail: str, *, slug: str | None = None, title: str | None = None, **extensions: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + (slug or _SLUGS.get(status, "error")),
        "title": title or _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    body.update(extensions)
    return body


def problem_response(
    request: Request | None,
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    if request is not None:
        extensions.setdefault("instance", request.url.path)
        request_id = getattr(request.state, "request_id", None)
        if request_id:
            extensions.setdefault("request_id", request_id)
    return JSONResponse(
        problem_body(status, detail, slug=slug, title=title, **extensions),
        status_code=status,
        headers=headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
        for err in exc.errors()
    ]


def install_problem_handlers(app: FastAPI) -> None:
    """Turn every error, including validation errors and unknown routes, into problem+json."""

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return problem_response(
            request,
            exc.status,
            exc.detail,
            slug=exc.slug,
            title=exc.title,
            headers=exc.headers,
            **exc.extensions,
        )

    async def on_domain(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        return problem_response(request, exc.status, exc.detail, slug=exc.slug, headers=exc.headers, **exc.extensions)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        return problem_response(request, exc.status_code, detail, headers=dict(exc.headers or {}))

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return problem_response(
            request, 422, "请求数据未通过校验 Request data failed validation", errors=_validation_errors(exc)
        )

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        structlog.get_logger().exception("unhandled_error", path=request.url.path)
        return problem_response(request, 500, "内部错误，已记录 Internal error; it has been logged")

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(DomainError, on_domain)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(Exception, on_unexpected)
