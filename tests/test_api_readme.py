"""The README's API examples, run as written: each `curl` of its "JSON API" section is sent to the
app through the test client, with the token `tracker tokens create` printed."""

from __future__ import annotations

import shlex
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa

from tracker.api.cli import tokens
from tracker.audit.models import AuditEntry
from tracker.projects.models import Project

README = Path(__file__).resolve().parents[1] / "README.md"
LAB = "赣州市龙南市疾病预防控制中心实验楼建设项目"


def readme_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## The JSON API", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    joined = block.replace("\\\n", " ")
    return [line.strip() for line in joined.splitlines() if line.strip() and not line.startswith("#")]


def send(client, command: str, variables: dict):
    words = shlex.split(command)
    # As the shell expands them: after the quotes are read, and $PROJECT_ETAG never as $PROJECT.
    for name, value in sorted(variables.items(), key=lambda item: -len(item[0])):
        words = [word.replace(f"${name}", value) for word in words]
    assert words[0] == "curl"
    method, headers, data, url = "GET", {}, None, None
    words = iter(words[1:])
    for word in words:
        if word == "-X":
            method = next(words)
        elif word == "-H":
            name, _, value = next(words).partition(":")
            headers[name.strip()] = value.strip()
        elif word == "-d":
            data = next(words)
        elif word == "-i":
            continue
        else:
            url = word
    parts = urlsplit(url)
    return client.open(parts.path + (f"?{parts.query}" if parts.query else ""), method=method,
                       headers=headers, data=data)


def test_the_readme_examples_do_what_they_say(app, seeded, db, make_user):
    commands = readme_commands()
    assert commands[0].startswith("TOKEN=$(tracker tokens create ln-officer")
    make_user("officer", "360783", username="ln-officer")
    created = app.test_cli_runner().invoke(tokens, shlex.split(commands[0].split("$(tracker tokens ", 1)[1].rstrip(")")))
    assert created.exit_code == 0, created.output
    project = db.session.scalar(sa.select(Project).where(Project.name == LAB))
    variables = {"TOKEN": created.output.splitlines()[0], "PROJECT": str(project.id)}
    client = app.test_client()
    listed, anonymous, posted = (send(client, c, variables) for c in commands[1:4])
    assert listed.status_code == 200
    assert listed.get_json()["totals"]["total_investment_wan_yuan"] == {"count": 8, "sum": "145735", "approximate": 0}
    assert anonymous.status_code == 401 and anonymous.mimetype == "application/problem+json"
    assert posted.status_code == 201, posted.get_data(as_text=True)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.project_id == project.id,
                                                          AuditEntry.action == "report:submit"))
    assert (entry.via, entry.user.username) == ("api", "ln-officer")
    variables["ETAG"] = posted.headers["ETag"]
    corrected = send(client, commands[4], variables)
    assert corrected.status_code == 200, corrected.get_data(as_text=True)
    stale = send(client, commands[5], variables)
    assert stale.status_code == 412 and stale.get_json()["changes"]

    created = send(client, commands[6], variables)
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.get_json()["region_code"] == "360783" and created.headers["Location"]
    read = send(client, commands[7], variables)
    variables["PROJECT_ETAG"] = read.headers["ETag"]
    changed = send(client, commands[8], variables)
    assert changed.status_code == 200, changed.get_data(as_text=True)
    assert changed.get_json()["status"] == "suspended"
    assert last(db, "project:update").reason == "用地调整，暂停施工"

    added = send(client, commands[9], variables)
    assert added.status_code == 201, added.get_data(as_text=True)
    variables.update(MILESTONE=str(added.get_json()["id"]), MILESTONE_ETAG=added.headers["ETag"])
    replanned = send(client, commands[10], variables)
    assert replanned.status_code == 200, replanned.get_data(as_text=True)
    assert (replanned.get_json()["baseline_date"], replanned.get_json()["replan_count"]) == ("2026-05-01", 1)

    revised = send(client, commands[11], variables)
    assert revised.status_code == 201, revised.get_data(as_text=True)
    assert last(db, "budget:revise").reason == "增加负压实验室"

    line = send(client, commands[12], variables)
    assert line.status_code == 201, line.get_data(as_text=True)
    variables.update(LINE=str(line.get_json()["id"]), LINE_ETAG=line.headers["ETag"])
    corrected = send(client, commands[13], variables)
    assert corrected.status_code == 200 and corrected.get_json()["amount"] == "800"
    variables["LINE_ETAG"] = corrected.headers["ETag"]
    deleted = send(client, commands[14], variables)
    assert deleted.status_code == 204
    assert (last(db, "funding:update").via, last(db, "funding:delete").reason) == ("api", "与省平台数据重复")
    assert len(commands) == 15


def last(db, action: str) -> AuditEntry:
    return db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id.desc()))
