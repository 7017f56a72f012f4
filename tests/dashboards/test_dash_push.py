"""`netmon dashboards push` against a local stand-in for Grafana's HTTP API (see fake_grafana.py:
no Grafana can be installed here). Real CLI subprocesses, real HTTP on 127.0.0.1."""

from __future__ import annotations

import copy

import pytest

from dashboards.push import PushError, push
from dashboards.render import content_hash, render_all, stamped_hash
from netmon.lab.procs import free_port
from tests.conftest import run_netmon
from tests.dashboards.dash_fake_grafana import EDITOR, VIEWER, FakeGrafana

BOARDS = render_all()
FOLDERS = {"netmon-national", "netmon-intranet", "netmon-extranet"}


def cli_push(url: str, *args: str, token: str | None = EDITOR):
    env = {"NETMON_GRAFANA_TOKEN": token or "", "GRAFANA_TOKEN": ""}
    return run_netmon("dashboards", "push", "--url", url, "--timeout", "5", *args, env=env)


@pytest.fixture
def grafana():
    with FakeGrafana() as g:
        yield g


def _strip(d):
    return {k: v for k, v in d.items() if k not in ("id", "version")}


def test_first_push_creates_folders_and_dashboards_then_nothing_changes(grafana):
    r = cli_push(grafana.url)
    assert r.returncode == 0, r.stderr
    st = grafana.state
    assert set(st.folders) == FOLDERS
    assert set(st.dashboards) == set(BOARDS)
    for uid, (spec, local) in BOARDS.items():
        stored = st.dashboards[uid]
        assert stored["folderUid"] == spec.folder.uid
        assert _strip(stored["dashboard"]) == _strip(local)  # what Grafana holds is exactly the build
    assert "wrote 11 dashboard(s)" in r.stdout and "create" in r.stdout
    writes = len(st.writes)
    again = cli_push(grafana.url)
    assert again.returncode == 0, again.stderr
    assert len(st.writes) == writes, "an unchanged push must write nothing"
    assert "wrote 0 dashboard(s), 11 unchanged" in again.stdout


def test_dry_run_writes_nothing(grafana):
    r = cli_push(grafana.url, "--dry-run")
    assert r.returncode == 0, r.stderr
    assert grafana.state.writes == [] and grafana.state.dashboards == {}
    assert "would write 11 dashboard(s)" in r.stdout


def test_code_change_is_an_update_and_reports_what_changed(grafana):
    push(grafana.url, EDITOR)
    boards = copy.deepcopy(BOARDS)
    _spec, d = boards["netmon-intranet-links"]
    d["panels"][0]["title"] = "Top 10 links by utilisation"
    d["description"] = d["description"].rsplit(" [", 1)[0]
    d["description"] += f" [netmon-hash {content_hash(d)}]"
    p = push(grafana.url, EDITOR, boards=boards)
    changed = {c.uid: c for c in p.writes}
    assert set(changed) == {"netmon-intranet-links"}
    assert "+Top 10 links by utilisation" in changed["netmon-intranet-links"].detail
    assert "-Top 10 uplinks by utilisation" in changed["netmon-intranet-links"].detail
    assert grafana.state.dashboards["netmon-intranet-links"]["dashboard"]["version"] == 2


def test_ui_edit_is_refused_without_force_and_overwritten_with_it(grafana):
    push(grafana.url, EDITOR)
    grafana.state.ui_edit("netmon-overview", title="my overview")
    before = grafana.state.snapshot()
    writes = len(grafana.state.writes)
    r = cli_push(grafana.url)
    assert r.returncode == 1
    assert "changed in Grafana by alice" in r.stderr and "--force" in r.stderr
    assert "netmon-overview" in r.stderr and "Traceback" not in r.stderr
    assert grafana.state.snapshot() == before and len(grafana.state.writes) == writes
    forced = cli_push(grafana.url, "--force")
    assert forced.returncode == 0, forced.stderr
    assert grafana.state.dashboards["netmon-overview"]["dashboard"]["title"] == BOARDS["netmon-overview"][1]["title"]
    assert "overwrite" in forced.stdout


def test_dashboard_not_made_by_netmon_is_a_conflict(grafana):
    grafana.state.dashboards["netmon-self"] = {
        "dashboard": {"uid": "netmon-self", "title": "someone else's", "id": 99, "version": 4, "panels": []},
        "folderUid": "",
        "updatedBy": "bob",
        "versions": [{"version": 4, "createdBy": "bob", "message": ""}],
    }
    r = cli_push(grafana.url)
    assert r.returncode == 1
    assert "not made by netmon" in r.stderr
    assert grafana.state.writes == []


def test_bad_token_401(grafana):
    r = cli_push(grafana.url, token="glsa_wrong_secret_value")
    assert r.returncode == 1
    assert "401" in r.stderr and "NETMON_GRAFANA_TOKEN" in r.stderr
    assert "glsa_wrong_secret_value" not in r.stdout + r.stderr
    assert grafana.state.writes == []


