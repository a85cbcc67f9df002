import pytest


def test_openapi_schema_and_docs_are_served(api, db):
    schema = api.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/sync_tasks/" in schema.json()["paths"]
    docs = api.get("/api/v1/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()


def test_unknown_api_path_is_a_json_404(api, db):
    response = api.get("/api/v1/does-not-exist/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.fixture
def schema(api, db):
    return api.get("/api/v1/openapi.json").json()


def operation(schema, path, method="get"):
    return schema["paths"][f"/api/v1/{path}"][method]


def json_schema(op, status, media="application/json"):
    return op["responses"][str(status)]["content"][media]["schema"]


def test_the_legacy_upload_list_is_documented_as_the_list_it_returns(schema):
    assert json_schema(operation(schema, "uploads/"), 200)["type"] == "array"


def test_the_legacy_upload_post_answers_201_and_documents_datasource(schema):
    op = operation(schema, "uploads/", "post")
    body = op["requestBody"]["content"]["multipart/form-data"]["schema"]

    assert "201" in op["responses"] and "200" not in op["responses"]
    assert "datasource" in body["properties"]


def test_the_upload_endpoint_documents_every_refusal_with_the_error_body(schema):
    op = operation(schema, "sync_tasks/{id}/upload/", "post")

    for status in (400, 403, 404, 408, 409, 411, 413, 415, 422, 429, 503, 507):
        assert json_schema(op, status) == {"$ref": "#/components/schemas/Error"}, status
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"detail", "code"}


def test_stored_file_fields_that_can_be_null_are_nullable(schema):
    fields = schema["components"]["schemas"]["StoredFile"]["properties"]

    assert fields["location"]["nullable"] and fields["thumbnail_link"]["nullable"]


def test_events_document_their_json_form(schema):
    op = operation(schema, "events/")

    assert json_schema(op, 200)["type"] == "array"
    assert "text/csv" in op["responses"]["200"]["content"]


def test_either_token_form_authenticates(schema):
    security = operation(schema, "timeseries/")["security"]

    assert {"tokenQuery": []} in security and {"tokenHeader": []} in security
    assert all(len(requirement) <= 1 for requirement in security)


def test_every_operation_documents_the_server_framing_errors_and_a_404_for_ids(schema):
    for path, operations in schema["paths"].items():
        for op in operations.values():
            assert {"400", "414", "431"} <= set(op["responses"]), path
            if "{" in path:
                assert "404" in op["responses"], path


def test_the_legacy_upload_list_documents_no_receiving_errors(schema):
    listing, create = operation(schema, "uploads/"), operation(schema, "uploads/", "post")

    assert "413" not in listing["responses"] and "413" in create["responses"]


def test_the_api_root_links_every_endpoint_and_each_link_answers(api, db, supplier):
    root = api.get("/api/v1/")
    assert root.status_code == 200
    links = root.json()["links"]
    assert links["sync_tasks"] == "http://testserver/api/v1/sync_tasks/"
    assert links["upload"] == "http://testserver/api/v1/sync_tasks/{id}/upload/"
    for key, url in links.items():
        if "{id}" in url or key == "metrics":
            continue
        answer = api.get(url, {"token": supplier.token})
        assert answer.status_code in (200, 400), (key, answer.status_code)
