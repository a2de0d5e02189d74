"""A funding line is corrected on the funding page with a reason, audited, and never over another
officer's save; the API's PUT uses the same service (tests/test_api_writes.py)."""

from __future__ import annotations

import re
from decimal import Decimal

import sqlalchemy as sa

from tracker.audit.models import AuditEntry
from tracker.audit.services import CLI
from tracker.progress import services as progress
from tracker.progress.models import FundingLine

from .conftest import login_as


def test_an_officer_corrects_a_line_with_a_reason_and_it_is_audited(app, db, officer, longnan_project):
    line = progress.add_funding_line(CLI, longnan_project, source="central_budget", amount="500", note="第一批")
    db.session.commit()
    funding = officer.get(f"/projects/{longnan_project.id}/funding").get_data(as_text=True)
    edit_url = f"/projects/{longnan_project.id}/funding/{line.id}/edit"
    assert edit_url in funding
    form = officer.get(edit_url)
    assert form.status_code == 200 and "第一批" in form.get_data(as_text=True)
    values = {"source": "special_bonds", "amount": "1,200", "note": "第一批（更正）", "version": str(line.version)}

    refused = officer.post(edit_url, data=values)
    assert refused.status_code == 400 and "请说明修改原因" in refused.get_data(as_text=True)
    assert db.session.get(FundingLine, line.id).amount == 500

    saved = officer.post(edit_url, data={**values, "reason": "按批复文件更正"})
    assert saved.status_code == 302
    db.session.expire_all()
    line = db.session.get(FundingLine, line.id)
    assert (line.source.value, line.amount, line.note) == ("special_bonds", 1200, "第一批（更正）")
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "funding:update"))
    assert (entry.via, entry.user.username, entry.reason) == ("web", "ln-officer", "按批复文件更正")
    assert entry.changes["amount"] == ["500", "1200"] and entry.changes["source"] == ["central_budget", "special_bonds"]


def test_a_stale_correction_is_refused_with_what_the_other_officer_saved(app, db, officer, make_user,
                                                                          longnan_project):
    line = progress.add_funding_line(CLI, longnan_project, source="central_budget", amount="500")
    db.session.commit()
    read_version = line.version
    other = app.test_client()
    login_as(other, make_user("officer", "360783", username="ln-colleague"))
    url = f"/projects/{longnan_project.id}/funding/{line.id}/edit"
    assert other.post(url, data={"source": "central_budget", "amount": "800", "reason": "到账 800",
                                 "version": str(read_version)}).status_code == 302
    late = officer.post(url, data={"source": "central_budget", "amount": "600", "reason": "到账 600",
                                   "version": str(read_version)})
    page = re.sub(r"<[^>]+>", "", late.get_data(as_text=True))  # the changes' one macro marks old and new
    assert late.status_code == 409 and "ln-colleague" in page and "500 → 800" in page
    db.session.expire_all()
    assert db.session.get(FundingLine, line.id).amount == 800


def test_a_correction_of_a_line_deleted_meanwhile_never_lands_on_the_line_added_after(app, db, officer, make_user,
                                                                                       longnan_project):
    """An officer has the newest line's correction form open; a colleague deletes that line and
    adds another. SQLite gives a new row the largest id plus one, so the new line took the deleted
    one's id and its version 1: the correction saved over the colleague's new line. The new line
    has an id of its own, and the late correction finds its line gone."""
    line = progress.add_funding_line(CLI, longnan_project, source="central_budget", amount="500")
    db.session.commit()
    url = f"/projects/{longnan_project.id}/funding/{line.id}/edit"
    read = {"source": "central_budget", "amount": "600", "reason": "到账 600", "version": str(line.version)}
    deleted_id = line.id
    colleague = app.test_client()
    login_as(colleague, make_user("officer", "360783", username="ln-colleague"))
    assert colleague.post(f"/projects/{longnan_project.id}/funding/{deleted_id}/delete",
                          data={"reason": "重复录入"}).status_code == 302
    assert colleague.post(f"/projects/{longnan_project.id}/funding",
                          data={"f-source": "special_bonds", "f-amount": "900", "f-note": "专项债"}).status_code == 302
    db.session.expire_all()
    new = db.session.scalar(sa.select(FundingLine).where(FundingLine.project_id == longnan_project.id))
    assert new.id != deleted_id
    late = officer.post(url, data=read)
    # Said as what happened (a QA walk: "找不到此页面" told nothing): deleted, by whom, not saved.
    assert late.status_code == 302 and late.location.endswith(f"/projects/{longnan_project.id}/funding")
    told = officer.get(late.location).get_data(as_text=True)
    assert "这条资金来源已于" in told and "被 ln-colleague 删除，您的修改没有保存" in told
    assert officer.post(f"/projects/{longnan_project.id}/funding/{deleted_id}/delete",
                        data={"reason": "重复"}).status_code == 302  # a second deletion: the same
    db.session.expire_all()
    assert (db.session.get(FundingLine, new.id).source.value, db.session.get(FundingLine, new.id).amount) == (
        "special_bonds", 900)


