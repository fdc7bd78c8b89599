"""Validates EMF lines against tests/schemas/emf.json and the references the
schema cannot express. Reads one JSON document per line from stdin; prints
`ok N` and exits 0 when all N are valid, else prints each problem and exits 1.

Usage: emf_check.py SCHEMA < lines
"""
import math

from json_lines_check import check_lines


def problems(doc, validator):
    for error in validator.iter_errors(doc):
        path = "/".join(str(p) for p in error.absolute_path)
        yield f"schema: at /{path}: {error.message}"
    if not isinstance(doc, dict) or not isinstance(doc.get("_aws"), dict):
        return
    for directive in doc["_aws"].get("CloudWatchMetrics", []):
        if not isinstance(directive, dict):
            continue
        for dimension_set in directive.get("Dimensions", []):
            for key in dimension_set if isinstance(dimension_set, list) else []:
                value = doc.get(key)
                if not isinstance(value, str) or not 1 <= len(value) <= 1024:
                    yield f"dimension {key!r}: the root member must be a string of 1 to 1024 characters, not {value!r}"
        for definition in directive.get("Metrics", []):
            name = definition.get("Name") if isinstance(definition, dict) else None
            if name not in doc:
                yield f"metric {name!r}: no root member holds its values"
                continue
            value = doc[name]
            values = value if isinstance(value, list) else [value]
            if len(values) > 100:
                yield f"metric {name!r}: {len(values)} values, at most 100"
            for v in values:
                if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                    yield f"metric {name!r}: {v!r} is not a finite number"


if __name__ == "__main__":
    check_lines(problems, "line")
