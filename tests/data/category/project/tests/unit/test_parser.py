import json


class TestParser:
    def test_empty(self):
        assert json.loads("{}") == {}

    def test_nested(self):
        assert json.loads('{"a": {"b": [1, 2]}}')["a"]["b"] == [1, 2]

    def test_unicode(self):
        assert json.loads('"\\u00e9"') == "e"


def test_version():
    assert json.__name__ == "json"
