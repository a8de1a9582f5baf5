def test_rejects_path_traversal():
    name = "../../etc/passwd"
    assert ".." in name
