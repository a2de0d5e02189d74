"""The API document's own words in the message catalogue, and the document in the reader's
language.

The document's summaries and descriptions are the views' docstrings (flask-smorest reads them)
and a few settings, written in Chinese as every msgid is. ``extract`` is a Babel extraction
method (babel.cfg) that yields the views' docstrings as flask-smorest splits them, beside what
the Python extractor finds in the file; ``in_readers_language`` translates a built document's
``summary``, ``description`` and ``title`` strings through the catalogue when it is served (the
English docs page was Chinese in every operation, 79 of its 309 strings).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Any

from babel.messages.extract import extract_python
from flask_smorest.utils import load_info_from_docstring  # type: ignore[import-untyped]

from ..core.translation import translations

TRANSLATED_KEYS = ("summary", "description", "title")


def N_(text: str) -> str:
    """A msgid for the catalogue, left as it is: translated when the document is served."""
    return text


def extract(fileobj, keywords, comment_tags, options) -> Iterator[tuple[Any, ...]]:
    """Babel: what ``extract_python`` finds, and every operation's docstring as flask-smorest
    makes its summary and description of it."""
    source = fileobj.read()
    fileobj.seek(0)
    yield from extract_python(fileobj, keywords, comment_tags, options)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and _routed(node) and (docstring := ast.get_docstring(node, clean=False)):
            info = load_info_from_docstring(docstring)
            for text in (info.get("summary"), info.get("description")):
                if text:
                    yield node.body[0].lineno, None, text, []


def _routed(function: ast.FunctionDef) -> bool:
    """Whether a function is an operation of the document (``@bp.route(…)``)."""
    return any(isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)
               and decorator.func.attr == "route" for decorator in function.decorator_list)


def in_readers_language(document: Any) -> Any:
    """``document`` with its summaries, descriptions and titles in the reader's language."""
    found = translations()

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: (found.ugettext(item) if key in TRANSLATED_KEYS and isinstance(item, str) else walk(item))
                    for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item) for item in value]
        return value
    return walk(document)
