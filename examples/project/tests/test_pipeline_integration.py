import pytest


@pytest.mark.integration
def test_pipeline_runs_end_to_end(tmp_path):
    out = tmp_path / "out.txt"
    out.write_text("done")
    assert out.read_text() == "done"
