# Tests whose outcome depends on the run number in TALLY_RUN (1..4), for
# tally diff and tally history fixtures; see make-runs.sh.
import os
import time

import pytest

RUN = int(os.environ.get("TALLY_RUN", "1"))


def test_stable():
    assert True


def test_flips():
    # fails in runs 2 and 4: three flips over four runs
    assert RUN not in (2, 4)


def test_regresses():
    # passes in runs 1 and 2, fails from run 3 on
    assert RUN < 3


def test_fixed_later():
    # fails in runs 1 and 2, passes from run 3 on
    assert RUN >= 3


def test_slows_down():
    # 10 ms in runs 1 and 2, 400 ms from run 3 on
    time.sleep(0.4 if RUN >= 3 else 0.01)


def test_skipped_in_run3():
    if RUN == 3:
        pytest.skip("skipped in run 3")


if RUN >= 3:
    def test_added_in_run3():
        assert True

if RUN <= 3:
    def test_removed_after_run3():
        assert True