def test_viewer_token_403_writes_nothing(grafana):
    r = cli_push(grafana.url, token=VIEWER)
    assert r.returncode == 1
    assert "403" in r.stderr and "Editor" in r.stderr
    assert VIEWER not in r.stdout + r.stderr
    assert grafana.state.folders == {} and grafana.state.dashboards == {}


def test_no_token_is_bad_input():
    r = cli_push("http://127.0.0.1:1", token=None)
    assert r.returncode == 2
    assert "NETMON_GRAFANA_TOKEN" in r.stderr


def test_bad_url_is_bad_input():
    r = cli_push("grafana:3000")
    assert r.returncode == 2 and "http(s)://" in r.stderr


def test_unreachable_grafana():
    r = cli_push(f"http://127.0.0.1:{free_port()}")
    assert r.returncode == 1
    assert "unreachable" in r.stderr and "Traceback" not in r.stderr


def test_folder_that_cannot_be_created_leaves_nothing(grafana):
    # Another folder already holds the title netmon wants (Grafana answers 409).
    grafana.state.folders["someone"] = {"id": 50, "title": "netmon · 外网 extranet"}
    r = cli_push(grafana.url)
    assert r.returncode == 1
    assert "create folder" in r.stderr and "409" in r.stderr
    assert set(grafana.state.folders) == {"someone"}, "folders created before the failure are rolled back"
    assert grafana.state.dashboards == {}
    assert "Rolled back" in r.stderr


def test_version_conflict_mid_push_rolls_back(grafana):
    push(grafana.url, EDITOR)
    boards = copy.deepcopy(BOARDS)
    for _uid, (_s, d) in boards.items():  # a code change touching every dashboard
        d["title"] += " v2"
        d["description"] = d["description"].rsplit(" [", 1)[0]
        d["description"] += f" [netmon-hash {content_hash(d)}]"
    before = {u: _strip(x["dashboard"]) for u, x in grafana.state.dashboards.items()}
    grafana.state.ui_save_after = len([w for w in grafana.state.writes if "dashboards/db" in w]) + 3
    with pytest.raises(PushError) as err:
        push(grafana.url, EDITOR, boards=boards)
    assert "412" in str(err.value) and "Rolled back the 3 write(s)" in str(err.value)
    after = {u: _strip(x["dashboard"]) for u, x in grafana.state.dashboards.items()}
    edited = [u for u in after if after[u]["title"].endswith("(edited)")]
    assert len(edited) == 1  # the UI save stays: it is not ours to undo
    for u in after:
        if u not in edited:
            assert after[u] == before[u], f"{u} was not restored"


@pytest.mark.parametrize("status", [200, 404])
def test_url_that_is_not_grafana(status):
    """A web server that is not Grafana (HTML for everything, or 404 for everything)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Html(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            body = b"<html>intranet portal</html>"
            self.send_response(status)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    port = free_port()
    srv = ThreadingHTTPServer(("127.0.0.1", port), Html)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        r = cli_push(f"http://127.0.0.1:{port}")
    finally:
        srv.shutdown()
        srv.server_close()
    assert r.returncode == 1
    assert "does not look like Grafana" in r.stderr and "Traceback" not in r.stderr


def test_credentials_in_url_are_refused_without_echo():
    r = cli_push("http://admin:s3cret-pw@127.0.0.1:3000")
    assert r.returncode == 2
    assert "NETMON_GRAFANA_TOKEN" in r.stderr and "s3cret-pw" not in r.stdout + r.stderr


def test_grafana_that_rewrites_json_on_save(grafana):
    """Some Grafana versions normalise the JSON they store, so the content no longer hashes to the
    stamp; the version history (latest save by netmon's push) keeps such dashboards netmon's."""
    grafana.state.normalize = True
    assert cli_push(grafana.url).returncode == 0
    stored = grafana.state.dashboards["netmon-overview"]["dashboard"]
    assert content_hash(stored) != stamped_hash(stored)  # the rewrite broke the hash...
    again = cli_push(grafana.url)
    assert again.returncode == 0, again.stderr  # ...but it is not mistaken for a UI edit
    assert "wrote 0 dashboard(s), 11 unchanged" in again.stdout
    grafana.state.ui_edit("netmon-self", title="mine now")
    r = cli_push(grafana.url)
    assert r.returncode == 1 and "netmon-self" in r.stderr and "changed in Grafana by alice" in r.stderr


def test_grafana_that_never_answers_times_out():
    import socket

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)  # accepts connections (kernel backlog) but never answers
    try:
        r = run_netmon(
            "dashboards",
            "push",
            "--url",
            f"http://127.0.0.1:{srv.getsockname()[1]}",
            "--timeout",
            "1",
            env={"NETMON_GRAFANA_TOKEN": EDITOR},
        )
    finally:
        srv.close()
    assert r.returncode == 1
    assert "did not answer in time" in r.stderr
    assert "Traceback" not in r.stderr and EDITOR not in r.stderr
