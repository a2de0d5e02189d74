"""The English catalog: every message the code shows has a checked (not fuzzy) translation, and
English pages show no Chinese interface text (names from the plans stay Chinese: they are data)."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from .conftest import login_as

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "tracker" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%%|<[^>]+>|&\w+;")
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def catalog():
    with CATALOG.open("rb") as f:
        return read_po(f, locale="en")


def test_every_entry_is_translated_and_none_is_a_guess(catalog):
    entries = [m for m in catalog if m.id]
    assert entries
    assert [m.id for m in entries if m.fuzzy] == []  # msgmerge's guesses, never reviewed
    assert [m.id for m in entries if not m.string] == []  # would show the Chinese msgid
    assert not catalog.obsolete


def test_translations_keep_every_placeholder(catalog):
    """Each form of a plural (1 milestone, 2 milestones) keeps the placeholders of the message."""
    wrong = [(m.id, m.string) for m in catalog if m.id
             for form in ([m.string] if isinstance(m.string, str) else m.string)
             if sorted(PLACEHOLDER.findall(m.id if isinstance(m.id, str) else m.id[0]))
             != sorted(PLACEHOLDER.findall(form))]
    assert wrong == []


def test_english_counts_agree_with_their_nouns(catalog):
    """A count of one reads "1 milestone", not "1 milestones": the messages with a count in them
    are plurals (``ngettext``), each with its singular and its plural form in English."""
    plurals = [m for m in catalog if m.id and isinstance(m.id, tuple)]
    assert len(plurals) >= 15
    assert [m.id[0] for m in plurals if len(m.string) != 2 or not all(m.string)] == []
    assert [m.id[0] for m in plurals if m.string[0] == m.string[1]] == []


def test_every_message_in_the_code_is_in_the_catalog(catalog):
    """Fails when a new _() string was added without `pybabel extract` + `update` + a translation."""
    method_map = [("tracker/**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "N_": None,
                "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map=method_map, keywords=keywords):
        if (filename.startswith("tracker/") or filename.startswith("templates/")) and message:
            found.setdefault(message, f"{filename}:{lineno}")
    known = {m.id for m in catalog if m.id}
    assert {message: where for message, where in found.items() if message not in known} == {}


@pytest.mark.parametrize("path", ["/dashboard", "/projects", "/projects/new", "/import", "/admin/users",
                                  "/admin/users/new", "/admin/settings", "/account/password",
                                  "/admin/audit", "/nowhere"])
def test_english_pages_show_no_chinese_interface_text(app, db, make_user, path):
    """An empty database: no project, region or plan names, so any Chinese is interface text.
    Only the language switch names 中文, in Chinese, on purpose. The audit log lists the admin's
    own creation: its sentence is written in the reader's language when read."""
    client = app.test_client()
    login_as(client, make_user("admin", username="admin-en"))
    client.get("/language/en")
    html = client.get(path).get_data(as_text=True)
    text = re.sub(r"<script.*?</script>|<style.*?</style>", "", html, flags=re.S).replace("中文", "")
    assert HAN.findall(text) == [], path


def test_the_request_s_translations_follow_a_forced_locale_and_a_refresh(app):
    """tracker/core/translation.py keeps one translations object per request: a label read
    under force_locale (the importer's English sheet headers) is in that language, and the
    request's own language returns after it, as after a refresh()."""
    from flask_babel import force_locale, refresh

    from tracker.core.translation import gettext
    from tracker.vocabulary import Status

    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        assert gettext("未填报") == "未填报"
        assert Status.CONSTRUCTION.label == "在建"
        with force_locale("en"):
            assert gettext("未填报") == "not stated"
            assert Status.CONSTRUCTION.label == "Under construction"
        assert gettext("未填报") == "未填报"
        assert Status.CONSTRUCTION.label == "在建"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert gettext("未填报") == "not stated"
        refresh()
        assert gettext("未填报") == "not stated"


def test_wtforms_own_messages_follow_each_readers_language(app):
    """WTForms' built-in messages (a number or a choice it cannot read) come in the reader's
    language, request after request, though its catalogs are read once a language
    (``TrackerForm.Meta.get_translations``)."""
    import flask_babel
    from flask import session
    from wtforms import IntegerField, SelectChoice, SelectField

    from tracker.forms import TrackerForm

    class Figures(TrackerForm):
        beds = IntegerField("beds")
        stage = SelectField("stage", choices=[SelectChoice("a", "A")])

    seen = []
    for language in ("zh", "en", "zh"):
        with app.test_request_context("/", method="POST", data={"beds": "x", "stage": "b"}):
            session["language"] = language
            flask_babel.refresh()
            form = Figures(meta={"csrf": False})
            form.validate()
            seen.append(form.errors)
    assert seen[0] == seen[2] == {"beds": ["不是有效的整数。"], "stage": ["不是有效的选择。"]}
    assert seen[1] == {"beds": ["Not a valid integer value."], "stage": ["Not a valid choice."]}


def test_a_count_of_one_reads_in_the_singular_in_english(app, db, seeded, make_user):
    """What an English reader saw on a project with one overdue milestone: "1 milestones past
    their planned date", and "Total (1 projects)" under a list of one."""
    import sqlalchemy as sa

    from tracker.core import clock
    from tracker.models import Project

    today = clock.today()
    projects = db.session.scalars(sa.select(Project).order_by(Project.id)).all()
    project = next(p for p in projects if sum(m.is_overdue(today) for m in p.milestones) == 1)
    client = app.test_client()
    login_as(client, make_user("leader", username="leader-plural"))
    client.get("/language/en")
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "1 milestone past its planned date and not done" in html
    html = client.get("/projects", query_string={"q": project.name, "kind": "all",
                                                 "region": project.region.key}).get_data(as_text=True)
    assert "Total (1 project)" in html
    assert "1 projects" not in html and "1 milestones" not in html


