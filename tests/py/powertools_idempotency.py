"""Powertools' Idempotency (Python) as the Rust tests' peer.

Usage:
  powertools_idempotency.py hash          reads JSON values, one per line, on stdin;
                                          prints Powertools' hash of each (md5 of
                                          json.dumps(value, sort_keys=True)), one per line
  powertools_idempotency.py call ENDPOINT TABLE ORDER_JSON
                                          calls `charge(order=…)`, an idempotent_function
                                          with key_prefix "shared.charge", `[id, items]` as
                                          the key and `total` as the payload check, against
                                          moto's DynamoDB; prints {"ran": bool, "result": …}
  powertools_idempotency.py call-redis URL ORDER_JSON
                                          the same function against Redis at URL
                                          (CachePersistenceLayer)
"""
import hashlib
import json
import sys


def powertools_hash(value):
    # What Powertools' BasePersistenceLayer._generate_hash does with the default md5.
    from aws_lambda_powertools.utilities.idempotency.persistence.base import _IdempotencyKeyEncoder

    return hashlib.md5(json.dumps(value, cls=_IdempotencyKeyEncoder, sort_keys=True).encode()).hexdigest()


def dynamodb_store(endpoint, table):
    import boto3
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    client = boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    return DynamoDBPersistenceLayer(table_name=table, boto3_client=client)


def redis_store(url):
    import redis
    from aws_lambda_powertools.utilities.idempotency.persistence.cache import CachePersistenceLayer

    return CachePersistenceLayer(client=redis.Redis.from_url(url))


def call(store, order_json):
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function

    config = IdempotencyConfig(event_key_jmespath="[id, items]", payload_validation_jmespath="total")
    ran = []

    @idempotent_function(
        data_keyword_argument="order",
        persistence_store=store,
        config=config,
        key_prefix="shared.charge",
    )
    def charge(order):
        ran.append(True)
        return {"order": order["id"], "charged": order["total"], "by": "python"}

    result = charge(order=json.loads(order_json))
    print(json.dumps({"ran": bool(ran), "result": result}))


if __name__ == "__main__":
    if sys.argv[1] == "hash":
        for line in sys.stdin:
            if line.strip():
                print(powertools_hash(json.loads(line)))
    elif sys.argv[1] == "call":
        call(dynamodb_store(sys.argv[2], sys.argv[3]), sys.argv[4])
    elif sys.argv[1] == "call-redis":
        call(redis_store(sys.argv[2]), sys.argv[3])
    else:
        sys.exit(f"unknown command {sys.argv[1]!r}")
