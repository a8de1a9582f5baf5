import numpyy

def test_uses_numpy():
    assert numpyy
