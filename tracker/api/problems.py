"""RFC 9457 problem details: every error of the API, whatever its status, is JSON."""

from __future__ import annotations

from flask import Response, current_app, json, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from .messages import translated

PREFIX = "/api/"
GENERIC = {400: _l("请求无效"), 404: _l("找不到请求的地址或资源"), 405: _l("此地址不支持该请求方法"),
           413: _l("请求内容过大"), 415: _l("请以 application/json 发送请求内容")}
MEDIA_TYPE = "application/problem+json"


def is_api_request() -> bool:
    return request.path.startswith(PREFIX)


def problem(status: int, detail: str | None = None, *, errors: dict | None = None,
            headers=None, **extra) -> Response:
    body = {"type": "about:blank", "title": HTTP_STATUS_CODES.get(status, "Error"), "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = {str(field): [str(m) for m in (messages if isinstance(messages, list) else [messages])]
                          for field, messages in errors.items()}
    body.update(extra)
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=MEDIA_TYPE)
    for name, value in headers or ():
        if name.lower() != "content-type":
            response.headers[name] = value
    response.headers["Cache-Control"] = "no-store"
    return response


LOCATIONS = ("json", "query", "headers", "form", "files", "view_args")


def _flatten(messages, prefix: str = "") -> dict[str, list[str]]:
    """webargs' nested messages ({"json": {"month": ["…"]}}) → {"month": ["…"]}."""
    if isinstance(messages, dict):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            name = "" if (not prefix and key in LOCATIONS) else (f"{prefix}.{key}" if prefix else str(key))
            flat.update(_flatten(value, name))
        return flat
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "__all__": list(messages)}
    return {prefix or "__all__": [str(messages)]}


def from_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = _flatten(data["messages"]) if "messages" in data else None
    if errors:  # webargs' answer: marshmallow's English, in the reader's language
        errors = {field: [translated(message) for message in messages] for field, messages in errors.items()}
    headers = [(name, value) for name, value in error.get_headers()]
    if status == 422 and errors:
        detail = _("请求中有无效的字段")
    elif status >= 500:
        detail = None
    elif error.description == type(error).description and status in GENERIC:
        detail = str(GENERIC[status])  # werkzeug's English default: ours, in the user's language
    else:
        detail = error.description
    if status == 500:
        current_app.logger.error("API error", exc_info=getattr(error, "original_exception", None))
    return problem(status, detail, errors=errors, headers=headers)
