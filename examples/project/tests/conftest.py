import pytest


@pytest.fixture
def api_url():
    return "http://127.0.0.1:8000"
