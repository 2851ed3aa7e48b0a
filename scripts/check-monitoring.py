#!/usr/bin/env python3
"""Holds the Prometheus Operator examples (manifests/examples/monitoring) to the DaemonSet they are about, since no
schema checker here knows their kinds: a PodMonitor must select the DaemonSet's pods, in its namespace, by a
port name its container declares; a PrometheusRule's rules must each have an alert name, an expression and
a severity. Usage: check-monitoring.py DAEMONSET FILE... Exits 1 naming the file and the field."""
import sys

import yaml


def fail(path, field, message):
    print(f"{path}: {field}: {message}", file=sys.stderr)
    sys.exit(1)


def main(daemonset_path, paths):
    with open(daemonset_path) as f:
        daemonset = yaml.safe_load(f)
    pod = daemonset["spec"]["template"]
    labels = pod["metadata"]["labels"]
    ports = {p["name"]: p["containerPort"] for c in pod["spec"]["containers"] for p in c.get("ports", [])}
    namespace = daemonset["metadata"]["namespace"]
    for path in paths:
        with open(path) as f:
            for doc in yaml.safe_load_all(f):
                if not doc:
                    continue
                if doc.get("apiVersion") != "monitoring.coreos.com/v1":
                    fail(path, "apiVersion", f"{doc.get('apiVersion')!r} is not monitoring.coreos.com/v1")
                kind, spec = doc.get("kind"), doc.get("spec") or {}
                if doc["metadata"].get("namespace") != namespace:
                    fail(path, "metadata.namespace", f"is not the DaemonSet's, {namespace}")
                if kind == "PodMonitor":
                    selector = spec.get("selector", {}).get("matchLabels", {})
                    if not selector or any(labels.get(k) != v for k, v in selector.items()):
                        fail(path, "spec.selector.matchLabels", f"{selector} does not select the pods {labels}")
                    for i, endpoint in enumerate(spec.get("podMetricsEndpoints", [])):
                        if endpoint.get("port") not in ports:
                            fail(path, f"spec.podMetricsEndpoints[{i}].port",
                                 f"{endpoint.get('port')!r} is none of the container's ports {sorted(ports)}")
                    if not spec.get("podMetricsEndpoints"):
                        fail(path, "spec.podMetricsEndpoints", "is empty")
                elif kind == "PrometheusRule":
                    for g, group in enumerate(spec.get("groups", [])):
                        for r, rule in enumerate(group.get("rules", [])):
                            field = f"spec.groups[{g}].rules[{r}]"
                            if not rule.get("alert") or not rule.get("expr"):
                                fail(path, field, "needs alert and expr")
                            if "severity" not in rule.get("labels", {}):
                                fail(path, field + ".labels", "needs severity")
                else:
                    fail(path, "kind", f"{kind!r}: only PodMonitor and PrometheusRule are checked")
                print(f"{path}: {kind} {doc['metadata']['name']} ok")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
