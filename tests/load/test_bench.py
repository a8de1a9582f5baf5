# tests/load/test_bench.py: the pytest-benchmark run of tests/cli/t_loadrun.sh.


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def test_fib_12(benchmark):
    assert benchmark(fib, 12) == 144


def test_sorted(benchmark):
    data = list(range(2000, 0, -1))
    assert benchmark(sorted, data)[0] == 1
