"""The API against its own OpenAPI description: generated requests on a realistic dataset.

Schemathesis reads the schema the API serves, generates requests for every operation
(valid ones, and ones that break the schema on purpose), sends them to the application
in-process, anonymously and as an editor who may write, and checks that no answer is a
server error and that every answer, its status code, content type and body, is one the
schema describes: every error a problem details document the schema documents for that
operation (a write without the record's version, 428, is one of them).
"""

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from knox.models import AuthToken
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client as WSGIClient

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_READ = 8
EXAMPLES_PER_WRITE = 4


@pytest.fixture
def api_schema(dataset, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None},
    }
    cache.clear()
    # Requests go through the WSGI handler, which closes the database connection when a
    # request ends; the test database lives in this test's transaction on that connection,
    # so keep it open, as Django's own test client does.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def current_version(case, headers) -> dict:
    """``If-Match`` with the record's current ETag for a change (as a script reads it first:
    a GET), so that the generated change is judged, not refused for naming no version."""
    if case.method.upper() not in ("PUT", "PATCH", "DELETE"):
        return {}
    # Through the WSGI application as schemathesis calls it (Django's test client would
    # connect the signal that closes the test's database connection again).
    response = WSGIClient(get_wsgi_application()).get(
        case.formatted_path, headers={**headers, "Accept": "application/json"}
    )
    etag = response.headers.get("ETag")
    response.close()
    return {"If-Match": etag} if etag else {}


def operations_check(api_schema, operations, examples, headers=None) -> dict:
    """Run the generated requests of each operation; the failures, by operation."""
    failures = {}
    for operation in operations:

        @given(
            case=st.one_of(
                operation.as_strategy(GenerationMode.POSITIVE),
                operation.as_strategy(GenerationMode.NEGATIVE),
            )
        )
        @hypothesis_settings(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def answers_as_described(case):
            if headers:
                case.headers = {**(case.headers or {}), **current_version(case, headers)}
            case.call_and_validate(checks=CHECKS, headers=headers)

        try:
            answers_as_described()
        except Exception as failure:  # noqa: BLE001 - every operation is reported, not the first
            failures[operation.label] = failure
    return failures


def report(failures) -> str:
    return "\n\n".join(f"{label}: {error}" for label, error in failures.items())


def test_the_api_answers_as_its_schema_says(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]

    failures = operations_check(api_schema, operations, EXAMPLES_PER_READ)

    # List, create, read, replace, update, delete: × 5 resources; the tombstones' list;
    # the trade series, an actor's network, the whole graph, the agreements timeline.
    assert len(operations) == 35
    assert not failures, report(failures)


def test_the_api_answers_an_editor_as_its_schema_says(api_schema, editor):
    # An editor reads unpublished records too. Generated payloads are mostly refused
    # (400), some written: never a 5xx, and the written record reads as the schema says.
    _, token = AuthToken.objects.create(user=editor)
    operations = [result.ok() for result in api_schema.get_all_operations()]

    failures = operations_check(
        api_schema,
        operations,
        EXAMPLES_PER_WRITE,
        headers={"Authorization": f"Token {token}"},
    )

    assert not failures, report(failures)


def test_the_schema_is_valid_openapi_without_a_warning():
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_every_parameter_of_every_operation_is_described(api, db):
    document = api.get("/api/schema/?format=json").json()

    undescribed = [
        f"{method.upper()} {path} {parameter['name']}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        for parameter in operation.get("parameters", [])
        if not parameter.get("description") and parameter["in"] == "query"
    ]
    assert undescribed == []


def test_the_docs_are_served(api, db):
    response = api.get("/api/docs/")

    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_an_editor_s_chained_requests_answer_as_the_schema_says(api_schema, editor):
    """Stateful: what one request writes or reads (its slug or id) is what the next one
    reads, changes or deletes, along the links between the operations (inferred from the
    schema's answers and path parameters). Every answer of every chain is checked."""
    _, token = AuthToken.objects.create(user=editor)
    auth = {"Authorization": f"Token {token}"}
    steps, failures = [], {}

    class EditorWorkflow(api_schema.as_state_machine()):
        # Each scenario starts from the same records: what one wrote is undone after it,
        # so Hypothesis meets the same answers when it replays a scenario.
        def setup(self):
            self.savepoint = transaction.savepoint()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)

        def get_call_kwargs(self, case):
            return {"headers": {**auth, **current_version(case, auth)}}

        def validate_response(self, response, case, **kwargs):
            steps.append((case.method.upper(), case.operation.path, response.status_code))
            try:
                case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)
            except Exception as failure:  # noqa: BLE001 - every failure is reported
                failures[f"{case.method.upper()} {case.formatted_path}"] = failure

    EditorWorkflow.run(
        settings=hypothesis_settings(
            max_examples=25,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )

    # The requests on a record's own address follow a link from an answer before them.
    followed = [step for step in steps if "{" in step[1]]
    assert not failures, report(failures)
    assert followed, "no request followed a link to a record"
