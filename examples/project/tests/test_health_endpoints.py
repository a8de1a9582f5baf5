def test_health_returns_ok(api_url):
    assert api_url.startswith("http")
