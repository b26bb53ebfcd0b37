"""Root URL behaviour: health check, and JSON (not HTML) for unknown API paths."""
import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/orgs/", "/api/v2/orgs"])
def test_unknown_api_paths_answer_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}
