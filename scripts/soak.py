#!/usr/bin/env python3
"""The churn soak's driver, run inside the kernel lab by scripts/soak (read that for what it measures).

Service i is svc-i at 10.97.(i/250).(i%250+1):80 with 1-5 endpoints 10.244.(1+j).(i%250+1):8080, one file each
(Service and EndpointSlice) in a manifests directory the proxy reads. Files are replaced by rename, as a
configuration tool would, so the proxy never reads half a file.
"""
import argparse
import os
import random
import re
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timezone

SCHEDULERS = ["rr", "lc", "wlc", "sh"]
METRICS = "127.0.0.1:19349"


def run(*args, check=True):
    return subprocess.run(args, check=check, capture_output=True, text=True).stdout


def vip(i):
    return f"10.97.{i // 250}.{i % 250 + 1}"


def endpoint(i, j):
    return f"10.244.{1 + j}.{i % 250 + 1}"


def manifest(i, state):
    count, scheduler = state
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    endpoints = "\n".join(f'- addresses: ["{endpoint(i, j)}"]' for j in range(count))
    return f"""apiVersion: v1
kind: Service
metadata:
  name: svc-{i}
  namespace: soak
  annotations: {{ipvs-proxy.io/scheduler: {scheduler}}}
spec:
  clusterIP: {vip(i)}
  ports: [{{name: http, protocol: TCP, port: 80, targetPort: 8080}}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: svc-{i}-1
  namespace: soak
  labels: {{kubernetes.io/service-name: svc-{i}}}
  annotations: {{endpoints.kubernetes.io/last-change-trigger-time: "{now}"}}
addressType: IPv4
ports: [{{name: http, protocol: TCP, port: 8080}}]
endpoints:
{endpoints}
"""


def write(directory, i, state):
    path = os.path.join(directory, f"svc-{i}.yaml")
    with open(path + ".tmp", "w") as f:
        f.write(manifest(i, state))
    os.rename(path + ".tmp", path)


def desired(states):
    """The table as `ipvsadm -Sn` writes it, for the soak's VIPs: {"VIP:80 scheduler": {real servers}}."""
    table = {}
    for i, state in states.items():
        count, scheduler = state
        table[f"{vip(i)}:80 {scheduler}"] = {f"{endpoint(i, j)}:8080" for j in range(count)}
    return table


def actual():
    table, current = {}, None
    for line in run("ipvsadm", "-Sn").splitlines():
        words = line.split()
        if words[:2] == ["-A", "-t"] and words[2].startswith("10.97."):
            current = f"{words[2]} {words[words.index('-s') + 1]}"
            table[current] = set()
        elif words[:2] == ["-a", "-t"] and current and words[2] == current.split()[0]:
            table[current].add(words[4])
        elif words[:1] == ["-A"]:
            current = None
    return table


def sample(pid):
    with open(f"/proc/{pid}/status") as f:
        rss = int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1)) // 1024
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return rss, fds, cpu


def metrics():
    try:
        return urllib.request.urlopen(f"http://{METRICS}/metrics", timeout=10).read().decode()
    except OSError:
        return ""