def test_the_add_form_sent_again_from_the_back_button_adds_its_line_once(app, db, officer, make_user, longnan_project):
    """新增 700, browser Back (Chromium gives the form its 700 back, and renders the page anew),
    新增 again: two 700 lines, 合计 1,400 and a 资金缺口 700 short. The same person adding the same
    line again within minutes is the form sent twice: told so, not added. A line alike on purpose
    says how it differs in its note; a colleague's is his own."""
    progress.add_funding_line(CLI, longnan_project, source="central_budget", amount="500")
    db.session.commit()
    url = f"/projects/{longnan_project.id}/funding"
    sent = {"f-source": "other", "f-amount": "700", "f-note": ""}
    assert officer.post(url, data=sent).status_code == 302
    again = officer.post(url, data=sent, follow_redirects=True)  # Back, then 新增 again
    assert "刚刚已经新增过（同一表单提交了两次？），没有重复添加" in again.get_data(as_text=True)

    def amounts():
        db.session.expire_all()
        return sorted((line.amount, line.note or "") for line in db.session.scalars(
            sa.select(FundingLine).where(FundingLine.project_id == longnan_project.id)))
    assert amounts() == [(500, ""), (700, "")]
    assert officer.post(url, data={**sent, "f-amount": "800"}).status_code == 302  # another line
    assert officer.post(url, data={**sent, "f-note": "第二批"}).status_code == 302  # alike, said apart
    colleague = app.test_client()
    login_as(colleague, make_user("officer", "360783", username="ln-funder"))
    assert colleague.post(url, data=sent).status_code == 302
    assert amounts() == [(500, ""), (700, ""), (700, ""), (700, "第二批"), (800, "")]


def test_a_funding_gap_says_when_a_line_states_no_amount(officer, db, longnan_project):
    """单位自筹 with no amount: the page said 资金缺口 32,000 as a firm figure."""
    progress.add_funding_line(CLI, longnan_project, source="central_budget", amount="500")
    progress.add_funding_line(CLI, longnan_project, source="self_raised", amount=None)
    longnan_project.total_investment = Decimal("2000")
    db.session.commit()
    page = officer.get(f"/projects/{longnan_project.id}/funding").get_data(as_text=True)
    assert "1,500" in page and "其中 1 条资金来源未填金额，缺口可能更小" in page


def test_a_correction_refused_as_stale_takes_the_others_amount_and_saving_again_keeps_it(
        app, db, officer, make_user, longnan_project):
    """A QA walk's complaint: A set 1,000 → 1,200; B, whose page showed 1,000, added only a note.
    B was refused, told to check the latest below, but his amount box still said 1,000 under
    the new version: saving again put 1,000 back, in B's name."""
    from werkzeug.datastructures import MultiDict

    from .live import forms_in

    line = progress.add_funding_line(CLI, longnan_project, source="local_fiscal", amount="1000")
    db.session.commit()
    url = f"/projects/{longnan_project.id}/funding/{line.id}/edit"
    other = app.test_client()
    login_as(other, make_user("officer", "360783", username="ln-amount"))
    loaded = [f for f in forms_in(officer.get(url).get_data(as_text=True)) if f.method == "post" and f.action != "/logout"][0]
    assert other.post(url, data={"source": "local_fiscal", "amount": "1200", "reason": "按批复调整",
                                 "version": str(line.version)}).status_code == 302
    refused = officer.post(url, data=MultiDict(loaded.values(note="县财政第二批", reason="补备注")))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    again = [f for f in forms_in(html) if f.method == "post" and f.action != "/logout"][0]
    assert again.get("amount") == "1200" and again.get("note") == "县财政第二批", again.values()
    assert officer.post(url, data=MultiDict(again.values())).status_code == 302
    db.session.expire_all()
    saved = db.session.get(FundingLine, line.id)
    assert (saved.amount, saved.note) == (Decimal("1200"), "县财政第二批")


