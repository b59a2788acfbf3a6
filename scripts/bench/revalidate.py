#!/usr/bin/env python3
"""What revalidation saves a warm browser: the web UI's static files, the album grid (its JSON and
its 60 covers) and an album page, loaded once cold and then again with the validators the first
load gave (If-None-Match), as a browser does with `Cache-Control: no-cache` (and with covers once
their max-age has passed). Prints requests, bytes on the wire (status line, headers and body) and
wall time for each part, over one keep-alive connection, median of RUNS loads.

Usage: revalidate.py BASE_URL TOKEN WEB_DIR [RUNS]"""
import http.client
import json
import os
import statistics
import sys
import time
import urllib.parse

base, token, web_dir = sys.argv[1], sys.argv[2], sys.argv[3]
runs = int(sys.argv[4]) if len(sys.argv) > 4 else 20
url = urllib.parse.urlparse(base)
connection = http.client.HTTPConnection(url.hostname, url.port)
auth = {"Authorization": f"Bearer {token}"}


def get(path, headers):
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    head = len(f"HTTP/1.1 {response.status} {response.reason}\r\n") + sum(
        len(k) + len(v) + 4 for k, v in response.getheaders()) + 2
    return response.status, dict((k.lower(), v) for k, v in response.getheaders()), head + len(body), body


static = ["/"] + sorted(
    "/" + os.path.relpath(os.path.join(folder, name), web_dir)
    for folder, _, names in os.walk(web_dir) for name in names
    if not name.startswith("setup") and name != "index.html")
grid = json.loads(get("/api/v1/albums?sort=name&limit=60", auth)[3])["items"]
album = grid[0]["id"]
parts = {
    "web UI static files": [(path, {}) for path in static],
    "album grid (JSON)": [("/api/v1/albums?sort=name&limit=60", auth)],
    "album grid covers (60 x 300 px)": [(f"/api/v1/covers/{item['id']}?size=300", auth) for item in grid],
    "album page (JSON)": [(f"/api/v1/albums/{album}", auth)],
}


def load(requests, tags):
    total = 0
    statuses = []
    started = time.perf_counter()
    for path, headers in requests:
        headers = dict(headers)
        if path in tags:
            headers["If-None-Match"] = tags[path]
        status, answer, size, _ = get(path, headers)
        total += size
        statuses.append(status)
        if "etag" in answer:
            tags[path] = answer["etag"]
    return total, time.perf_counter() - started, statuses


print(f"{'part':34} {'requests':>8} {'first: bytes':>13} {'ms':>7} {'revalidated: bytes':>19} {'ms':>7} {'304s':>5}")
sums = [0, 0.0, 0, 0.0, 0]
for name, requests in parts.items():
    firsts, seconds = [], []
    for _ in range(runs):
        tags = {}
        firsts.append(load(requests, tags))
        seconds.append(load(requests, tags))
    first_bytes = firsts[0][0]
    second_bytes = seconds[0][0]
    first_ms = statistics.median(t for _, t, _ in firsts) * 1000
    second_ms = statistics.median(t for _, t, _ in seconds) * 1000
    not_modified = sum(1 for s in seconds[0][2] if s == 304)
    print(f"{name:34} {len(requests):8} {first_bytes:13,} {first_ms:7.1f} {second_bytes:19,} {second_ms:7.1f} {not_modified:5}")
    for index, value in enumerate([first_bytes, first_ms, second_bytes, second_ms, not_modified]):
        sums[index] += value
count = sum(len(r) for r in parts.values())
print(f"{'total':34} {count:8} {sums[0]:13,} {sums[1]:7.1f} {sums[2]:19,} {sums[3]:7.1f} {sums[4]:5}")
