import time


def test_parse_speed():
    start = time.perf_counter()
    sum(range(1000))
    assert time.perf_counter() - start < 1.0