def test_an_annual_plan_set_meanwhile_is_not_overwritten_unseen(app, db, officer, make_user, longnan_project):
    """A QA walk's complaint: A set 2027 = 650; B, whose page never showed it, saved 700 and was
    told 已保存; nobody learnt of the other's figure."""
    from werkzeug.datastructures import MultiDict

    from tracker.progress.models import AnnualPlan

    from .live import forms_in

    url = f"/projects/{longnan_project.id}/funding"
    other = app.test_client()
    login_as(other, make_user("officer", "360783", username="ln-planner"))

    def plan_form(html):
        return next(f for f in forms_in(html) if f.method == "post" and f.get("a-year") is not None)

    mine = plan_form(officer.get(url).get_data(as_text=True))
    theirs = plan_form(other.get(url).get_data(as_text=True))
    assert other.post(url, data=MultiDict(theirs.values(**{"a-year": "2027", "a-planned_investment": "650"}))).status_code == 302
    refused = officer.post(url, data=MultiDict(mine.values(**{"a-year": "2027", "a-planned_investment": "700"})))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "其他人已把 2027 年的年度计划投资改为 650 万元" in html

    def stored():
        db.session.expire_all()
        return db.session.scalar(sa.select(AnnualPlan.planned_investment).where(
            AnnualPlan.project_id == longnan_project.id, AnnualPlan.year == 2027))
    assert stored() == Decimal("650")
    again = officer.post(url, data=MultiDict(plan_form(html).values(**{"a-year": "2027", "a-planned_investment": "700"})))
    assert again.status_code == 302 and stored() == Decimal("700")


def test_a_deletion_confirmed_after_a_colleague_changed_the_line_is_refused_showing_his_change(
        app, db, officer, make_user, longnan_project):
    """The confirmation page read "超长期特别国债 0 万元"; a colleague corrected the line to 8,000
    with a note; 确认删除 deleted his 8,000 unseen. The page carries the version it showed: the
    deletion is refused, the line as it now is and who changed it shown, asked again."""
    line = progress.add_funding_line(CLI, longnan_project, source="ultra_long_bonds", amount="0")
    db.session.commit()
    url = f"/projects/{longnan_project.id}/funding/{line.id}/delete"
    page = officer.get(url).get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', page)
    assert version, page
    shown = version.group(1) or version.group(2)
    colleague = app.test_client()
    login_as(colleague, make_user("officer", "360783", username="ln-colleague"))
    assert colleague.post(f"/projects/{longnan_project.id}/funding/{line.id}/edit",
                          data={"source": "ultra_long_bonds", "amount": "8000", "note": "B补金额",
                                "reason": "补填金额", "version": shown}).status_code == 302

    late = officer.post(url, data={"reason": "重复", "version": shown})
    text = re.sub(r"<[^>]+>", "", late.get_data(as_text=True))
    assert late.status_code == 409, text
    assert "ln-colleague" in text and "8,000" in text and "没有删除" in text, text
    db.session.expire_all()
    assert db.session.get(FundingLine, line.id).amount == 8000
    # Asked again on the page as it now is, the deletion goes through.
    again = re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', late.get_data(as_text=True))
    assert officer.post(url, data={"reason": "重复", "version": again.group(1) or again.group(2)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(FundingLine, line.id) is None


def test_opening_a_deleted_lines_links_says_who_deleted_it_and_when(app, db, officer, make_user, longnan_project):
    """A QA walk's complaint: a deleted line's 修改 or 删除 link, opened from a page left open (or
    after Back), gave the generic "找不到此页面…", where sending its form said who deleted it and
    when. Opening them says so too, and leads back to the project's funding."""
    line = progress.add_funding_line(CLI, longnan_project, source="central_budget", amount="500")
    db.session.commit()
    colleague = app.test_client()
    login_as(colleague, make_user("officer", "360783", username="ln-colleague"))
    assert colleague.post(f"/projects/{longnan_project.id}/funding/{line.id}/delete",
                          data={"reason": "重复录入"}).status_code == 302
    for action in ("edit", "delete"):
        opened = officer.get(f"/projects/{longnan_project.id}/funding/{line.id}/{action}")
        assert opened.status_code == 302 and opened.location.endswith(f"/projects/{longnan_project.id}/funding")
        told = officer.get(opened.location).get_data(as_text=True)
        assert "这条资金来源已于" in told and "被 ln-colleague 删除。" in told and "找不到" not in told
    assert officer.get(f"/projects/{longnan_project.id}/funding/{line.id + 1000}/edit").status_code == 404
