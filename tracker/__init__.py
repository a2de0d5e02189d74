"""The health-construction portfolio tracker."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from .config import PROJECT_ROOT, defaults, protect_instance


def create_app(test_config: dict | None = None) -> Flask:
    from .unit_of_work import TrackerFlask  # every request one unit of work

    instance_path = os.environ.get("TRACKER_INSTANCE_PATH") or str(PROJECT_ROOT / "instance")
    app = TrackerFlask(__name__, instance_path=instance_path, instance_relative_config=True,
                       template_folder=str(PROJECT_ROOT / "templates"),
                       static_folder=str(PROJECT_ROOT / "tracker" / "static"))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(defaults(Path(app.instance_path)))
    if test_config:
        app.config.from_mapping(test_config)
    protect_instance(Path(app.instance_path), app.config["SQLALCHEMY_DATABASE_URI"])

    from .application import init_app
    init_app(app)
    return app