def quantile(text, name, q):
    """The upper bound of the histogram bucket holding quantile q (Prometheus' buckets: an upper estimate)."""
    counts = {}
    for line in text.splitlines():
        match = re.match(rf'{name}_bucket\{{(?:.*,)?le="([^"]+)"(?:,.*)?\}} (\S+)', line)
        if match:
            bound = float(match.group(1))
            counts[bound] = counts.get(bound, 0) + float(match.group(2))
    buckets = sorted(counts.items())
    if not buckets or buckets[-1][1] == 0:
        return None, 0
    total = buckets[-1][1]
    for bound, count in buckets:
        if count >= q * total:
            return bound, int(total)
    return float("inf"), int(total)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--services", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    run("ip", "link", "set", "lo", "up")
    if subprocess.run(["ip", "link", "show", "lab0"], capture_output=True).returncode != 0:
        run("ip", "link", "add", "lab0", "type", "dummy")
        run("ip", "link", "set", "lab0", "up")
        run("ip", "addr", "add", "10.244.0.1/16", "dev", "lab0")
        run("ip", "route", "add", "default", "dev", "lab0")
    directory = "/tmp/soak-manifests"
    os.makedirs(directory, exist_ok=True)
    rng = random.Random(1)
    states = {i: (rng.randint(1, 5), "rr") for i in range(args.services)}
    for i, state in states.items():
        write(directory, i, state)

    log = open(os.path.join(args.out, "proxy.log"), "w")
    proxy = subprocess.Popen(
        [args.binary, "run", "--manifests", directory, "--interface", "soak0", "--hostname-override", "soak",
         "--metrics-bind-address", METRICS, "--healthz-bind-address", "", "--health-state-file", "",
         "--ownership-file", "/tmp/soak-owned.json", "--log-level", "notice"],
        stdout=log, stderr=log)
    started = time.monotonic()
    while len(actual()) < args.services:
        if proxy.poll() is not None or time.monotonic() - started > 1500:
            print(f"soak: the first sync did not finish (proxy exit {proxy.poll()})", file=sys.stderr)
            return 1
        time.sleep(2)
    print(f"soak: first sync of {args.services} Services in {time.monotonic() - started:.1f} s", flush=True)

    deleted = set()
    changes = {"scale": 0, "annotate": 0, "delete": 0, "recreate": 0}
    samples = open(os.path.join(args.out, "samples.csv"), "w")
    samples.write("seconds,rss_mib,fds,cpu_seconds,changes\n")
    rows = []
    begin = time.monotonic()
    end = begin + args.minutes * 60
    next_sample = begin
    made = 0
    while time.monotonic() < end:
        now = time.monotonic()
        if now >= next_sample:
            rss, fds, cpu = sample(proxy.pid)
            rows.append((now - begin, rss, fds, cpu))
            samples.write(f"{now - begin:.1f},{rss},{fds},{cpu:.2f},{made}\n")
            samples.flush()
            next_sample += 5
        # Paced against the clock: a slow write is caught up, never accumulated.
        due = begin + made / args.rate
        if due > now:
            time.sleep(due - now)
        i = rng.randrange(args.services)
        op = rng.choice(["scale", "scale", "annotate", "delete"]) if i not in deleted else "recreate"
        if op == "scale":
            states[i] = (rng.randint(1, 5), states[i][1])
            write(directory, i, states[i])
        elif op == "annotate":
            states[i] = (states[i][0], rng.choice([s for s in SCHEDULERS if s != states[i][1]]))
            write(directory, i, states[i])
        elif op == "delete":
            os.remove(os.path.join(directory, f"svc-{i}.yaml"))
            deleted.add(i)
        else:
            write(directory, i, states[i])
            deleted.discard(i)
        changes[op] += 1
        made += 1
    churn = time.monotonic() - begin
    print(f"soak: {made} changes in {churn:.0f} s ({made / churn:.1f}/s): {changes}", flush=True)

    want = desired({i: s for i, s in states.items() if i not in deleted})
    settled = time.monotonic()
    have = actual()
    while have != want and time.monotonic() - settled < 300 and proxy.poll() is None:
        time.sleep(2)
        have = actual()
    text = metrics()
    proxy.terminate()
    proxy.wait(timeout=60)

    last = [row for row in rows if row[0] >= rows[-1][0] - 300] if rows else []
    for column, name in ((1, "resident MiB"), (2, "open descriptors")):
        values = [row[column] for row in last]
        if values:
            print(f"soak: last 5 min {name}: first {values[0]}, last {values[-1]}, min {min(values)}, "
                  f"max {max(values)}", flush=True)
    if len(rows) > 1:
        cpu = (rows[-1][3] - rows[0][3]) / (rows[-1][0] - rows[0][0])
        print(f"soak: proxy CPU during the churn: {cpu * 100:.0f}% of one (emulated) CPU", flush=True)
    for name, what in (("kubeproxy_network_programming_duration_seconds", "network programming"),
                       ("kubeproxy_sync_proxy_rules_duration_seconds", "one pass")):
        for q in (0.5, 0.99):
            bound, count = quantile(text, name, q)
            print(f"soak: {what} p{int(q * 100)} <= {bound} s (histogram bucket, {count} samples)")
    if have == want:
        print(f"soak: the kernel holds exactly the desired table ({len(want)} virtual servers), "
              f"{time.monotonic() - settled:.1f} s after the churn stopped")
        return 0
    missing = {k: v for k, v in want.items() if have.get(k) != v}
    extra = [k for k in have if k not in want]
    print(f"soak: the kernel differs from the desired table: {len(missing)} virtual servers not as asked "
          f"(e.g. {list(missing.items())[:3]}), {len(extra)} extra (e.g. {extra[:3]})", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
