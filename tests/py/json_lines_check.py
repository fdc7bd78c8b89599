"""The loop the schema checks share: reads one JSON document per line from
stdin, checks each with `problems(doc, validator)` (a generator of messages)
against the JSON Schema named on the command line; prints `ok N` and exits 0
when all N are valid, else prints each problem and exits 1.
"""
import json
import sys

import jsonschema


def check_lines(problems, noun):
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
            print(f"{noun} {number}: not JSON ({err}): {line.strip()}")
            bad += 1
            continue
        for problem in problems(doc, validator):
            print(f"{noun} {number}: {problem}: {line.strip()}")
            bad += 1
    if bad:
        sys.exit(1)
    print(f"ok {count}")
