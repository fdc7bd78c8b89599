"""The golden peer of pypwext's metrics: the scenarios of
tests/src/bin/metrics_probe.rs (`golden`, `failing`), run through Powertools
for AWS Lambda (Python)'s Metrics. Prints Powertools' EMF lines on stdout, one
invocation after the other, and nothing else (Powertools' warnings go to
stderr). Keep the scenarios in step.

Usage: powertools_metrics.py [golden|failing]
"""
import sys
import types
import warnings

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricResolution, MetricUnit

metrics = Metrics(namespace="shop", service="orders")


@metrics.log_metrics(capture_cold_start_metric=True, default_dimensions={"environment": "prod"})
def handler(event, context):
    case = event["case"]
    if case == "rich":
        metrics.add_dimension(name="region", value="eu-west-1")
        metrics.add_metadata(key="order_id", value="o-42")
        metrics.add_metadata(key="cart", value={"items": 3, "coupon": None, "tags": ["a", "b"]})
        metrics.add_metric(name="OrdersPlaced", unit=MetricUnit.Count, value=1)
        metrics.add_metric(name="OrdersPlaced", unit=MetricUnit.Count, value=2)
        metrics.add_metric(name="ItemsOrdered", unit=MetricUnit.Count, value=3)
        metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=12.5, resolution=MetricResolution.High)
        metrics.add_metric(name="Payload", unit=MetricUnit.KilobytesPerSecond, value=0.25)
        metrics.add_metric(name="Ratio", unit=MetricUnit.NoUnit, value=-3)
    elif case == "warm":
        metrics.add_dimension(name="region", value="us-east-1")
        metrics.add_metric(name="ItemsOrdered", unit=MetricUnit.Count, value=5)
    elif case == "many_metrics":
        metrics.add_metadata(key="batch", value=7)
        for i in range(120):
            metrics.add_metric(name=f"m{i}", unit=MetricUnit.Count, value=i)
    elif case == "many_values":
        for i in range(150):
            metrics.add_metric(name="Batch", unit=MetricUnit.Bytes, value=i * 1.5)
    elif case == "none":
        pass
    elif case == "fail":
        metrics.add_metric(name="Attempts", unit=MetricUnit.Count, value=1)
        raise RuntimeError("the order failed")
    return {"ok": True}


def main():
    warnings.simplefilter("ignore")
    context = types.SimpleNamespace(
        function_name="orders-fn",
        memory_limit_in_mb=512,
        invoked_function_arn="arn:aws:lambda:eu-west-1:123456789012:function:orders-fn",
        aws_request_id="req",
    )
    scenario = sys.argv[1] if len(sys.argv) > 1 else "golden"
    if scenario == "golden":
        for case in ["rich", "warm", "many_metrics", "many_values", "none"]:
            handler({"case": case}, context)
    elif scenario == "failing":
        # The first invocation fails, the second succeeds.
        try:
            handler({"case": "fail"}, context)
        except RuntimeError:
            pass
        handler({"case": "warm"}, context)
    else:
        sys.exit(f"unknown scenario {scenario!r}: golden or failing")


if __name__ == "__main__":
    main()
