def test_openapi_schema_and_docs_are_served(api, db):
    schema = api.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/sync_tasks/" in schema.json()["paths"]
    docs = api.get("/api/v1/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()


def test_unknown_api_path_is_a_json_404(api, db):
    response = api.get("/api/v1/does-not-exist/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
