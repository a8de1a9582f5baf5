import pytest


@pytest.fixture
def client():
    from app import create_app
    return create_app().test_client()
