from playwright.sync_api import sync_playwright


def test_checkout():
    with sync_playwright() as p:
        page = p.chromium.launch().new_page()
        page.goto("http://localhost:8000/checkout")
