"""Prepares a moto server for the Lambda tests, with IAM authentication on.

Usage: moto_setup.py ENDPOINT. Makes Invoke answer without Docker, then, with
the unauthenticated calls moto allows first (INITIAL_NO_AUTH_ACTION_COUNT):
an IAM user with an allow-all policy and an access key, a role, and a function
`orders`; then, in moto's Docker backend, a function `failing` (with no Docker
daemon it answers every invocation with a function error). Prints
{"access_key_id", "secret_access_key"} as JSON.
"""
import io
import json
import sys
import urllib.request
import zipfile

import boto3

endpoint = sys.argv[1]



def use_docker(on):
    """Which of moto's Lambda backends answers: Docker's, or the simple one that echoes."""
    request = urllib.request.Request(
        endpoint + "/moto-api/config",
        data=json.dumps({"lambda": {"use_docker": on}}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request).read()


use_docker(False)

session = boto3.session.Session(
    aws_access_key_id="setup", aws_secret_access_key="setup", region_name="us-east-1"
)
iam = session.client("iam", endpoint_url=endpoint)
iam.create_user(UserName="pypwext-tests")
iam.put_user_policy(
    UserName="pypwext-tests",
    PolicyName="everything",
    PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    ),
)
key = iam.create_access_key(UserName="pypwext-tests")["AccessKey"]
role = iam.create_role(
    RoleName="pypwext-lambda",
    AssumeRolePolicyDocument=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
)["Role"]

code = io.BytesIO()
with zipfile.ZipFile(code, "w") as archive:
    archive.writestr("bootstrap", "#!/bin/sh\n")
lambda_client = session.client(
    "lambda",
    endpoint_url=endpoint,
    aws_access_key_id=key["AccessKeyId"],
    aws_secret_access_key=key["SecretAccessKey"],
)
for name, docker in [("orders", False), ("failing", True)]:
    use_docker(docker)
    lambda_client.create_function(
        FunctionName=name,
        Runtime="provided.al2023",
        Role=role["Arn"],
        Handler="bootstrap",
        Code={"ZipFile": code.getvalue()},
    )
use_docker(False)
json.dump({"access_key_id": key["AccessKeyId"], "secret_access_key": key["SecretAccessKey"]}, sys.stdout)
