#!/usr/bin/env python3
"""The API server of the proxy benchmarks (issue 15 P1, P4, P5 from an API server): serves the objects of
scripts/bench-proxy-gen (N Services x M endpoints, namespace bench) as kube-apiserver 1.36 serves objects created
through its API, over plain HTTP on the host's loopback, for a proxy in the kernel lab (scripts/lab --forward).

    scripts/bench-apiserver.py PORTFILE [SERVICES] [ENDPOINTS] [--watch-list]    (defaults 10000 10)

It binds 127.0.0.1:0, writes its port to PORTFILE once the objects are made, and serves until killed:
- LIST of services, endpointslices (all namespaces) and nodes (the one Node `lab`, 192.168.0.1), in pages of
  `limit` with `continue` tokens and `remainingItemCount`; list items carry what the server adds to a created
  object (uid, resourceVersion, creationTimestamp, defaulted fields, a managedFields entry), not kind/apiVersion.
- WATCH from a resourceVersion: the events since it, then each change as it happens, as a chunked stream of
  JSON lines, a BOOKMARK a minute, ended at `timeoutSeconds`. A streaming list (`sendInitialEvents=true`) is
  refused as invalid (422), as by a server without the WatchList feature, so the proxy lists in pages (the
  issue's "paginated lists of 500, then watches"); with --watch-list it is served instead: every object as
  ADDED, then the `k8s.io/initial-events-end` bookmark.
- POST /bench/changes?count=C&interval=S[&slices=K]: from another thread, C changes S seconds apart, change k
  to slice k (cycling over the first K slices, all by default), each a MODIFIED event; answers at once. A slice's
  odd changes take its last endpoint off, its even ones put that endpoint back.
- Events the proxy writes (POST, PATCH) are accepted and dropped; any other path is a 404 Status.
"""
import base64
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CREATED = "2026-12-04T00:00:00Z"
RESOURCES = {  # path -> (resource, list kind, item kind, apiVersion)
    "/api/v1/services": ("services", "ServiceList", "Service", "v1"),
    "/apis/discovery.k8s.io/v1/endpointslices": ("endpointslices", "EndpointSliceList", "EndpointSlice",
                                                 "discovery.k8s.io/v1"),
    "/api/v1/nodes": ("nodes", "NodeList", "Node", "v1"),
}


def ipv4(value, first, second):
    return f"{first}.{second + (value >> 16)}.{(value >> 8) & 255}.{value & 255}"


def managed(manager, api_version, fields):
    return [{"manager": manager, "operation": "Update", "apiVersion": api_version, "time": CREATED,
             "fieldsType": "FieldsV1", "fieldsV1": fields}]


