"""Recomputes the SigV4 Authorization header of captured requests with
botocore's SigV4Auth: an implementation independent of aws-sigv4.

Input (argv[1]): a JSON list of {"method", "url", "headers": [[name, value], ...],
"body_hex", "access_key", "secret_key", "token", "service", "region"}.
Output (stdout): a JSON list of the Authorization headers botocore computes,
over the same signed headers, at the same X-Amz-Date.
"""
import json
import sys

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def authorization(case):
    headers = {name.lower(): value for name, value in case["headers"]}
    signed = headers["authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")
    request = AWSRequest(
        method=case["method"],
        url=case["url"],
        data=bytes.fromhex(case["body_hex"]),
        headers={name: headers[name] for name in signed},
    )
    credentials = Credentials(case["access_key"], case["secret_key"], case["token"])
    auth = SigV4Auth(credentials, case["service"], case["region"])
    # Sign at the time the request was signed, not now.
    request.context["timestamp"] = headers["x-amz-date"]
    canonical = auth.canonical_request(request)
    string_to_sign = auth.string_to_sign(request, canonical)
    signature = auth.signature(string_to_sign, request)
    # `scope` is `<key id>/<date>/<region>/<service>/aws4_request`.
    return "AWS4-HMAC-SHA256 Credential={}, SignedHeaders={}, Signature={}".format(
        auth.scope(request), ";".join(signed), signature
    )


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    json.dump([authorization(case) for case in cases], sys.stdout)
