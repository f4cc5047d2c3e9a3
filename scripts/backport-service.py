#!/usr/bin/env python3
"""The small real HTTP service of `scap backport`'s tests and demo.

service.py PORT TREE HOST   serve on 127.0.0.1:PORT: /version answers TREE/version.txt (read on every request);
                            / fails the share of requests given in percent by TREE/errors.txt (0 when absent);
                            /metrics exposes http_requests_total{host=HOST,code=...} for Prometheus.
service.py traffic PORT...  send GET / to each port every 50 ms, for at most 10 minutes.
"""
import sys
import time
import urllib.request


def traffic(ports):
    end = time.time() + 600
    while time.time() < end:
        for port in ports:
            try:
                urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=2).read()
            except Exception:
                pass
        time.sleep(0.05)


if len(sys.argv) > 1 and sys.argv[1] == "traffic":
    traffic([int(p) for p in sys.argv[2:]])
    sys.exit(0)

import http.server, os, sys, threading
port, tree, host = int(sys.argv[1]), sys.argv[2], sys.argv[3]
lock = threading.Lock()
counts = {"200": 0, "500": 0}
seen = [0]

def read(name, default):
    try:
        with open(os.path.join(tree, name)) as f:
            return f.read().strip()
    except OSError:
        return default

class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, code, body, ctype="text/plain"):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/metrics":
            with lock:
                lines = ['http_requests_total{host="%s",code="%s"} %d' % ((host,) + item)
                         for item in sorted(counts.items())]
            self.reply(200, "# TYPE http_requests_total counter\n" + "\n".join(lines) + "\n",
                       "text/plain; version=0.0.4")
            return
        version = read("version.txt", "none")
        code = 200
        if self.path == "/":
            try:
                percent = int(read("errors.txt", "0"))
            except ValueError:
                percent = 0
            with lock:
                seen[0] += 1
                k = seen[0]
                if (k * percent) // 100 != ((k - 1) * percent) // 100:
                    code = 500
        with lock:
            counts[str(code)] = counts.get(str(code), 0) + 1
        self.reply(code, version + "\n")

http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
