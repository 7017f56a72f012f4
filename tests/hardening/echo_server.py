"""A real HTTP server on 127.0.0.1 whose answers echo the request back, as some receivers' error
pages do (the URL with its access_token and sign, the Authorization header, the body)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class EchoServer:
    """``answers`` maps a path prefix to (status, content-type, body template); ``{echo}`` in the
    template becomes the request line and headers."""

    def __init__(self, answers: dict[str, tuple[int, str, str]]) -> None:
        self.answers = answers
        self.requests: list[str] = []
        self.bodies: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode(errors="replace")
                echo = f"{self.command} {self.path}\n{self.headers}{body}"
                outer.requests.append(self.path)
                outer.bodies.append(body)
                status, ctype, tmpl = next(
                    (a for p, a in outer.answers.items() if self.path.startswith(p)), (404, "text/plain", "{echo}")
                )
                if "json" in ctype:
                    echo = json.dumps(echo)[1:-1]
                data = tmpl.replace("{echo}", echo).encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> EchoServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
