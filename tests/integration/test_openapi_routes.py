"""schema/openapi.yaml describes exactly the routes that engine/api.c serves:
the (method, path) pairs of the route table `api_routes[]` in the C source
equal those of the document's `paths`. Also checks that the document is
OpenAPI 3.0.3 with a bearer scheme, that every operation lists its
responses, and that every $ref points at something that exists."""
import pathlib
import re

import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def routes_in_c():
    source = (REPO / "engine" / "api.c").read_text(encoding="utf-8")
    table = re.search(r"static const api_route api_routes\[\] = \{(.*?)\n\};", source, re.S)
    assert table, "route table api_routes[] not found in engine/api.c"
    rows = re.findall(r'\{\s*EVHTTP_REQ_([A-Z]+)\s*,\s*"([^"]+)"', table.group(1))
    assert rows, "no rows found in api_routes[]"
    return rows


def load_document():
    with open(REPO / "schema" / "openapi.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)


def routes_in_openapi(doc):
    return [(method.upper(), path) for path, item in doc["paths"].items()
            for method in item if method in METHODS]


def test_route_sets_are_equal():
    c_routes = routes_in_c()
    doc_routes = routes_in_openapi(load_document())
    assert len(c_routes) == len(set(c_routes)), "a route appears twice in api.c"
    assert len(doc_routes) == len(set(doc_routes))
    missing_in_doc = set(c_routes) - set(doc_routes)
    missing_in_c = set(doc_routes) - set(c_routes)
    assert not missing_in_doc, f"served but not documented: {sorted(missing_in_doc)}"
    assert not missing_in_c, f"documented but not served: {sorted(missing_in_c)}"


def test_expected_routes_are_present():
    # the routes the API contract names, written out by hand
    expected = {
        ("GET", "/healthz"), ("GET", "/metrics"),
        ("POST", "/v1/customers"), ("GET", "/v1/customers"), ("GET", "/v1/customers/{id}"),
        ("PUT", "/v1/customers/{id}"), ("PATCH", "/v1/customers/{id}"),
        ("GET", "/v1/customers/{id}/timeline"),
        ("GET", "/v1/customers/{id}/preview"), ("GET", "/v1/customers/{id}/contactability"),
        ("POST", "/v1/customers/{id}/promises"),
        ("POST", "/v1/invoices"),
        ("GET", "/v1/invoices/{id}"), ("PUT", "/v1/invoices/{id}"), ("PATCH", "/v1/invoices/{id}"),
        ("GET", "/v1/customers/{id}/invoices"), ("POST", "/v1/payments"),
        ("GET", "/v1/customers/{id}/payments"), ("POST", "/v1/import"),
        ("GET", "/v1/decisions"), ("GET", "/v1/contacts"), ("GET", "/v1/rules"),
        ("POST", "/v1/rules/reload"),
        ("GET", "/v1/callbacks/kannel"), ("POST", "/v1/callbacks/sms"),
        ("POST", "/v1/callbacks/email"), ("POST", "/v1/bounces"), ("GET", "/v1/unsubscribe"),
        ("POST", "/v1/unsubscribe"),
        # channel modules
        ("GET", "/v1/agent/tasks"), ("POST", "/v1/agent/tasks/take"),
        ("GET", "/v1/agent/tasks/{id}"), ("POST", "/v1/agent/tasks/{id}/complete"),
        ("POST", "/v1/agent/tasks/{id}/snooze"), ("POST", "/v1/agent/tasks/{id}/release"),
        ("POST", "/v1/replies"), ("POST", "/v1/voice/events"),
        ("POST", "/v1/chat/telegram/webhook"), ("POST", "/v1/letters/{id}/posted"), ("GET", "/v1/webhooks/deliveries"),
        ("POST", "/v1/webhooks/deliveries/{id}/replay"),
    }
    assert set(routes_in_c()) == expected


def resolve(doc, ref):
    assert ref.startswith("#/"), ref
    node = doc
    for part in ref[2:].split("/"):
        assert isinstance(node, dict) and part in node, f"unresolved $ref {ref}"
        node = node[part]
    return node


def walk_refs(node, found):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                found.append(value)
            else:
                walk_refs(value, found)
    elif isinstance(node, list):
        for value in node:
            walk_refs(value, found)


def test_document_is_complete():
    doc = load_document()
    assert doc["openapi"] == "3.0.3"
    assert doc["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer",
        "description": doc["components"]["securitySchemes"]["bearer"]["description"]}
    # open: health, metrics, the callbacks whose URLs carry a signature, and
    # the chat bot's webhook (it authenticates by its secret header)
    open_routes = {("GET", "/healthz"), ("GET", "/metrics"), ("GET", "/v1/callbacks/kannel"),
                   ("POST", "/v1/callbacks/sms"), ("GET", "/v1/unsubscribe"),
                   ("POST", "/v1/unsubscribe"), ("POST", "/v1/chat/telegram/webhook")}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method not in METHODS:
                continue
            assert op.get("responses"), f"{method} {path} lists no responses"
            is_open = op.get("security") == []
            assert is_open == ((method.upper(), path) in open_routes), (method, path)
            if not is_open:
                assert "401" in op["responses"], f"{method} {path} does not document 401"
    refs = []
    walk_refs(doc, refs)
    assert refs
    for ref in refs:
        resolve(doc, ref)
