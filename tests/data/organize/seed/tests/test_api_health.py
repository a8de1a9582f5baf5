def test_health_endpoint(client):
    assert client.get("/healthz").status_code == 200
