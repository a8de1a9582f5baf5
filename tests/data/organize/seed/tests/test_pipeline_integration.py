import pytest


@pytest.mark.integration
def test_pipeline_runs_end_to_end_with_database(db):
    assert db.execute("select 1").scalar() == 1
