"""Prepares a moto server for the Lambda tests, with IAM authentication on.

Usage: moto_setup.py ENDPOINT. Makes Invoke answer without Docker, then, with
the unauthenticated calls moto allows first (INITIAL_NO_AUTH_ACTION_COUNT):
an IAM user with an allow-all policy and an access key, a role, and a function
`orders`. Prints {"access_key_id", "secret_access_key"} as JSON.
"""
import io
import json
import sys
import urllib.request
import zipfile

import boto3

endpoint = sys.argv[1]

request = urllib.request.Request(
    endpoint + "/moto-api/config",
    data=json.dumps({"lambda": {"use_docker": False}}).encode(),
    headers={"Content-Type": "application/json"},
    method="POST",
)
urllib.request.urlopen(request).read()

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
lambda_client.create_function(
    FunctionName="orders",
    Runtime="provided.al2023",
    Role=role["Arn"],
    Handler="bootstrap",
    Code={"ZipFile": code.getvalue()},
)
json.dump({"access_key_id": key["AccessKeyId"], "secret_access_key": key["SecretAccessKey"]}, sys.stdout)
