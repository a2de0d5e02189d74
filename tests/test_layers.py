"""The layer rule of docs/ARCHITECTURE.md, checked on every module's imports.

    core ← models ← services/queries ← views/cli ← application

A module imports only from its own layer or the layers below; a view never imports another
domain's view; nothing but ``tracker/__init__.py`` imports ``tracker.application``. Imports inside
functions count like the others (a hidden import is still a dependency). A violation whose fix is
large is listed in ``KNOWN`` with its issue: the list can only shrink (a listed import that is no
longer there fails too, so it is taken off when fixed).
"""

from __future__ import annotations

import ast
from pathlib import Path

TRACKER = Path(__file__).resolve().parent.parent / "tracker"

# Modules of the package root, by layer (a domain package's modules are placed by name below).
CORE = {"tracker.config", "tracker.database", "tracker.extensions", "tracker.vocabulary",
        "tracker.errors", "tracker.formatting", "tracker.validators", "tracker.forms"}
WEB = {"tracker.security", "tracker.unit_of_work"}  # the request side; the CLI uses it too
# The wiring: create_app, the `tracker` command and the server that build the application, and
# tracker/models.py, which registers every mapper and the flush hooks for it (only it imports it).
APPLICATION = {"tracker", "tracker.application", "tracker.cli", "tracker.serving", "tracker.models",
               "tracker.api.setup"}  # the API's wiring: its blueprints and document
LAYERS = ("core", "models", "services", "views", "application")
VIEW_NAMES = {"views", "admin_views", "cli", "auth"}
PAGE_NAMES = {"views", "admin_views"}  # a domain's pages: no other domain imports them

# (importer, imported) → why it is still there: violations whose fix is larger than this issue.
KNOWN: dict[tuple[str, str], str] = {
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(TRACKER.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in TRACKER.rglob("*.py")}


def layer(module: str) -> str:
    if module in APPLICATION:
        return "application"
    if module in CORE or module.startswith("tracker.core"):
        return "core"
    if module in WEB:
        return "views"
    if module.startswith("tracker.web"):
        return "views"  # the request side every view shares (tracker/web/requests.py)
    last = module.rsplit(".", 1)[-1]
    if last in ("models", "terms", "fields") or ".models." in module:
        return "models"
    if last in VIEW_NAMES:
        return "views"
    return "services"


def domain(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 else None


def imports(module: str) -> set[str]:
    """Every tracker module ``module`` imports, at the top or inside a function."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                found.add(submodule if submodule in MODULES else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name in MODULES}


def violations() -> set[tuple[str, str]]:
    found = set()
    for importer in MODULES:
        for imported in imports(importer):
            if imported == importer:
                continue
            if LAYERS.index(layer(imported)) > LAYERS.index(layer(importer)):
                found.add((importer, imported))
            elif (imported.rsplit(".", 1)[-1] in PAGE_NAMES and layer(importer) != "application"
                  and domain(imported) != domain(importer)):
                found.add((importer, imported))
    return found


def test_the_scanner_sees_imports_inside_functions_and_relative_ones():
    assert "tracker.application" in imports("tracker")
    assert layer("tracker.projects.views") == "views" and layer("tracker.core.clock") == "core"
    assert layer("tracker.progress.models") == "models"
    assert layer("tracker.portfolio.filters") == "services"
    assert "tracker.projects.models" in imports("tracker.progress.upkeep")
    assert "tracker.accounts.views" in imports("tracker.application")  # inside create_app


def test_imports_point_down_the_layers():
    found = violations()
    new = sorted(found - set(KNOWN))
    assert not new, "imports against the layer rule (docs/ARCHITECTURE.md):\n" + "\n".join(
        f"  {importer} ({layer(importer)}) imports {imported} ({layer(imported)})"
        for importer, imported in new)


def test_the_list_of_known_exceptions_only_shrinks():
    gone = sorted(set(KNOWN) - violations())
    assert not gone, f"fixed, take them off KNOWN: {gone}"
