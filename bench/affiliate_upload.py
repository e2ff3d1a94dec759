"""Order uploads (PUT /REST/orders/) against a pinned server: time and the server's peak memory.

Usage: .venv/bin/python bench/affiliate_upload.py [rows=100000] [--no-50mib]

Builds a network with ``rows`` transactions, exports them as CSV, sets every
status to confirmed, and uploads the file to a uvicorn process pinned to core 0
(synchronous=FULL). Baseline in the same run: the same upload with every row
unchanged (read, parse, check, no writes), and the export of the same rows.

Then, on the same server, a file at the 50 MiB limit of short rows that each
create a transaction (about 1.2 million), the case whose memory grew with the
file; and a 50 MiB upload with a wrong token sent over a raw socket, to see how
much of it the server reads before its 403. The server's peak resident memory
(VmHWM from /proc, reset through clear_refs before each case) is printed per case.
"""

from __future__ import annotations

import csv
import io
import socket
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx2 as httpx

sys.path.insert(0, str(Path(__file__).parent))

import shutil

from _affiliate_data import dataset, pin_to_core, start_server
from _common import print_table
from commerce_stats.affiliate.upload import UPLOAD_COLUMNS

LIMIT = 50 * 1024 * 1024


class PeakMemory:
    """The server's peak resident set (VmHWM), reset before each measured case."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def reset(self) -> None:
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")

    def megabytes(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM")


def _creating_rows(database_path: str) -> bytes:
    """A CSV of exactly ``LIMIT`` bytes: short rows, each a new transaction."""
    with sqlite3.connect(database_path) as conn:
        campaign, group, trigger, project = conn.execute(
            "SELECT campaign_id, commission_group_id, trigger_id, project_id"
            " FROM affiliate_transactions WHERE trigger_type LIKE 'sale%' LIMIT 1"
        ).fetchone()
    header = ";".join(UPLOAD_COLUMNS) + "\n"
    parts = [header.encode()]
    size = len(parts[0])
    number = 0
    while True:
        row = f";{campaign};{group};{trigger};{project};;12.50;;;bench-{number:012d};;\n".encode()
        if size + len(row) > LIMIT:
            break
        parts.append(row)
        size += len(row)
        number += 1
    return b"".join(parts)


def _raw_wrong_token_upload(port: int, form: dict[str, str]) -> tuple[float, bytes]:
    """Declares a 50 MiB body, sends only the fields and the file's part headers, and waits
    for the answer: the server must answer without the file."""
    boundary = "bench-boundary"
    fields = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in {**form, "token": "wrong"}.items()
    )
    file_head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="o.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    length = len(fields) + len(file_head) + LIMIT
    head = (
        f"PUT /REST/orders/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {length}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n\r\n"
    ).encode()
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(head + fields + file_head)
        answer = sock.recv(65536)
    return time.perf_counter() - started, answer.split(b"\r\n", 1)[0]


def _remove_database(path: Path) -> None:
    """The copy and its WAL files: a WAL left by an earlier run would be replayed into
    the next copy (and the statuses would be confirmed already)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _timed_upload(client: Any, form: dict[str, str], content: bytes) -> tuple[float, Any]:
    started = time.perf_counter()
    answer = client.put("/REST/orders/", data=form, files={"file": ("o.csv", content)})
    seconds = time.perf_counter() - started
    assert answer.status_code == 200, answer.text[:500]
    return seconds, answer.json()


def _confirmed(exported: str) -> bytes:
    rows = list(csv.reader(io.StringIO(exported, newline=""), delimiter=";"))
    status = rows[0].index("status")
    for row in rows[1:]:
        if row[status] == "0":
            row[status] = "1"
    out = io.StringIO()
    csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def main() -> None:
    arguments = [argument for argument in sys.argv[1:] if not argument.startswith("--")]
    rows = int(arguments[0]) if arguments else 100_000
    at_limit = "--no-50mib" not in sys.argv
    data = dataset(rows)
    copy = Path(data["path"]).with_name(f"upload-{rows}.sqlite3")
    _remove_database(copy)
    shutil.copyfile(data["path"], copy)
    pin_to_core(1)
    server, port = start_server(f"sqlite:///{copy}", synchronous="FULL")
    memory = PeakMemory(server.pid)
    base = f"http://127.0.0.1:{port}"
    credentials = data["credentials"]
    form = {
        "login_id": credentials["affiliate_login_id"],
        "token": credentials["affiliate_rest_token"],
        "section": "Admin",
    }
    peaks: dict[str, float] = {}
    try:
        with httpx.Client(base_url=base, timeout=900) as client:
            started = time.perf_counter()
            export_url = (
                f"/api/{credentials['affiliate_access_token']}/admin/{data['account_id']}"
                "/get-statistic_transactions.csv?condition[dynamicdate]=last30d"
            )
            exported = client.get(export_url).text
            export_seconds = time.perf_counter() - started
            unchanged = exported.encode()
            edited = _confirmed(exported)
            del exported
            timings_unchanged = []
            for _ in range(2):
                memory.reset()
                timings_unchanged.append(_timed_upload(client, form, unchanged)[0])
                peaks["unchanged"] = memory.megabytes()
            memory.reset()
            upload_seconds, counts = _timed_upload(client, form, edited)
            peaks["changed"] = memory.megabytes()
            if at_limit:
                creating = _creating_rows(str(copy))
                created_rows = creating.count(b"\n") - 1
                memory.reset()
                limit_seconds, limit_counts = _timed_upload(client, form, creating)
                peaks["limit"] = memory.megabytes()
                del creating
                memory.reset()
                refused_seconds, refused_status = _raw_wrong_token_upload(port, form)
                peaks["refused"] = memory.megabytes()
    finally:
        server.terminate()
        server.wait()
        _remove_database(copy)
    baseline = statistics.median(timings_unchanged)
    print(
        f"dataset: {rows:,} transactions; file {len(edited) / 1e6:.1f} MB (the export's 43 columns)"
    )
    table = [
        ["export CSV (HTTP)", f"{export_seconds:.2f}", f"{rows / export_seconds:,.0f}", "-"],
        [
            "upload, all rows unchanged (baseline)",
            f"{baseline:.2f}",
            f"{rows / baseline:,.0f}",
            f"{peaks['unchanged']:.0f}",
        ],
        [
            "upload, statuses changed",
            f"{upload_seconds:.2f}",
            f"{rows / upload_seconds:,.0f}",
            f"{peaks['changed']:.0f}",
        ],
    ]
    if at_limit:
        table.append(
            [
                f"upload at the 50 MiB limit, {created_rows:,} new rows",
                f"{limit_seconds:.2f}",
                f"{created_rows / limit_seconds:,.0f}",
                f"{peaks['limit']:.0f}",
            ]
        )
        table.append(
            [
                f"50 MiB declared, wrong token ({refused_status.decode()})",
                f"{refused_seconds:.3f}",
                "-",
                f"{peaks['refused']:.0f}",
            ]
        )
    print_table("order upload", ["step", "seconds", "rows/s", "server peak MB"], table)
    print(f"answer: {counts}; changed/unchanged = {upload_seconds / baseline:.2f}")
    if at_limit:
        print(f"answer at the limit: {limit_counts}")


if __name__ == "__main__":
    main()
