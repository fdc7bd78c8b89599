"""A loopback OTLP/HTTP receiver for the `otel` tests.

Decodes each `POST /v1/traces` with the OpenTelemetry project's own protobuf
definitions (the `opentelemetry-proto` package: ExportTraceServiceRequest),
not with pypwext's code, and prints one JSON line per span it holds:

    {"path", "content_type", "resource": {key: value}, "scope": {"name", "version"},
     "trace_id", "span_id", "parent_span_id" (hex), "flags", "name", "kind",
     "start", "end" (unix ns), "attributes": {key: value},
     "events": [{"name", "attributes"}], "status": {"code", "message"}}

A request it cannot decode gets 400 and a line {"error": …}. The first line
is `listening PORT`; it stops when stdin closes, or after 300 s.
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

PRINT = threading.Lock()


def emit(line):
    with PRINT:
        print(json.dumps(line), flush=True)


def value(any_value):
    """An AnyValue as plain JSON."""
    kind = any_value.WhichOneof("value")
    if kind == "array_value":
        return [value(v) for v in any_value.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: value(kv.value) for kv in any_value.kvlist_value.values}
    if kind == "bytes_value":
        return any_value.bytes_value.hex()
    return getattr(any_value, kind) if kind else None


def attributes(key_values):
    return {kv.key: value(kv.value) for kv in key_values}


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        content_type = self.headers.get("Content-Type", "")
        request = ExportTraceServiceRequest()
        try:
            request.ParseFromString(body)
        except Exception as err:  # noqa: BLE001 - any decoding failure is the test's finding
            emit({"error": f"not an ExportTraceServiceRequest: {err}"})
            self.send_response(400)
            self.end_headers()
            return
        for resource_spans in request.resource_spans:
            resource = attributes(resource_spans.resource.attributes)
            for scope_spans in resource_spans.scope_spans:
                scope = {"name": scope_spans.scope.name, "version": scope_spans.scope.version}
                for span in scope_spans.spans:
                    emit(
                        {
                            "path": self.path,
                            "content_type": content_type,
                            "resource": resource,
                            "scope": scope,
                            "trace_id": span.trace_id.hex(),
                            "span_id": span.span_id.hex(),
                            "parent_span_id": span.parent_span_id.hex(),
                            "flags": span.flags,
                            "name": span.name,
                            "kind": Span.SpanKind.Name(span.kind),
                            "start": span.start_time_unix_nano,
                            "end": span.end_time_unix_nano,
                            "attributes": attributes(span.attributes),
                            "events": [
                                {"name": e.name, "attributes": attributes(e.attributes)}
                                for e in span.events
                            ],
                            "status": {
                                "code": Status.StatusCode.Name(span.status.code),
                                "message": span.status.message,
                            },
                        }
                    )
        reply = ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with PRINT:
        print(f"listening {server.server_address[1]}", flush=True)
    stop = threading.Event()

    def wait_for_stdin():
        sys.stdin.read()
        stop.set()

    threading.Thread(target=wait_for_stdin, daemon=True).start()
    stop.wait(300)
    server.shutdown()


if __name__ == "__main__":
    main()
