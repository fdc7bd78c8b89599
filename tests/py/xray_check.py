"""Validates X-Ray subsegment documents against tests/schemas/xray-segment.json
and the rule the schema cannot express (an end_time is not before its
start_time). Reads one JSON document per line from stdin; prints `ok N` and
exits 0 when all N are valid, else prints each problem and exits 1.

Usage: xray_check.py SCHEMA < documents
"""
import json
import sys

import jsonschema


def problems(doc, validator):
    for error in validator.iter_errors(doc):
        path = "/".join(str(p) for p in error.absolute_path)
        yield f"schema: at /{path}: {error.message}"
    if isinstance(doc, dict):
        start, end = doc.get("start_time"), doc.get("end_time")
        if isinstance(start, (int, float)) and isinstance(end, (int, float)) and end < start:
            yield f"end_time {end} is before start_time {start}"


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    count = 0
    bad = 0
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        count += 1
        try:
            doc = json.loads(line)
        except ValueError as err:
            print(f"document {number}: not JSON ({err}): {line.strip()}")
            bad += 1
            continue
        found = list(problems(doc, validator))
        for problem in found:
            print(f"document {number}: {problem}: {line.strip()}")
        bad += bool(found)
    if bad:
        sys.exit(1)
    print(f"ok {count}")


main()
