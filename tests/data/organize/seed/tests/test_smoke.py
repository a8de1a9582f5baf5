def test_app_imports():
    import app  # noqa: F401
