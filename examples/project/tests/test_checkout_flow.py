from playwright.sync_api import sync_playwright


def test_checkout(page=None):
    assert sync_playwright is not None
