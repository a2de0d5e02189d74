"""The browsable page of the OpenAPI document: Swagger UI's files from the flask-swagger-ui package
(installed from PyPI with the rest; only its ``dist`` folder is used), served from here; never a
CDN, never a copy in the repository. Swagger UI 5: the document is OpenAPI 3.1, which the 4.x of
the swagger-ui-bundle package cannot render ("Unable to render this definition")."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, redirect, render_template, send_from_directory, url_for

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")
# Where someone told "the API is at /api" looks first: its documentation, not a 404.
root = Blueprint("api_root", __name__)
ASSETS = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js",
          "favicon-32x32.png"}


def _assets_dir() -> str:
    import flask_swagger_ui
    return str(Path(flask_swagger_ui.__file__).parent / "dist")


@bp.get("/docs")
def page():
    return render_template("api/docs.html")


@bp.get("/docs/assets/<name>")
def asset(name: str):
    if name not in ASSETS:
        abort(404)
    return send_from_directory(_assets_dir(), name, max_age=86400)


@root.get("/api", strict_slashes=False)
@root.get("/api/v1", strict_slashes=False)
def index():
    return redirect(url_for("api_docs.page"))
