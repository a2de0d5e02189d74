"""A page's stylesheet, scripts and icon are fetched once, not again on every page (tracker/web/static.py).

The complaint: on a county office's slow line every page waited for three more requests, the
browser asking each time whether tracker.css, the region picker's script and the icon had
changed. Their URLs now carry the file's version, and the answer lets the browser keep them.
"""

from __future__ import annotations

import re

from tracker.web import static

LINKED = re.compile(r'(?:href|src)="(/static/([\w.-]+)\?v=([0-9a-f]{12}))"')


def test_every_page_links_its_static_files_by_version_and_they_are_kept_a_year(client):
    page = client.get("/projects").get_data(as_text=True)
    linked = LINKED.findall(page)
    assert {name for _url, name, _version in linked} >= {"tracker.css", "region-picker.js", "favicon.svg"}
    assert '/static/tracker.css"' not in page  # no unversioned link left
    for url, name, version in linked:
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert answer.cache_control.max_age == static.YEAR and answer.cache_control.public, url
        assert answer.headers["Content-Type"].split(";")[0] in ("text/css", "text/javascript", "image/svg+xml")
        answer.close()


def test_a_file_asked_for_without_its_current_version_is_checked_again(client):
    """A page kept from before a release names the old version: the browser must ask again."""
    for url in ("/static/tracker.css", "/static/tracker.css?v=000000000000"):
        answer = client.get(url)
        assert answer.status_code == 200
        assert answer.cache_control.max_age in (None, 0) and answer.headers.get("ETag"), url
        answer.close()


def test_a_changed_file_gets_a_new_url(app, tmp_path, monkeypatch):
    sheet = tmp_path / "tracker.css"
    sheet.write_text("body { color: #222; }")
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    with app.test_request_context("/"):
        from flask import url_for

        before = url_for("static", filename="tracker.css")
        sheet.write_text("body { color: #111; }  /* a release later */")
        after = url_for("static", filename="tracker.css")
        assert before != after and before.startswith("/static/tracker.css?v=")
        assert url_for("static", filename="no-such-file.css") == "/static/no-such-file.css"
        assert static.version("../secret.txt") is None  # never read outside the folder
