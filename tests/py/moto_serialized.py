"""moto's server with its DynamoDB item operations under one lock.

Stock moto evaluates a DynamoDB condition and writes the item without a
lock, so two concurrent conditional puts of one key can both succeed, which
DynamoDB never allows. The idempotency concurrency test needs DynamoDB's
atomicity: this wraps each item operation of moto's own DynamoDB backend in
one lock, then runs moto's server with the arguments given (as moto_server).
"""
import functools
import sys
import threading

from moto.dynamodb.models import DynamoDBBackend
from moto.server import main

ITEM_OPERATIONS = [
    "put_item",
    "update_item",
    "delete_item",
    "get_item",
    "batch_get_item",
    "batch_write_item",
    "query",
    "scan",
    "transact_write_items",
    "transact_get_items",
]
LOCK = threading.RLock()


def serialized(operation):
    @functools.wraps(operation)
    def under_lock(*args, **kwargs):
        with LOCK:
            return operation(*args, **kwargs)

    return under_lock


for name in ITEM_OPERATIONS:
    setattr(DynamoDBBackend, name, serialized(getattr(DynamoDBBackend, name)))

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
