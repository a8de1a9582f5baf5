def test_login_page_loads():
    assert "login".upper() == "LOGIN"
