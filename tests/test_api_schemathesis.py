"""The API tested against its own description: schemathesis reads /api/v1/openapi.json from the
app, generates requests for every operation, and sends each with a token of every role. No
response may be a server error or break the document (status, content type, headers, body).

A few examples per operation and role keep this to seconds in CI; raise API_FUZZ_EXAMPLES
to search harder.
"""

from __future__ import annotations

import itertools
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_headers_conformance,
                                               response_schema_conformance, status_code_conformance)

from tracker.api import tokens
from tracker.audit.services import Actor

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)  # valid requests, and invalid ones
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "6"))


@pytest.fixture()
def role_headers(seeded, db, make_user):
    """A write token for each role that may write, a read token for the others (the scope asks;
    the role and regions decide)."""
    users = [make_user("admin", username="api-admin"), make_user("officer", "360783", username="api-officer"),
             make_user("leader", username="api-leader"), make_user("viewer", username="api-viewer")]
    headers = []
    for user in users:
        _token, secret = tokens.create_token(Actor(None, "cli"), user,
                                             scope="write" if tokens.may_write(user) else "read")
        headers.append({"Authorization": f"Bearer {secret}"})
    db.session.commit()
    return headers


def test_every_operation_for_every_role_keeps_to_the_document(app, db, role_headers):
    app.config["API_RATE_LIMIT"] = "100000 per minute"
    try:
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 8
        for operation, mode in itertools.product(operations, MODES):
            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                      phases=[Phase.explicit, Phase.generate],
                      suppress_health_check=list(HealthCheck))
            def check(case):
                for headers in role_headers:
                    case.call_and_validate(headers=headers, checks=CHECKS)
                case.call_and_validate(checks=CHECKS)  # and without a token: 401 as documented
            check()
    finally:
        app.config["API_RATE_LIMIT"] = "600 per minute"
