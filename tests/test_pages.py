"""The project, region and plan pages; error pages; the language switch."""

import sqlalchemy as sa

from tracker.models import Project


def longnan_lab(db) -> Project:
    return db.session.scalar(sa.select(Project).where(
        Project.name == "赣州市龙南市疾病预防控制中心实验楼建设项目"))


def test_project_page_shows_figures_with_units_and_their_lines(client, seeded, db):
    project = longnan_lab(db)
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "约4 亩" in html
    assert "4,400 m²" in html
    assert "1,320 万元" in html
    assert "<q>1,320</q>" in html
    assert "/plans/longnan-14th-regional-plan/text#L194" in html
    assert "未填报" in html  # beds: nobody stated them


def test_the_cited_line_is_on_the_document_page(client, seeded, db):
    html = client.get("/plans/longnan-14th-regional-plan/text").get_data(as_text=True)
    assert '<li id="L194"><a href="#L194" class="line-number">194</a><span class="line-text">\t1,320</span><span class="cited-by' in html


def test_region_page_shows_totals_and_plans(client, seeded):
    html = client.get("/regions/360783").get_data(as_text=True)
    assert "145,735" in html and "龙南县" in html


def test_missing_things_are_404_in_the_site_look(client, db):
    for url in ("/projects/999999", "/regions/000000", "/plans/none", "/plans/none/text", "/nowhere"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "找不到此页面" in response.get_data(as_text=True)


def test_a_request_refused_before_its_view_gets_a_page_in_the_readers_language(client, db):
    """The NUL-byte guard and the CSRF check answer before the locale was looked up: the error
    page still says which language it is in and which one the switch has chosen."""
    response = client.get("/projects?q=%00")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert '<html lang="zh-CN">' in html and "<strong>中文</strong>" in html
    client.get("/language/en")
    html = client.get("/projects?q=%00").get_data(as_text=True)
    assert '<html lang="en">' in html and "<strong>English</strong>" in html


def test_an_internal_error_shows_no_stack_trace(app, client, monkeypatch):
    def boom(**_):
        raise RuntimeError("secret detail")

    monkeypatch.setitem(app.view_functions, "portfolio.project_list", boom)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("/projects")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret detail" not in body and "Traceback" not in body
    assert "系统出现内部错误" in body


def test_language_switch_to_english_and_back(client, db):
    client.get("/language/en?next=/projects")
    html = client.get("/projects").get_data(as_text=True)
    assert "Projects" in html and "项目清单" not in html
    client.get("/language/zh?next=/projects")
    assert "项目清单" in client.get("/projects").get_data(as_text=True)


def test_language_switch_never_redirects_off_site(client, db):
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = client.get(f"/language/en?next={target}")
        assert response.headers["Location"] == "/", target


def test_a_planned_date_on_the_project_page_is_cited_by_its_milestones_line(client, seeded, db):
    """计划开工 2021-12-31 of 宜春's 市妇保院二期 comes from the 工作要点's line 55 ("启动市妇保院二期…
    项目建设"): the milestones section cited it, the 基本信息 row beside it had an empty 出处."""
    import sqlalchemy as sa

    from tracker.progress.models import Milestone

    start = db.session.scalars(sa.select(Milestone).where(Milestone.stage == "start", Milestone.planned_date.is_not(None))
                               .order_by(Milestone.id)).all()
    cited = next(m for m in start if m.sources)
    page = client.get(f"/projects/{cited.project_id}").get_data(as_text=True)
    row = page[page.index('<th scope="row">计划开工</th>'):]
    row = row[:row.index("</tr>")]
    assert cited.planned_date.isoformat() in row
    assert f'#L{cited.sources[0]["line"]}"' in row and f'第{cited.sources[0]["line"]}行' in row


def test_a_location_the_plan_line_names_is_cited_there(client, seeded, db):
    """建设地点 "虔心小镇、九连山" (龙南 line 168) had no 出处 on its project page: the seed cited the
    line for the name alone."""
    project = db.session.scalar(sa.select(Project).where(Project.location == "虔心小镇、九连山"))
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    row = page[page.index('<th scope="row">建设地点</th>'):]
    row = row[:row.index("</tr>")]
    assert "虔心小镇、九连山" in row and "#L168" in row
