"""The OpenAPI 3 document of the JSON API: exactly the parameters and answers it has."""
from __future__ import annotations

from indexer.search.params import FACETS, MAX_LIMIT, SORTS

DATE_PATTERN = r"^(\d{4}(-\d{2}(-\d{2})?)?|-?\d{1,4}[dwmy])$"
NULLABLE_STRING = {"type": ["string", "null"]}
STRINGS = {"type": "array", "items": {"type": "string"}}
FREQUENCY = {"type": "string", "enum": ["instant", "daily", "weekly", "off"]}


def _array_param(name: str, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "style": "form", "explode": True, "schema": STRINGS}


def search_parameters() -> list[dict]:
    """The search arguments SearchParams.from_args reads, as query parameters."""
    params = [{"name": "q", "in": "query", "required": False, "schema": {"type": "string"},
               "description": "Query text in the query language; empty matches every document."}]
    for facet in FACETS:
        params.append(_array_param(facet, f"Only documents with this {facet} (repeat: any of them)."))
        params.append(_array_param(f"exclude_{facet}", f"Leave out documents with this {facet}."))
    params += [
        {"name": "from", "in": "query", "required": False,
         "description": "First day (YYYY, YYYY-MM or YYYY-MM-DD, or back from today: -7d, -2w, -3m, -1y).",
         "schema": {"type": "string", "pattern": DATE_PATTERN}},
        {"name": "to", "in": "query", "required": False,
         "description": "Last day (YYYY, YYYY-MM or YYYY-MM-DD, or back from today: -7d, -2w, -3m, -1y).",
         "schema": {"type": "string", "pattern": DATE_PATTERN}},
        {"name": "sort", "in": "query", "required": False, "schema": {"type": "string", "enum": list(SORTS)},
         "description": "Order; relevance with a query, newest without one, by default."},
        {"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1}},
        {"name": "limit", "in": "query", "required": False,
         "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}},
        {"name": "facet_limit", "in": "query", "required": False,
         "schema": {"type": "integer", "minimum": 0, "maximum": MAX_LIMIT}},
    ]
    return params


def schemas() -> dict:
    """The JSON shapes of INTERFACES.md (further keys allowed)."""
    entity = {"type": "object", "required": ["name", "type"],
              "properties": {"name": {"type": "string"},
                             "type": {"type": "string", "enum": ["person", "org", "other"]}}}
    document = {"type": "object",
                "required": ["id", "external_id", "kind", "parent_id", "source", "url", "title",
                             "published", "date_source", "lang", "countries", "entities",
                             "ingested_at", "seq"],
                "properties": {
                    "id": {"type": "string"}, "external_id": NULLABLE_STRING,
                    "kind": {"type": "string", "enum": ["article", "brief"]},
                    "parent_id": NULLABLE_STRING, "source": NULLABLE_STRING, "url": NULLABLE_STRING,
                    "title": NULLABLE_STRING, "text": {"type": "string"}, "published": NULLABLE_STRING,
                    "date_source": {"type": "string", "enum": ["metadata", "text", "ingested"]},
                    "lang": NULLABLE_STRING, "countries": STRINGS,
                    "entities": {"type": "array", "items": {"$ref": "#/components/schemas/Entity"}},
                    "ingested_at": {"type": "string"}, "seq": {"type": "integer"}}}
    result = {"allOf": [{"$ref": "#/components/schemas/Document"},
                        {"type": "object", "required": ["snippet", "duplicates"],
                         "properties": {"snippet": {"type": "string"},
                                        "duplicates": {"type": "integer", "minimum": 0}}}]}
    summary = {"allOf": [{"$ref": "#/components/schemas/Document"},
                         {"type": "object", "required": ["excerpt"],
                          "properties": {"excerpt": {"type": "string"}}}]}
    count = {"type": "object", "required": ["value", "count"],
             "properties": {"value": {"type": "string"}, "count": {"type": "integer", "minimum": 1}}}
    facet = {"type": "object", "required": ["values", "more"],
             "properties": {"values": {"type": "array", "items": {"$ref": "#/components/schemas/Count"}},
                            "more": {"type": "integer", "minimum": 0}}}
    bucket = {"type": "object", "required": ["bucket", "count"],
              "properties": {"bucket": {"type": "string"}, "count": {"type": "integer", "minimum": 0}}}
    interval = {"type": ["string", "null"], "enum": ["day", "week", "month", "year", None]}
    histogram = {"type": "object", "required": ["interval", "buckets", "undated"],
                 "properties": {"interval": interval,
                                "buckets": {"type": "array", "items": bucket},
                                "undated": {"type": "integer", "minimum": 0}}}
    search = {"type": "object",
              "required": ["query", "total", "groups", "page", "per_page", "results", "facets", "histogram"],
              "properties": {"query": {"type": "string"}, "total": {"type": "integer", "minimum": 0},
                             "groups": {"type": "integer", "minimum": 0},
                             "page": {"type": "integer", "minimum": 1},
                             "per_page": {"type": "integer", "minimum": 1},
                             "results": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}},
                             "facets": {"type": "object", "required": list(FACETS),
                                        "properties": {f: {"$ref": "#/components/schemas/Facet"}
                                                       for f in FACETS}},
                             "histogram": {"$ref": "#/components/schemas/Histogram"}}}
    subject = {"type": "object",
               "required": ["total", "histogram", "entities", "countries", "latest", "search"],
               "properties": {"total": {"type": "integer", "minimum": 0},
                              "histogram": {"$ref": "#/components/schemas/Histogram"},
                              "entities": {"type": "array", "items": {"$ref": "#/components/schemas/Count"}},
                              "countries": {"type": "array", "items": {"$ref": "#/components/schemas/Count"}},
                              "latest": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}},
                              "search": {"type": "object", "additionalProperties": STRINGS}}}
    entity_page = {"allOf": [{"$ref": "#/components/schemas/Subject"},
                             {"type": "object", "required": ["name", "type", "variants"],
                              "properties": {"name": {"type": "string"}, "type": {"type": "string"},
                                             "variants": STRINGS}}]}
    country_page = {"allOf": [{"$ref": "#/components/schemas/Subject"},
                              {"type": "object", "required": ["code", "name"],
                               "properties": {"code": {"type": "string", "pattern": "^[A-Z0-9]{2,3}$"},
                                              "name": {"type": "string"}}}]}
    document_page = {"type": "object", "required": ["document", "parent", "briefs", "siblings", "duplicates"],
                     "properties": {
                         "document": {"allOf": [{"$ref": "#/components/schemas/Document"},
                                                {"required": ["text"]}]},
                         "parent": {"oneOf": [{"$ref": "#/components/schemas/Summary"}, {"type": "null"}]},
                         "briefs": {"type": "array", "items": {"$ref": "#/components/schemas/Summary"}},
                         "siblings": {"type": "array", "items": {"$ref": "#/components/schemas/Summary"}},
                         "duplicates": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}}}}
    error = {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}
    search_args = {"type": "object", "additionalProperties": STRINGS,
                   "description": "The search's arguments as /api/search takes them (q, country, "
                                  "exclude_kind, from, to...); from and to may be relative (-7d)."}
    alert = {"type": "object",
             "required": ["id", "name", "search", "frequency", "paused", "email", "webhook_url",
                          "feed", "feed_url", "broken", "last_run_at", "created_at", "unread", "hits",
                          "failing_channels"],
             "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "search": search_args,
                            "frequency": FREQUENCY,
                            "paused": {"type": "boolean"}, "email": {"type": "boolean"},
                            "webhook_url": NULLABLE_STRING, "feed": {"type": "boolean"},
                            "feed_url": NULLABLE_STRING, "broken": NULLABLE_STRING,
                            "last_run_at": NULLABLE_STRING, "created_at": {"type": "string"},
                            "unread": {"type": "integer", "minimum": 0},
                            "hits": {"type": "integer", "minimum": 0},
                            "failing_channels": STRINGS}}
    alert_input = {"type": "object",
                   "properties": {"name": {"type": "string", "maxLength": 200}, "search": search_args,
                                  "frequency": FREQUENCY,
                                  "email": {"type": "boolean"}, "webhook_url": NULLABLE_STRING,
                                  "paused": {"type": "boolean", "description": "PATCH only."}}}
    hit = {"type": "object", "required": ["id", "alert", "document", "words", "snippet", "matched_at",
                                          "read", "copies"],
           "properties": {"id": {"type": "integer"}, "alert": {"type": "integer"},
                          "document": {"type": "object", "required": ["id"]},
                          "words": {**STRINGS,
                                    "description": "The document's words that matched, as written."},
                          "snippet": {"type": "string"}, "matched_at": {"type": "string"},
                          "read": {"type": "boolean"}, "copies": {"type": "integer", "minimum": 0},
                          "url": {"type": "string"}}}
    alerts = {"type": "object", "required": ["alerts"],
              "properties": {"alerts": {"type": "array", "items": {"$ref": "#/components/schemas/Alert"}}}}
    hits = {"type": "object", "required": ["hits", "page"],
            "properties": {"hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
                           "page": {"type": "integer", "minimum": 1}}}
    return {"Entity": entity, "Document": document, "Result": result, "Summary": summary, "Count": count,
            "Facet": facet, "Histogram": histogram, "Search": search, "Subject": subject,
            "EntityPage": entity_page, "CountryPage": country_page, "DocumentPage": document_page,
            "Error": error, "Alert": alert, "AlertInput": alert_input, "Hit": hit, "Alerts": alerts,
            "Hits": hits, "Marked": {"type": "object", "required": ["marked"],
                                     "properties": {"marked": {"type": "integer", "minimum": 0}}}}


