"""The golden peer of pypwext's tracer: the scenario `peer` of
tests/src/bin/trace_probe.rs, run through Powertools for AWS Lambda (Python)'s
Tracer and the AWS X-Ray SDK it wraps, in Lambda mode (`LAMBDA_TASK_ROOT`,
`_X_AMZN_TRACE_ID` and `AWS_XRAY_DAEMON_ADDRESS` are set by the caller; the
trace header of each invocation is set here, as Lambda sets it). The X-Ray SDK
sends its documents over UDP to the caller's listener. Keep the scenarios in
step.

Usage: powertools_tracer.py HEADER_1 HEADER_2
"""
import os
import sys
import types

from aws_lambda_powertools import Tracer

tracer = Tracer(service="orders")


class OutOfStock(Exception):
    pass


@tracer.capture_method
def price(order_id):
    tracer.put_annotation(key="priced", value=True)
    return {"order_id": order_id, "total": order_id * 10}


@tracer.capture_method
def reserve(order_id):
    raise OutOfStock(f"order {order_id} is out of stock")


@tracer.capture_lambda_handler
def handler(event, context):
    order_id = event["order_id"]
    tracer.put_annotation(key="order_id", value=order_id)
    tracer.put_metadata(key="order", value=event)
    if event.get("fail"):
        raise OutOfStock(f"order {order_id} cannot be taken")
    priced = price(order_id)
    try:
        reserve(order_id)
    except OutOfStock:
        pass
    return priced


def main():
    context = types.SimpleNamespace(function_name="orders-fn", aws_request_id="req")
    for i, header in enumerate(sys.argv[1:3]):
        os.environ["_X_AMZN_TRACE_ID"] = header
        event = {"order_id": 7, "fail": i == 1}
        try:
            handler(event, context)
        except OutOfStock:
            pass


main()
