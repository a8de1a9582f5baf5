import math

import pytest


def test_float_sum_is_precise():
    assert math.fsum([0.1] * 10) == 1.0


@pytest.mark.parametrize("x", [0.0, 1e-300, 1e300])
def test_roundtrip(x):
    assert float(repr(x)) == x
