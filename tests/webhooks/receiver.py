"""A receiving system for the webhook tests: an HTTP server on 127.0.0.1 (a random port) in a thread, which answers
the statuses it is told to, in turn, and checks every request's signature with the verification code that
docs/api.md gives receivers (taken from the document itself, so the documented code is the tested code)."""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def documented_verify():
    """The `verify` function of docs/api.md's "Verifying a delivery"."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("### Verifying a delivery", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, str(DOC), "exec"), namespace)  # nosec B102: the project's own document
    return namespace["verify"]


class Receiver:
    def __init__(self, answers=(200,)):
        self.answers = list(answers)
        self.secret = ""
        self.requests: list[dict] = []
        self.verify = documented_verify()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                n = len(receiver.requests)
                status = receiver.answers[min(n, len(receiver.answers) - 1)]
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body,
                                          "verified": receiver.verify(receiver.secret, self.headers, body), "answered": status})
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", f"http://127.0.0.1:{receiver.port}/elsewhere")
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                answer = "ok" if status < 300 else "服务暂时不可用"
                data = answer.encode()
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks/zhicheng"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
