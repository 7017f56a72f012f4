"""A stand-in for the few Grafana HTTP API endpoints `netmon dashboards push` uses.

No Grafana server can be installed on this machine (no package in any reachable registry), so
this implements, from Grafana's HTTP API documentation (Folder API, Dashboard API):

- ``GET /api/health`` (no auth)
- ``GET /api/folders``, ``POST /api/folders`` (409 when the title is taken), ``DELETE /api/folders/:uid``
- ``GET /api/dashboards/uid/:uid`` (``{"dashboard", "meta"}``, 404 when absent),
  ``GET /api/dashboards/uid/:uid/versions`` (Grafana 11 shape ``{"versions": [...]}``, newest first),
  ``POST /api/dashboards/db`` (create/update; with ``overwrite: false`` a version other than the
  stored one is refused with 412 ``version-mismatch``; every save bumps ``version``),
  ``DELETE /api/dashboards/uid/:uid``
- bearer-token auth: 401 for an unknown token, 403 for writes with a viewer token.
"""

from __future__ import annotations

import copy
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from netmon.lab.procs import free_port

EDITOR = "glsa_editor_secret_token"
VIEWER = "glsa_viewer_secret_token"


@dataclass
class State:
    folders: dict[str, dict[str, Any]] = field(default_factory=dict)
    dashboards: dict[str, dict[str, Any]] = field(
        default_factory=dict
    )  # uid -> {"dashboard", "folderUid", "updatedBy"}
    writes: list[str] = field(default_factory=list)  # "POST /api/..." of every accepted write
    next_id: int = 1
    # Fault injection: after this many accepted dashboard saves, the next target is "saved in the UI" first.
    ui_save_after: int | None = None
    # Like some Grafana versions, rewrite the JSON on save (adds pluginVersion to every panel).
    normalize: bool = False

    def snapshot(self) -> tuple[dict[str, Any], dict[str, Any]]:
        return copy.deepcopy(self.folders), {u: copy.deepcopy(d["dashboard"]) for u, d in self.dashboards.items()}

    def ui_edit(self, uid: str, **changes: Any) -> None:
        """What saving in the Grafana UI does: change the model, bump the version."""
        d = self.dashboards[uid]
        d["dashboard"].update(changes)
        d["dashboard"]["version"] += 1
        d["updatedBy"] = "alice"
        d["versions"].append({"version": d["dashboard"]["version"], "createdBy": "alice", "message": ""})


class FakeGrafana:
    def __init__(self) -> None:
        self.state = State()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeGrafana:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        st = self.state
        lock = threading.Lock()

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:
                pass

            def _send(self, code: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _auth(self, write: bool) -> bool:
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                if token not in (EDITOR, VIEWER):
                    self._send(401, {"message": "Unauthorized"})
                    return False
                if write and token == VIEWER:
                    self._send(403, {"message": "Access denied"})
                    return False
                return True

            def _body(self) -> Any:
                n = int(self.headers.get("Content-Length", 0))
                return json.loads(self.rfile.read(n) or b"{}")

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                if path == "/api/health":
                    return self._send(200, {"database": "ok", "version": "11.3.0"})
                if not self._auth(False):
                    return None
                with lock:
                    if path == "/api/folders":
                        return self._send(
                            200, [{"id": f["id"], "uid": u, "title": f["title"]} for u, f in st.folders.items()]
                        )
                    if path.startswith("/api/dashboards/uid/") and path.endswith("/versions"):
                        d = st.dashboards.get(path.split("/")[4])
                        if d is None:
                            return self._send(404, {"message": "Dashboard not found"})
                        # Grafana 11 shape: newest first, wrapped in an object.
                        return self._send(200, {"continueToken": "", "versions": list(reversed(d["versions"]))})
                    if path.startswith("/api/dashboards/uid/"):
                        uid = path.rsplit("/", 1)[1]
                        d = st.dashboards.get(uid)
                        if d is None:
                            return self._send(404, {"message": "Dashboard not found"})
                        meta = {
                            "folderUid": d["folderUid"],
                            "version": d["dashboard"]["version"],
                            "updatedBy": d["updatedBy"],
                            "updated": "2026-11-28T08:00:00Z",
                        }
                        return self._send(200, {"dashboard": d["dashboard"], "meta": meta})
                return self._send(404, {"message": "Not found"})

            def do_POST(self) -> None:
                path = self.path.split("?")[0]
                if not self._auth(True):
                    return None
                body = self._body()
                with lock:
                    if path == "/api/folders":
                        if (
                            any(f["title"] == body["title"] for f in st.folders.values())
                            or body.get("uid") in st.folders
                        ):
                            return self._send(409, {"message": "a folder with the same name already exists"})
                        st.folders[body["uid"]] = {"id": st.next_id, "title": body["title"]}
                        st.next_id += 1
                        st.writes.append(f"POST {path} {body['uid']}")
                        return self._send(200, {"id": st.next_id - 1, "uid": body["uid"], "title": body["title"]})
                    if path == "/api/dashboards/db":
                        dash = body["dashboard"]
                        uid = dash["uid"]
                        if body.get("folderUid") and body["folderUid"] not in st.folders:
                            return self._send(400, {"message": "folder not found"})
                        saves = sum(1 for w in st.writes if w.startswith("POST /api/dashboards/db"))
                        if st.ui_save_after is not None and saves == st.ui_save_after and uid in st.dashboards:
                            st.ui_edit(uid, title=st.dashboards[uid]["dashboard"]["title"] + " (edited)")
                        old = st.dashboards.get(uid)
                        if (
                            old is not None
                            and not body.get("overwrite")
                            and dash.get("version") != old["dashboard"]["version"]
                        ):
                            return self._send(
                                412,
                                {
                                    "status": "version-mismatch",
                                    "message": "The dashboard has been changed by someone else",
                                },
                            )
                        stored = copy.deepcopy(dash)
                        stored["id"] = old["dashboard"]["id"] if old else st.next_id
                        stored["version"] = old["dashboard"]["version"] + 1 if old else 1
                        st.next_id += 1
                        if st.normalize:
                            for panel in stored.get("panels", []):
                                panel["pluginVersion"] = "11.3.0"
                        versions = old["versions"] if old else []
                        message = body.get("message", "")
                        versions.append({"version": stored["version"], "createdBy": "netmon-sa", "message": message})
                        st.dashboards[uid] = {
                            "dashboard": stored,
                            "folderUid": body.get("folderUid", ""),
                            "updatedBy": "netmon-sa",
                            "versions": versions,
                        }
                        st.writes.append(f"POST {path} {uid}")
                        return self._send(
                            200,
                            {
                                "id": stored["id"],
                                "uid": uid,
                                "status": "success",
                                "version": stored["version"],
                                "url": f"/d/{uid}",
                            },
                        )
                return self._send(404, {"message": "Not found"})

            def do_DELETE(self) -> None:
                path = self.path.split("?")[0]
                if not self._auth(True):
                    return None
                with lock:
                    uid = path.rsplit("/", 1)[1]
                    if path.startswith("/api/dashboards/uid/") and st.dashboards.pop(uid, None) is not None:
                        st.writes.append(f"DELETE {path}")
                        return self._send(200, {"title": uid, "message": "Dashboard deleted"})
                    if path.startswith("/api/folders/") and st.folders.pop(uid, None) is not None:
                        st.writes.append(f"DELETE {path}")
                        return self._send(200, {"message": "Folder deleted"})
                return self._send(404, {"message": "Not found"})

        return H
