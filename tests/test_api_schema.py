def test_openapi_schema_and_docs_are_served(api, db):
    schema = api.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/sync_tasks/" in schema.json()["paths"]
    docs = api.get("/api/v1/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()


def test_unknown_api_path_is_a_json_404(api, db):
    response = api.get("/api/v1/does-not-exist/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


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
