"""Wiring of the API: flask-smorest's Api (the OpenAPI 3.1 document at /api/v1/openapi.json),
the blueprint (no CSRF: a token request carries no cookie to forge), the browsable page."""

from __future__ import annotations

from flask import Flask

from ..extensions import csrf
from .catalog import N_

SPEC = {
    "API_TITLE": N_("卫生健康建设项目台账 API"),
    "API_VERSION": "1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {
        "security": [{"bearerAuth": []}],
        "components": {"securitySchemes": {"bearerAuth": {
            "type": "http", "scheme": "bearer",
            "description": N_("`tracker tokens create USERNAME` 或“我的账户”页面生成的令牌")}}},
        "info": {"description": N_("与页面相同的角色、地区与金额隐藏规则；错误为 RFC 9457 problem+json。")},
    },
}


def init_app(app: Flask) -> None:
    from . import docs, views
    for key, value in SPEC.items():
        app.config.setdefault(key, value)
    app.config.setdefault("API_RATE_LIMIT", "600 per minute")
    views.api.init_app(app)
    csrf.exempt(views.bp)
    views.api.register_blueprint(views.bp)
    app.register_blueprint(docs.bp)
    app.register_blueprint(docs.root)