def _json(schema: str, description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


BAD = _json("Error", "A bad parameter or query; the message says which and why.")
MISSING = _json("Error", "No such document, entity or country.")


def _path_param(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string", "minLength": 1}}


UNAUTHORISED = _json("Error", "No valid API token (Authorization: Bearer TOKEN) of an enabled user.")
NO_ALERT = _json("Error", "No alert with this id belongs to the token's user.")
ALERT_ID = {"name": "alert_id", "in": "path", "required": True, "description": "The alert's id.",
            "schema": {"type": "integer", "minimum": 0, "maximum": 2**53}}
TOKEN = [{"token": []}]
JSON_BODY = {"required": True, "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/AlertInput"}}}}


def alert_paths() -> dict:
    """The alerts API: every route needs a user's API token."""
    def op(operation_id: str, summary: str, responses: dict, **more) -> dict:
        return {"operationId": operation_id, "summary": summary, "security": TOKEN,
                "responses": {**responses, "401": UNAUTHORISED}, **more}
    one = {"parameters": [ALERT_ID]}
    return {
        "/api/alerts": {
            "get": op("listAlerts", "The token user's alerts, with unread counts and health.",
                      {"200": _json("Alerts", "The alerts.")}),
            "post": op("createAlert", "Save a search as an alert; documents from now on alert.",
                       {"201": _json("Alert", "The new alert."), "400": BAD}, requestBody=JSON_BODY)},
        "/api/alerts/{alert_id}": {
            "get": op("getAlert", "One alert.",
                      {"200": _json("Alert", "The alert."), "404": NO_ALERT}, **one),
            "patch": op("updateAlert", "Change an alert (name, search, frequency, channels, paused).",
                        {"200": _json("Alert", "The alert as changed."), "400": BAD, "404": NO_ALERT},
                        requestBody=JSON_BODY, **one),
            "delete": op("deleteAlert", "Delete an alert with its hits.",
                         {"204": {"description": "Deleted."}, "404": NO_ALERT}, **one)},
        "/api/alerts/{alert_id}/hits": {"get": op(
            "alertHits", "A page of the alert's hits, newest first, with the words that matched.",
            {"200": _json("Hits", "The hits."), "400": BAD, "404": NO_ALERT},
            parameters=[ALERT_ID, {"name": "page", "in": "query", "required": False,
                                   "schema": {"type": "integer", "minimum": 1}},
                        {"name": "unread", "in": "query", "required": False,
                         "schema": {"type": "string", "enum": ["0", "1"]}}])},
        "/api/alerts/{alert_id}/read": {"post": op(
            "markAlertRead", "Mark every hit of the alert read.",
            {"200": _json("Marked", "How many hits were marked."), "404": NO_ALERT}, **one)},
    }


