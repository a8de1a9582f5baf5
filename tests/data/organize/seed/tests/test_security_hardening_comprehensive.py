def test_rejects_path_traversal(client):
    r = client.get("/files/../../etc/passwd")
    assert r.status_code == 400


def test_headers(client):
    assert "Content-Security-Policy" in client.get("/").headers
