import math


def test_float_sum_is_exact_enough():
    assert math.isclose(sum([0.1] * 10), 1.0, rel_tol=1e-12)