def openapi_document(server: str) -> dict:
    """The whole OpenAPI 3.1 document, with server as the base URL."""
    search_params = search_parameters()
    return {
        "openapi": "3.1.0",
        "info": {"title": "Media Monitor API", "version": "1",
                 "description": "Search news documents with the query language and facet filters of "
                                "`manage.py search`; every answer is the JSON of INTERFACES.md. "
                                "Alerts (/api/alerts) need a user's API token."},
        "servers": [{"url": server}],
        "paths": {
            "/api/search": {"get": {
                "operationId": "search", "summary": "One page of a search, with facets and a date histogram.",
                "parameters": search_params,
                "responses": {"200": _json("Search", "The Search JSON (as `manage.py search --json`)."),
                              "400": BAD}}},
            "/api/export": {"get": {
                "operationId": "export", "summary": "Every match, text included, in sort order (no paging).",
                "parameters": [{"name": "format", "in": "query", "required": False,
                                "schema": {"type": "string", "enum": ["jsonl", "csv"], "default": "jsonl"}}]
                + [p for p in search_params if p["name"] not in ("page", "limit", "facet_limit")],
                "responses": {"200": {"description": "JSON Lines or CSV, streamed (as `manage.py export`).",
                                      "content": {"application/x-ndjson": {"schema": {"type": "string"}},
                                                  "text/csv": {"schema": {"type": "string"}}}},
                              "400": BAD}}},
            "/api/documents/{doc_id}": {"get": {
                "operationId": "document", "summary": "A document with its text, family and near-duplicates.",
                "parameters": [_path_param("doc_id", "The document's id.")],
                "responses": {"200": _json("DocumentPage", "The document."), "404": MISSING}}},
            "/api/entities/{name}": {"get": {
                "operationId": "entity",
                "summary": "An entity's attention over time, co-mentions, variants and latest documents.",
                "parameters": [_path_param("name", "A canonical name or any known variant.")],
                "responses": {"200": _json("EntityPage", "The entity, under its canonical name."),
                              "404": MISSING}}},
            "/api/countries/{code}": {"get": {
                "operationId": "country",
                "summary": "A country's attention over time, co-mentions and latest documents.",
                "parameters": [_path_param("code", "An ISO 3166-1 code (any case) or an English name.")],
                "responses": {"200": _json("CountryPage", "The country."), "404": MISSING}}},
            **alert_paths(),
        },
        "components": {"schemas": schemas(),
                       "securitySchemes": {"token": {"type": "http", "scheme": "bearer",
                                                     "description": "An API token made on the account "
                                                                    "page or by `manage.py users token`."}}},
    }
