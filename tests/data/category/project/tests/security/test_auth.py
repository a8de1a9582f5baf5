def test_rejects_bad_token():
    assert "bad" != "good"


def test_rate_limit():
    assert min(10, 100) == 10
