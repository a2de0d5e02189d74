"""Pages go out gzipped to a browser that asks (issue 14's slow connections): a list page is
~120 KB of HTML and a plan's review page of 150 candidates ~590 KB, most of it the same forms
again, which `tracker serve` sent as they are (production's nginx compresses too). What is
compressed is a page; the API's JSON keeps its bytes and its ETags, and the exports and the static
files (sent as files, cached a year) go as they are."""

from __future__ import annotations

import gzip

from .test_api import bearer, token_for  # noqa: F401  (a fixture)

GZIP = {"Accept-Encoding": "gzip"}


def test_a_page_goes_out_gzipped_to_a_browser_that_asks(client, seeded):
    plain = client.get("/projects?kind=all")
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    packed = client.get("/projects?kind=all", headers=GZIP)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    html = gzip.decompress(packed.get_data()).decode()
    assert html.count("<tr") == plain.get_data(as_text=True).count("<tr") > 10
    assert len(packed.get_data()) * 4 < len(plain.get_data())


def test_a_stylesheet_keeps_its_304_when_unchanged(client):
    """Static files are sent as files (a version in their URL caches them a year): not compressed,
    and a browser that has one is still told it is unchanged."""
    first = client.get("/static/tracker.css", headers=GZIP)
    assert first.status_code == 200 and "Content-Encoding" not in first.headers
    again = client.get("/static/tracker.css", headers={**GZIP, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_the_apis_json_and_the_exports_keep_their_bytes(app, client, seeded, make_user, token_for):  # noqa: F811
    secret = token_for(make_user("leader", username="platform"))
    api = app.test_client()
    plain = api.get("/api/v1/projects?region=360783", headers=bearer(secret))
    asked = api.get("/api/v1/projects?region=360783", headers={**bearer(secret), **GZIP})
    assert "Content-Encoding" not in asked.headers
    assert asked.get_data() == plain.get_data() and asked.headers.get("ETag") == plain.headers.get("ETag")
    csv = client.get("/projects/export.csv?kind=all", headers=GZIP)
    assert csv.status_code == 200 and "Content-Encoding" not in csv.headers
    assert csv.get_data().startswith("\ufeff".encode())
