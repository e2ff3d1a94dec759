"""No credential reaches the server's log: ``commerce-stats serve`` run for real, every surface.

The server is the real command in a subprocess (uvicorn's own access log, the app's log, the
logging set-up ``serve`` gives uvicorn); every surface is called with its credentials where
clients put them (path, query, headers, form, body), one export fails with an unhandled
database error, and the whole output is searched for every credential value.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from sqlalchemy import create_engine, text

from commerce_stats.accounts.service import SECRET_CREDENTIALS
from commerce_stats.config import Settings
from tests.conftest import ADMIN_TOKEN

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
DASHBOARD_PASSWORD = "a long dashboard passphrase"
UPLOAD_CSV = (
    b'"orderid";"campaign_id";"commissiongroup";"trigger_id";"project_id";"conversiontype";'
    b'"price";"commission";"order_timestamp";"ordertoken";"cancel_reason";"status"\n'
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ServedLog:
    """``commerce-stats serve`` on a loopback port, its stdout and stderr in one file."""

    def __init__(self, settings: Settings, log: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = {
            **os.environ,
            "COMMERCE_STATS_DATABASE_URL": settings.database_url,
            "COMMERCE_STATS_ADMIN_TOKEN": ADMIN_TOKEN,
            "COMMERCE_STATS_DATA_DIR": str(settings.data_dir),
            "COMMERCE_STATS_CREDENTIAL_CACHE_SECONDS": "0",
            "COMMERCE_STATS_LOG_LEVEL": "info",
        }
        command = [
            str(Path(sys.executable).parent / "commerce-stats"),
            "serve",
            "--port",
            str(self.port),
        ]
        with log.open("wb") as out:
            self.process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx2.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx2.TransportError:
                time.sleep(0.2)
        raise AssertionError("server did not start: " + self.log.read_text())

    def stop(self) -> str:
        """Stops the server; what it wrote."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        return self.log.read_text()


@pytest.fixture
def served(settings: Settings, tmp_path: Path) -> Iterator[ServedLog]:
    server = ServedLog(settings, tmp_path / "server.log")
    try:
        yield server
    finally:
        server.stop()


def _json(response: httpx2.Response) -> Any:
    assert response.status_code < 300, response.text
    return response.json()


def _network(http: httpx2.Client, account_id: int) -> str:
    """A publisher of the account's affiliate network; its export token."""
    base = f"/admin/v1/accounts/{account_id}/affiliate"
    _json(http.post(f"{base}/advertisers", json={"name": "Shop"}, headers=ADMIN))
    body = _json(http.post(f"{base}/publishers", json={"prename": "Pia"}, headers=ADMIN))
    token: str = body["access_token"]
    return token


def _promotions_tokens(http: httpx2.Client, credentials: dict[str, str]) -> list[str]:
    login = {
        "username": credentials["promotions_username"],
        "password": credentials["promotions_password"],
    }
    tokens = _json(http.post("/v1/login_check", json=login))
    bearer = {"Authorization": f"Bearer {tokens['token']}"}
    assert http.get("/v1/promotion", headers=bearer).status_code == 200
    return [tokens["token"], tokens["refresh_token"]]


def _dashboard_session(http: httpx2.Client, account_id: int, username: str) -> str:
    login = {"username": username, "password": DASHBOARD_PASSWORD}
    url = f"/admin/v1/accounts/{account_id}/dashboard-login"
    assert http.put(url, json=login, headers=ADMIN).status_code == 204
    form = http.get("/sign-in").text
    match = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert match is not None
    answer = http.post("/sign-in", data={**login, "csrf_token": match.group(1)})
    assert answer.status_code == 303
    assert http.get("/").status_code == 200
    session = next(value for name, value in http.cookies.items() if "session" in name)
    return session


def _video(http: httpx2.Client, credentials: dict[str, str]) -> None:
    org, ingest = credentials["organization_key"], credentials["ingest_key"]
    report = "/prod/get_ecommerce_reports?start_date=2026-11-01&end_date=2026-11-02"
    http.get(f"{report}&organization_key={org}")
    http.get(f"{report}&organization_key={org}x")
    http.post(f"/prod/events?ingest_key={ingest}", content=b"[]")
    http.post("/prod/events", content=b"[]", headers={"X-Ingest-Key": ingest})
    http.get(f"/prod/pixel.gif?type=ecommerce_viewed&content_key=v&ingest_key={ingest}")


