"""The OpenAPI document checked against the running app by schemathesis: requests drawn
from the spec never get a 5xx, and every answer matches the spec's status, media type and
schema (seeded: the same examples on every run)."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.web_support import build_instance
from web import create_app

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture(scope="module")
def api_app(tmp_path_factory):
    home = build_instance(tmp_path_factory.mktemp("openapi"))
    return create_app({"HOME": str(home)})


@pytest.fixture(scope="module")
def api_schema(api_app):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", api_app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=60, suppress_health_check=list(HealthCheck))
def test_api_matches_its_openapi_document(case):
    case.call_and_validate(checks=CHECKS)


def test_the_document_names_every_api_route(api_app):
    spec = api_app.test_client().get("/api/openapi.json").json
    routes = {rule.rule.replace("<path:", "{").replace("<", "{").replace(">", "}")
              for rule in api_app.url_map.iter_rules() if rule.endpoint.startswith("api.")}
    assert routes - {"/api/openapi.json"} == {path for path in spec["paths"]}
    assert spec["openapi"] == "3.1.0"


@pytest.mark.parametrize("path", ["/api/entities/Leila%20Farahani", "/api/countries/IR",
                                  "/api/search?q=oil&country=IR"])
def test_known_answers_validate(api_schema, api_app, path):
    """Real data (the spec's generated names rarely hit a known entity) also matches."""
    client = api_app.test_client()
    answer = client.get(path)
    assert answer.status_code == 200
    template = path.split("?")[0].replace("Leila%20Farahani", "{name}").replace("/IR", "/{code}")
    operation = api_schema.find_operation_by_path("GET", template)
    operation.validate_response(answer)
