"""The API's documentation pages (Swagger UI at ``/docs``, ReDoc at ``/redoc``) served without the internet.

A bureau intranet reaches no CDN, so the pages' scripts and styles come from an installed package
(``fastapi-offline`` ships Swagger UI's and ReDoc's bundles) and are served under ``/docs/assets/``. Only the
files named here are served: the asset route takes no path.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from fastapi import APIRouter, Response
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

from shared.errors import NotFound

ASSETS_URL = "/docs/assets"
ASSET_TYPES = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}
# The pages run their own inline start-up script; everything else comes from this origin. ReDoc starts a worker
# from a blob and draws with data: images.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' "
    "'unsafe-inline'; img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}


@cache
def asset(name: str) -> bytes:
    return (files("fastapi_offline") / "static" / name).read_bytes()


@cache
def docs_router(*, openapi_url: str, title: str) -> APIRouter:
    """``/docs``, ``/redoc`` and their assets for the document at ``openapi_url``; ``title`` is shown as is. One per
    process for each, shared by the apps that add its routes (shared.web.add_routes)."""
    router = APIRouter(include_in_schema=False)

    @router.get("/docs")
    async def swagger_ui() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url=openapi_url,
            title=title,
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
            oauth2_redirect_url=None,
        )
        page.headers.update(PAGE_HEADERS)
        return page

    @router.get("/redoc")
    async def redoc() -> HTMLResponse:
        page = get_redoc_html(
            openapi_url=openapi_url,
            title=title,
            redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )
        page.headers.update(PAGE_HEADERS)
        return page

    @router.get(ASSETS_URL + "/{name}")
    async def docs_asset(name: str) -> Response:
        media_type = ASSET_TYPES.get(name)
        if media_type is None:
            raise NotFound(f"文档资源不存在 No such documentation asset: {name}")
        headers = {"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"}
        return Response(asset(name), media_type=media_type, headers=headers)

    return router
