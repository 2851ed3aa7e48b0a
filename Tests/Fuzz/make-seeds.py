#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora (Tests/Fuzz/Corpus/<target>/) from the recorded API server responses
(../shared/fixtures/kube-apiserver-1.36), the repo's manifests and config examples, and netlink replies spelled out
byte by byte as the kernel sends them (little-endian). Run from the repository root; the output is committed."""
import json, os, pathlib, struct, sys

root = pathlib.Path.cwd()
fixtures = root.parent / "shared/fixtures/kube-apiserver-1.36"
if not fixtures.is_dir():
    fixtures = pathlib.Path("/work/shared/fixtures/kube-apiserver-1.36")
out = root / "Tests/Fuzz/Corpus"


def write(target, name, data):
    (out / target).mkdir(parents=True, exist_ok=True)
    (out / target / name).write_bytes(data if isinstance(data, bytes) else data.encode())


# Watch stream: [chunk size - 1, mode | line-limit exponent << 2] + body.
def watch(mode, exponent, chunk=63):
    return bytes([chunk, mode | exponent << 2])

write("FuzzWatchStream", "services-watch", watch(0, 6) + (fixtures / "services-watch.jsonl").read_bytes())
write("FuzzWatchStream", "services-watch-410", watch(0, 6, 7) + (fixtures / "services-watch-410.jsonl").read_bytes())
write("FuzzWatchStream", "endpointslices-watch", watch(1, 6) + (fixtures / "endpointslices-watch.jsonl").read_bytes())
node = {"type": "ADDED", "object": {"apiVersion": "v1", "kind": "Node", "metadata": {
    "name": "node-a", "resourceVersion": "7", "labels": {"topology.kubernetes.io/zone": "zone-a"}},
    "spec": {"taints": [{"key": "node.kubernetes.io/out-of-service", "effect": "NoExecute"}]}}}
bookmark = {"type": "BOOKMARK", "object": {"metadata": {"resourceVersion": "9"}}}
write("FuzzWatchStream", "nodes-watch", watch(2, 6, 15) + (json.dumps(node) + "\n" + json.dumps(bookmark)).encode())
write("FuzzWatchStream", "services-list", watch(3, 8) + (fixtures / "services-list-page1.json").read_bytes())
write("FuzzWatchStream", "endpointslices-list", watch(3, 8) + (fixtures / "endpointslices-list.json").read_bytes())

# Manifests: the examples, and one JSON object.
for path in sorted((root / "manifests/examples").glob("*.yaml")):
    write("FuzzManifestFile", path.stem, path.read_bytes())
service = json.loads((fixtures / "services-list-page1.json").read_text())["items"][0]
service.update(apiVersion="v1", kind="Service")
write("FuzzManifestFile", "service-json", json.dumps(service, indent=1))

# The fast YAML reader against Yams: the examples, and a file of scripts/bench-proxy-gen (flow collections).
for path in sorted((root / "manifests/examples").glob("*.yaml")):
    write("FuzzYAMLReader", path.stem, path.read_bytes())
write("FuzzYAMLReader", "bench-proxy-gen", "apiVersion: v1\nkind: Service\n"
      "metadata: {name: svc-00001, namespace: bench}\nspec:\n  clusterIP: 10.96.0.11\n"
      "  ports: [{name: http, protocol: TCP, port: 80, targetPort: 8080}]\n---\n"
      "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n"
      "metadata: {name: svc-00001-1, namespace: bench, labels: {kubernetes.io/service-name: svc-00001}}\n"
      "addressType: IPv4\nports: [{name: http, protocol: TCP, port: 8080}]\nendpoints:\n"
      "- {addresses: [\"10.244.0.11\"], conditions: {ready: true}}\n"
      "- {addresses: [\"10.244.0.12\"], conditions: {ready: true}}\n")

# Config files: ours (from the ConfigMap and docs) and kubeadm's KubeProxyConfiguration (from its test).
configmap = (root / "manifests/04-configmap.yaml").read_text()
body = configmap.split("config.yaml: |\n", 1)[1]
write("FuzzConfigFile", "own", "".join(line[4:] + "\n" for line in body.splitlines() if line.startswith("    ")))
write("FuzzConfigFile", "own-lists", "ipvs-scheduler: wrr\nsync-period: 30s\n"
      "ipvs-exclude-cidrs: [192.168.50.0/24]\nipvs-strict-arp: true\nnodeport-addresses: primary\n")
test = (root / "Tests/SettingsTests/KubeProxyConfigurationTests.swift").read_text()
kubeadm = test.split('static let kubeadm = """\n', 1)[1].split('        """', 1)[0]
write("FuzzConfigFile", "kubeadm", "".join(line[8:] + "\n" for line in kubeadm.splitlines()))

# Netlink: datagrams framed as [u16 length] + bytes.
def frame(*datagrams):
    return b"".join(struct.pack("<H", len(d)) + d for d in datagrams)

def attr(kind, payload):
    data = struct.pack("<HH", 4 + len(payload), kind) + payload
    return data + b"\0" * (-len(data) % 4)

def nest(kind, payload):
    return attr(kind | 0x8000, payload)

def message(kind, seq, payload, flags=2):
    data = struct.pack("<IHHII", 16 + len(payload), kind, flags, seq, 0) + payload
    return data + b"\0" * (-len(data) % 4)

def done(seq, errno=0):
    return message(3, seq, struct.pack("<i", -errno))

def stats(kind, wide):
    fmt = "<Q" if wide else "<I"
    return nest(kind, b"".join(attr(i, struct.pack(fmt, i * 10)) for i in range(1, 11)))

family = 36  # NetlinkReplay.ipvsFamily
def genl(seq, cmd, body):
    return message(family, seq, bytes([cmd, 1, 0, 0]) + body)

tcp_v4 = nest(1, attr(1, struct.pack("<H", 2)) + attr(2, struct.pack("<H", 6))
              + attr(3, bytes([10, 96, 0, 10]) + b"\0" * 12) + attr(4, struct.pack(">H", 80))
              + attr(6, b"rr\0") + attr(7, struct.pack("<II", 1, 0xffffffff)) + attr(8, struct.pack("<I", 10800))
              + attr(9, struct.pack("<I", 0xffffffff)) + stats(12, True))
mark_v6 = nest(1, attr(1, struct.pack("<H", 10)) + attr(5, struct.pack("<I", 7)) + attr(6, b"wrr\0")
               + attr(7, struct.pack("<II", 0, 0xffffffff)) + stats(10, False))
dest_v4 = nest(2, attr(1, bytes([10, 0, 1, 5]) + b"\0" * 12) + attr(2, struct.pack(">H", 8080))
               + attr(3, struct.pack("<I", 0)) + attr(4, struct.pack("<I", 1)) + attr(7, struct.pack("<I", 3))
               + attr(11, struct.pack("<H", 2)) + stats(12, True))
dest_v6 = nest(2, attr(1, bytes(range(0xfd, 0xfd + 1)) + bytes(15)) + attr(2, struct.pack(">H", 443))
               + attr(4, struct.pack("<I", 5)) + stats(10, False))
write("FuzzIPVSDump", "two-services", frame(
    genl(1, 1, tcp_v4) + genl(1, 1, mark_v6) + done(1),
    genl(2, 5, dest_v4) + done(2),
    genl(3, 5, dest_v6) + done(3)))
write("FuzzIPVSDump", "busy-then-vanished", frame(
    genl(1, 1, tcp_v4) + done(1), message(2, 2, struct.pack("<i", -16) + bytes(16), flags=0),
    genl(3, 5, dest_v4) + done(3, 2)))

def ifinfo(index, name):
    return message(16, 1, struct.pack("<BBHiII", 0, 0, 1, index, 0x1, 0xffffffff) + attr(3, name + b"\0"))

def ifaddr(seq, af, prefix, index, address):
    return message(20, seq, struct.pack("<BBBBI", af, prefix, 0, 0, index) + attr(1, address) + attr(2, address)
                   + attr(3, b"eth0\0"))

write("FuzzRouteMessages", "addresses", frame(
    ifinfo(1, b"lo") + ifinfo(2, b"eth0") + done(1),
    ifaddr(2, 2, 8, 1, bytes([127, 0, 0, 1])) + ifaddr(2, 2, 24, 2, bytes([192, 168, 1, 10]))
    + ifaddr(2, 10, 64, 2, bytes([0xfd] + [0] * 14 + [1])) + done(2)))
write("FuzzRouteMessages", "address-event", frame(ifaddr(0, 2, 32, 3, bytes([10, 96, 0, 10]))))

# HTTP status lines: [low, high as u16 little-endian] + line.
for name, line in [("ok", b"HTTP/1.1 200 OK\r"), ("unavailable", b"HTTP/1.0 503 Service Unavailable"),
                   ("not-http", b"SSH-2.0-OpenSSH_9.6")]:
    write("FuzzHTTPStatusLine", name, struct.pack("<HH", 200, 399) + line)

# inotify events: [salt] + struct inotify_event records (wd, mask, cookie, len; then the NUL-padded name).
def event(mask, name=b"", wd=1, cookie=0):
    padded = name + bytes(-(len(name) + 1) % 16 + 1) if name else b""
    return struct.pack("<iIII", wd, mask, cookie, len(padded)) + padded
write("FuzzInotifyEvents", "written-and-moved",
      bytes([0]) + event(0x8, b"web.yaml") + event(0x40, b"old.yaml", cookie=7) + event(0x80, b"new.yaml", cookie=7))
write("FuzzInotifyEvents", "created-link-and-configmap-swap",
      bytes([1]) + event(0x100, b"link.yaml") + event(0x100, b"..data_tmp") + event(0x80, b"..data"))
write("FuzzInotifyEvents", "overflow-and-gone", bytes([0]) + event(0x4000, wd=-1) + event(0x400) + event(0x8000))
