import time


def test_request_under_budget(client):
    t0 = time.perf_counter()
    client.get("/")
    assert time.perf_counter() - t0 < 0.2
