import json

import pytest
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory

from core.outage import DatabaseUnavailableMiddleware

middleware = DatabaseUnavailableMiddleware(lambda request: None)


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("connection refused"),
        InterfaceError("connection already closed"),
    ],
)
def test_the_database_out_of_reach_is_a_503_problem_under_the_api(error):
    response = middleware.process_exception(RequestFactory().get("/api/v1/actors/"), error)

    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "5"
    assert json.loads(response.content) == {
        "type": "about:blank",
        "title": "Service Unavailable",
        "status": 503,
        "detail": "The database cannot be reached at the moment; try again in a few seconds.",
        "code": "database_unavailable",
    }


def test_elsewhere_a_503_in_words():
    request = RequestFactory().get("/admin/")

    response = middleware.process_exception(request, OperationalError("refused"))

    assert (response.status_code, response["Content-Type"]) == (503, "text/plain")
    assert b"database cannot be reached" in response.content


def test_other_errors_are_left_to_the_server_error_handling():
    request = RequestFactory().get("/api/v1/actors/")

    assert middleware.process_exception(request, ValueError("a bug")) is None
