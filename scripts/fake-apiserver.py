#!/usr/bin/env python3
"""A stand-in API server for `kubectl apply --dry-run=client` with no cluster: it answers discovery for the
kinds the manifests use (so kubectl can map each kind to its resource) and 404 for every object (so kubectl
treats each as new and prints what it would create). It stores nothing and validates nothing itself.
Usage: fake-apiserver.py PORTFILE   (binds 127.0.0.1:0, writes the port to PORTFILE, serves until killed)"""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

RESOURCES = {
    ("", "v1"): [("namespaces", "Namespace", False), ("serviceaccounts", "ServiceAccount", True),
                 ("configmaps", "ConfigMap", True), ("services", "Service", True)],
    ("apps", "v1"): [("daemonsets", "DaemonSet", True)],
    ("rbac.authorization.k8s.io", "v1"): [("clusterroles", "ClusterRole", False),
                                          ("clusterrolebindings", "ClusterRoleBinding", False)],
    ("discovery.k8s.io", "v1"): [("endpointslices", "EndpointSlice", True)],
    # The Prometheus Operator's kinds, for manifests/examples/monitoring.
    ("monitoring.coreos.com", "v1"): [("podmonitors", "PodMonitor", True),
                                      ("prometheusrules", "PrometheusRule", True)],
}
VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"]


def resource_list(group, version):
    return {"kind": "APIResourceList", "apiVersion": "v1",
            "groupVersion": f"{group}/{version}" if group else version,
            "resources": [{"name": n, "singularName": "", "namespaced": ns, "kind": k, "verbs": VERBS}
                          for n, k, ns in RESOURCES[(group, version)]]}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?")[0].rstrip("/")
        if path == "/api":
            return self.reply(200, {"kind": "APIVersions", "versions": ["v1"],
                                    "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",
                                                                    "serverAddress": "127.0.0.1"}]})
        if path == "/apis":
            groups = [{"name": g, "versions": [{"groupVersion": f"{g}/{v}", "version": v}],
                       "preferredVersion": {"groupVersion": f"{g}/{v}", "version": v}}
                      for (g, v) in RESOURCES if g]
            return self.reply(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
        if path == "/api/v1":
            return self.reply(200, resource_list("", "v1"))
        parts = path.split("/")
        if len(parts) == 4 and parts[1] == "apis" and (parts[2], parts[3]) in RESOURCES:
            return self.reply(200, resource_list(parts[2], parts[3]))
        if path == "/version":
            return self.reply(200, {"major": "1", "minor": "32", "gitVersion": "v1.32.0-fake"})
        self.reply(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound",
                         "message": f"{path} not found", "code": 404})


server = HTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[1], "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