def service(i, rv):
    name, vip = f"svc-{i:05d}", ipv4(i + 10, 10, 96)
    fields = {"f:spec": {"f:clusterIP": {}, "f:internalTrafficPolicy": {}, "f:ports": {
        ".": {}, 'k:{"port":80,"protocol":"TCP"}': {".": {}, "f:name": {}, "f:port": {}, "f:protocol": {},
                                                    "f:targetPort": {}}}, "f:sessionAffinity": {}, "f:type": {}}}
    return {"metadata": {"name": name, "namespace": "bench", "uid": f"00000000-0000-4000-8000-{i:012d}",
                         "resourceVersion": str(rv), "creationTimestamp": CREATED,
                         "managedFields": managed("kubectl-create", "v1", fields)},
            "spec": {"ports": [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": 8080}],
                     "clusterIP": vip, "clusterIPs": [vip], "type": "ClusterIP", "sessionAffinity": "None",
                     "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack", "internalTrafficPolicy": "Cluster"},
            "status": {"loadBalancer": {}}}


def endpoint_slice(i, endpoints, rv):
    name = f"svc-{i:05d}"
    fields = {"f:addressType": {}, "f:endpoints": {}, "f:metadata": {"f:labels": {
        ".": {}, "f:kubernetes.io/service-name": {}}}, "f:ports": {}}
    return {"metadata": {"name": name + "-1", "namespace": "bench", "uid": f"00000000-0000-4000-9000-{i:012d}",
                         "resourceVersion": str(rv), "generation": 1, "creationTimestamp": CREATED,
                         "labels": {"kubernetes.io/service-name": name},
                         "managedFields": managed("kubectl-create", "discovery.k8s.io/v1", fields)},
            "addressType": "IPv4",
            "endpoints": [{"addresses": [ipv4(i * endpoints + j + 1, 10, 244)], "conditions": {"ready": True}}
                          for j in range(endpoints)],
            "ports": [{"name": "http", "protocol": "TCP", "port": 8080}]}


def node(rv):
    return {"metadata": {"name": "lab", "uid": "00000000-0000-4000-a000-000000000000",
                         "resourceVersion": str(rv), "creationTimestamp": CREATED,
                         "labels": {"kubernetes.io/hostname": "lab"}},
            "spec": {"podCIDR": "10.244.0.0/24", "podCIDRs": ["10.244.0.0/24"]},
            "status": {"addresses": [{"type": "InternalIP", "address": "192.168.0.1"},
                                     {"type": "Hostname", "address": "lab"}]}}


def dumps(value):
    return json.dumps(value, separators=(",", ":")).encode()


class Store:
    """The objects (each kept as its list item's JSON), the resourceVersion, the event history and the
    watchers, under one lock."""

    def __init__(self, services, endpoints):
        self.lock = threading.Condition()
        self.endpoints = endpoints
        self.rv = 1000
        self.items = {"services": [], "endpointslices": [], "nodes": []}
        self.slices = []
        self.taken = {}
        for i in range(services):
            self.rv += 1
            self.items["services"].append(dumps(service(i, self.rv)))
        for i in range(services):
            self.rv += 1
            self.slices.append(endpoint_slice(i, endpoints, self.rv))
            self.items["endpointslices"].append(dumps(self.slices[-1]))
        self.rv += 1
        self.items["nodes"].append(dumps(node(self.rv)))
        self.history = []  # (rv, resource, event line)

    def change(self, k, slices=None):
        """Takes the last endpoint off slice k (cycling over the first `slices`), or puts back the one its last
        change took, as a MODIFIED event."""
        with self.lock:
            i = k % min(slices or len(self.slices), len(self.slices))
            obj = self.slices[i]
            if i in self.taken:
                obj["endpoints"].append(self.taken.pop(i))
            elif len(obj["endpoints"]) > 1:
                self.taken[i] = obj["endpoints"].pop()
            self.rv += 1
            obj["metadata"]["resourceVersion"] = str(self.rv)
            self.items["endpointslices"][i] = dumps(obj)
            event = dict(obj, kind="EndpointSlice", apiVersion="discovery.k8s.io/v1")
            self.history.append((self.rv, "endpointslices", dumps({"type": "MODIFIED", "object": event}) + b"\n"))
            self.lock.notify_all()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, code, body):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def status(self, code, reason, message):
        self.reply(code, dumps({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                "message": message, "reason": reason, "code": code}))

    def drain_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_POST(self):
        url = urlsplit(self.path)
        body = self.drain_body()
        if url.path == "/bench/changes":
            query = parse_qs(url.query)
            count, interval = int(query["count"][0]), float(query["interval"][0])
            slices = int(query["slices"][0]) if "slices" in query else None

            def play():
                for k in range(count):
                    STORE.change(k, slices)
                    time.sleep(interval)
            threading.Thread(target=play, daemon=True).start()
            return self.reply(202, b"{}")
        if "/events" in url.path:
            return self.reply(201, body or b"{}")
        self.status(404, "NotFound", f"{url.path} not found")

    def do_PATCH(self):
        self.drain_body()
        self.reply(200, b"{}")

    def do_GET(self):
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path not in RESOURCES:
            return self.status(404, "NotFound", f"{url.path} not found")
        resource, list_kind, kind, api_version = RESOURCES[url.path]
        if query.get("watch") in ("true", "1"):
            return self.watch(resource, kind, api_version, query)
        with STORE.lock:
            items, rv = list(STORE.items[resource]), STORE.rv
        start = 0
        if query.get("continue"):
            token = json.loads(base64.urlsafe_b64decode(query["continue"]))
            start, rv = token["start"], token["rv"]
        limit = int(query.get("limit") or 0) or len(items)
        page = items[start:start + limit]
        metadata = {"resourceVersion": str(rv)}
        if start + limit < len(items):
            metadata["continue"] = base64.urlsafe_b64encode(
                json.dumps({"start": start + limit, "rv": rv}).encode()).decode()
            metadata["remainingItemCount"] = len(items) - start - limit
        head = dumps({"kind": list_kind, "apiVersion": api_version, "metadata": metadata})[:-1]
        self.reply(200, head + b',"items":[' + b",".join(page) + b"]}")

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def watch(self, resource, kind, api_version, query):
        initial = query.get("sendInitialEvents") == "true"
        if initial and not WATCH_LIST:
            return self.status(422, "Invalid", "sendInitialEvents is forbidden for watch unless the WatchList "
                                               "feature gate is enabled")
        deadline = time.monotonic() + int(query.get("timeoutSeconds") or 1800)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        with STORE.lock:
            rv = STORE.rv
            since = int(query.get("resourceVersion") or rv) if not initial else rv
            items = list(STORE.items[resource]) if initial else []
        try:
            if initial:
                prefix = b'{"type":"ADDED","object":{"kind":"%s","apiVersion":"%s",' % (
                    kind.encode(), api_version.encode())
                for start in range(0, len(items), 500):
                    self.chunk(b"".join(prefix + item[1:] + b"}\n" for item in items[start:start + 500]))
                self.chunk(self.bookmark(kind, api_version, rv, {"k8s.io/initial-events-end": "true"}))
            next_bookmark = time.monotonic() + 60
            while time.monotonic() < deadline:
                with STORE.lock:
                    STORE.lock.wait_for(lambda: STORE.history and STORE.history[-1][0] > since, timeout=1)
                    events = [(v, line) for v, r, line in STORE.history if v > since and r == resource]
                    since = max(since, STORE.history[-1][0]) if STORE.history else since
                if events:
                    self.chunk(b"".join(line for _, line in events))
                if time.monotonic() > next_bookmark:
                    self.chunk(self.bookmark(kind, api_version, since, None))
                    next_bookmark = time.monotonic() + 60
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    @staticmethod
    def bookmark(kind, api_version, rv, annotations):
        metadata = {"resourceVersion": str(rv)}
        if annotations:
            metadata["annotations"] = annotations
        return dumps({"type": "BOOKMARK", "object": {"kind": kind, "apiVersion": api_version,
                                                     "metadata": metadata}}) + b"\n"


def main():
    global STORE, WATCH_LIST
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if not args:
        sys.exit(__doc__)
    WATCH_LIST = "--watch-list" in sys.argv
    services = int(args[1]) if len(args) > 1 else 10000
    endpoints = int(args[2]) if len(args) > 2 else 10
    STORE = Store(services, endpoints)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(args[0] + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(args[0] + ".tmp", args[0])
    server.serve_forever()


main()
