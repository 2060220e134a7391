def test_openapi_document_builds_and_lists_the_api(client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/v1/auth/token", "/api/v1/boards", "/api/v1/schedules", "/api/v1/media",
                 "/api/v1/units/reorganise", "/api/v1/playlists/{playlist_id}/items/reorder"):
        assert path in paths


def test_docs_page_is_served(client) -> None:
    assert client.get("/docs").status_code == 200


def test_malformed_json_is_a_422_with_a_message(client, users) -> None:
    response = client.post("/api/v1/bulletins", content=b"{not json",
                           headers=users["editor_a"].headers | {"Content-Type": "application/json"})
    assert response.status_code == 422
    assert "JSON" in response.json()["detail"]


def test_wrong_path_parameter_type_is_a_422_naming_it(client, users) -> None:
    response = client.get("/api/v1/boards/abc", headers=users["viewer_a"].headers)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("board_id:")


def test_an_id_beyond_the_database_range_is_not_a_500(client, users) -> None:
    response = client.get(f"/api/v1/boards/{2**62}", headers=users["viewer_a"].headers)
    assert response.status_code in (404, 422)
    assert response.json()["detail"]