def _affiliate(
    http: httpx2.Client, account_id: int, credentials: dict[str, str], publisher_token: str
) -> None:
    token = credentials["affiliate_access_token"]
    name = "get-statistic_transactions.csv"
    http.get(f"/api/{token}/admin/{account_id}/{name}")
    http.get(f"/api//{token}/admin/{account_id}/{name}")
    http.get(f"/api/{publisher_token}/publisher/1/{name}")
    form = {
        "login_id": credentials["affiliate_login_id"],
        "token": credentials["affiliate_rest_token"],
        "section": "Admin",
    }
    http.put("/REST/orders/", data=form, files={"file": ("o.csv", UPLOAD_CSV)})
    http.put(f"/REST/orders/?token={credentials['affiliate_rest_token']}", content=b"")
    auth = {"X-Auth-ID": credentials["affiliate_login_id"], "X-Auth-Token": form["token"]}
    http.put("/ws/V6/admin/JSON/Orders", content=b"[]", headers=auth)


def _fail_an_export(settings: Settings, http: httpx2.Client, url: str) -> None:
    """The export answers 500 from a real database error: its table is briefly missing."""
    engine = create_engine(settings.database_url)
    rename = "ALTER TABLE {} RENAME TO {}"
    try:
        with engine.begin() as conn:
            conn.execute(text(rename.format("affiliate_transactions", "hidden_transactions")))
        assert http.get(url).status_code == 500
    finally:
        with engine.begin() as conn:
            conn.execute(text(rename.format("hidden_transactions", "affiliate_transactions")))
        engine.dispose()


def test_no_credential_is_written_to_the_server_log(served: ServedLog, settings: Settings) -> None:
    with httpx2.Client(base_url=served.base, timeout=30) as http:
        account = _json(http.post("/admin/v1/accounts", json={"name": "Logs"}, headers=ADMIN))
        account_id, credentials = account["id"], account["credentials"]
        publisher_token = _network(http, account_id)
        secrets = [credentials[name] for name in SECRET_CREDENTIALS]
        secrets += [ADMIN_TOKEN, publisher_token, DASHBOARD_PASSWORD]
        secrets += _promotions_tokens(http, credentials)
        _video(http, credentials)
        _affiliate(http, account_id, credentials, publisher_token)
        secrets.append(_dashboard_session(http, account_id, "logs-ops"))
        export = f"/api/{credentials['affiliate_access_token']}/admin/{account_id}/x.csv"
        _fail_an_export(settings, http, export.replace("x.csv", "get-statistic_transactions.csv"))
    output = served.stop()
    assert "unhandled error on GET /api/[redacted]/admin/" in output
    assert "Traceback" in output
    assert [secret for secret in secrets if secret in output] == []


def test_access_log_keeps_the_request_line_with_credentials_redacted(
    served: ServedLog,
) -> None:
    with httpx2.Client(base_url=served.base, timeout=30) as http:
        account = _json(http.post("/admin/v1/accounts", json={"name": "Logs"}, headers=ADMIN))
        token = account["credentials"]["affiliate_access_token"]
        http.get(f"/api/{token}/admin/{account['id']}/get-statistic_transactions.csv")
        http.get("/prod/get_ecommerce_reports?organization_key=wrong-key&start_date=2026-11-01")
    output = served.stop()
    assert (
        f'"GET /api/[redacted]/admin/{account["id"]}/get-statistic_transactions.csv HTTP/1.1" 200'
        in output
    )
    assert (
        '"GET /prod/get_ecommerce_reports?organization_key=[redacted]&start_date=2026-11-01'
        ' HTTP/1.1" 400' in output
    )


def test_the_conversion_pixels_order_id_stays_in_the_access_log(served: ServedLog) -> None:
    with httpx2.Client(base_url=served.base, timeout=30) as http:
        http.get("/trck/etrack/?campaign_id=1&trigger_id=1&token=ORDER-4711&turnover=10")
    assert "/trck/etrack/?campaign_id=1&trigger_id=1&token=ORDER-4711&turnover=10" in served.stop()