def test_english_pages_punctuate_in_english(app, db, seeded, make_user):
    """The list's filter chips and the dashboard's scope line are labelled and joined by the
    tracker (``labelled``, ``phrases``): in English "Status: Completed" and "; ", where they
    wrote the Chinese "：" and "；" into English pages."""
    client = app.test_client()
    login_as(client, make_user("leader", username="leader-punctuation"))
    client.get("/language/en")
    html = client.get("/projects?status=completed&category=general_hospital&kind=all").get_data(as_text=True)
    chips = re.search(r'<ul class="chips".*?</ul>', html, re.S).group(0)
    assert "Status: Completed" in chips and "：" not in chips
    html = client.get("/dashboard?status=completed&category=general_hospital").get_data(as_text=True)
    scope = re.search(r'<p class="scope-line">.*?</p>', html, re.S).group(0)
    assert "；" not in scope and "：" not in scope and "; " in scope, scope
    client.get("/language/zh")
    html = client.get("/projects?status=completed&kind=all").get_data(as_text=True)
    assert "状态：竣工" in re.search(r'<ul class="chips".*?</ul>', html, re.S).group(0)


def test_what_is_printed_in_english_punctuates_in_english(app, db, seeded, make_user):
    """A QA walk's complaint: English output kept Chinese punctuation the tracker itself wrote:
    the evaluation's "2021—2025（十四五）", the briefing's "…behind time elapsed（time elapsed
    93.4%）" and "554 days overdue；", the dashboard's ideographic space before "Date:", and the
    import template's "Allowed values" joined by "、"."""
    import io

    import openpyxl
    from pypdf import PdfReader

    client = app.test_client()
    login_as(client, make_user("admin", username="admin-punctuation"))
    client.get("/language/en")
    scope = re.search(r'<p class="scope-line">.*?</p>', client.get("/dashboard?region=360783").get_data(as_text=True),
                      re.S).group(0)
    assert "\u3000" not in scope, scope
    plan = "longnan-14th-regional-plan"
    evaluation = "".join(page.extract_text() for page in PdfReader(io.BytesIO(
        client.get(f"/plans/{plan}/evaluation.pdf").data)).pages)
    assert "2021—2025 (14th Five-Year Plan)" in evaluation and "（十四五）" not in evaluation, evaluation[:300]
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/plans/{plan}/evaluation.xlsx").data))
    about = {row[0]: row[1] for row in book[book.sheetnames[-1]].iter_rows(values_only=True) if row and row[0]}
    assert about["Plan period"] == "2021—2025 (14th Five-Year Plan)", about
    template = openpyxl.load_workbook(io.BytesIO(client.get("/import/templates/projects.xlsx").data))
    listed = [row[3] for row in template.worksheets[1].iter_rows(values_only=True) if row and len(row) > 3 and row[3]]
    assert listed and not any("、" in text for text in listed), listed
    briefing = "".join(page.extract_text() for page in PdfReader(io.BytesIO(
        client.get("/dashboard/briefing.pdf?region=360783").data)).pages)
    assert "；" not in briefing and "（time" not in briefing, briefing


def test_an_english_evaluation_pdf_and_filter_wording_keep_words_whole(app, db, seeded, make_user):
    """A regression walk's complaint: the English evaluation PDF printed "Expecte / d" in its
    Nature column and "（Bindin / g）" glued to a Chinese name; the period read "14th Five-Year
    Plan（2021—2025）" and a total "145,735（stated for …）" with Chinese brackets."""
    import io

    import openpyxl
    from pypdf import PdfReader

    client = app.test_client()
    login_as(client, make_user("admin", username="admin-whole-words"))
    client.get("/language/en")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(
        client.get("/plans/longnan-14th-regional-plan/evaluation.pdf").data)).pages)
    ends = {line.split()[-1] for line in text.splitlines() if line.split()}
    assert not ends & {"Expecte", "Bindin", "Bi"}, sorted(ends)[:40]
    book = openpyxl.load_workbook(io.BytesIO(client.get("/projects/export.xlsx?period=2021-2025&region=360783").data))
    notes = [str(row[1]) for row in book.worksheets[1].iter_rows(values_only=True) if row[1]]
    assert any("14th Five-Year Plan (2021—2025)" in note for note in notes), notes
    assert not any("（" in note for note in notes if "stated for" in note or "Five-Year" in note), notes


def test_the_dashboards_headline_and_the_lists_totals_say_their_coverage_in_the_same_words(
        app, db, seeded, make_user):
    """A QA walk: in English the dashboard's 总投资 card said "(… projects reporting, …)" where the
    list's totals said "(stated for …)"; in Chinese both read "（N 个项目中 M 个填报）". The list's
    总投资合计 coverage, word for word, is the dashboard's, in both languages."""
    client = app.test_client()
    login_as(client, make_user("admin", username="admin-same-words"))
    for language, total in (("zh", "总投资合计"), ("en", "Total investment")):
        client.get(f"/language/{language}")
        listed = re.sub(r"<[^>]+>|\s+", " ", client.get("/projects?region=360783").get_data(as_text=True))
        board = re.sub(r"<[^>]+>|\s+", " ", client.get("/dashboard?region=360783").get_data(as_text=True))
        coverage = re.search(re.escape(total) + r"[^（(]*([（(][^）)]*[）)])", listed).group(1)
        assert ("填报" in coverage or "stated for" in coverage) and coverage in board, (coverage, language)
        assert "reporting," not in board and "projects reporting)" not in board
