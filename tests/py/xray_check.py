"""Validates X-Ray subsegment documents against tests/schemas/xray-segment.json
and the rule the schema cannot express (an end_time is not before its
start_time). Reads one JSON document per line from stdin; prints `ok N` and
exits 0 when all N are valid, else prints each problem and exits 1.

Usage: xray_check.py SCHEMA < documents
"""

from json_lines_check import check_lines


def problems(doc, validator):
    for error in validator.iter_errors(doc):
        path = "/".join(str(p) for p in error.absolute_path)
        yield f"schema: at /{path}: {error.message}"
    if isinstance(doc, dict):
        start, end = doc.get("start_time"), doc.get("end_time")
        if isinstance(start, (int, float)) and isinstance(end, (int, float)) and end < start:
            yield f"end_time {end} is before start_time {start}"


if __name__ == "__main__":
    check_lines(problems, "document")
