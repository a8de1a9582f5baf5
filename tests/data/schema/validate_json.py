#!/usr/bin/python3
"""Validate a JSON document against a JSON Schema (draft-07).

usage: validate_json.py SCHEMA DOCUMENT
Exit 0 when valid, 1 with the errors on stderr when not, 2 when the
jsonschema module is missing (Debian: python3-jsonschema, "make deps").
"""
import json
import sys

try:
    import jsonschema
except ImportError:
    sys.stderr.write("validate_json.py: python3-jsonschema is missing "
                     "(run make deps)\n")
    sys.exit(2)


def main():
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    with open(sys.argv[2], encoding="utf-8") as f:
        doc = json.load(f)
    v = jsonschema.Draft7Validator(schema)
    errors = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
    for e in errors:
        sys.stderr.write("%s: %s\n" % ("/".join(str(p) for p in e.path),
                                       e.message))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
