def test_user_has_name():
    user = {"name": "ada"}
    assert user["name"] == "ada"
