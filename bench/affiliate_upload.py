"""A 100,000-row order upload (PUT /REST/orders/) against a pinned server.

Usage: .venv/bin/python bench/affiliate_upload.py [rows=100000]

Builds a network with ``rows`` transactions, exports them as CSV, sets every
status to confirmed, and uploads the file to a uvicorn process pinned to core 0
(synchronous=FULL). Baseline in the same run: the same upload with every row
unchanged (read, parse, check, no writes), and the export of the same rows.
"""

from __future__ import annotations

import csv
import io
import statistics
import sys
import time
from pathlib import Path

import httpx2 as httpx

sys.path.insert(0, str(Path(__file__).parent))

import shutil

from _affiliate_data import dataset, pin_to_core, start_server


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
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    data = dataset(rows)
    copy = Path(data["path"]).with_name(f"upload-{rows}.sqlite3")
    shutil.copyfile(data["path"], copy)
    pin_to_core(1)
    server, port = start_server(f"sqlite:///{copy}", synchronous="FULL")
    base = f"http://127.0.0.1:{port}"
    credentials = data["credentials"]
    form = {
        "login_id": credentials["affiliate_login_id"],
        "token": credentials["affiliate_rest_token"],
        "section": "Admin",
    }
    try:
        with httpx.Client(base_url=base, timeout=600) as client:
            started = time.perf_counter()
            export_url = (
                f"/api/{credentials['affiliate_access_token']}/admin/{data['account_id']}"
                "/get-statistic_transactions.csv?condition[dynamicdate]=last30d"
            )
            exported = client.get(export_url).text
            export_seconds = time.perf_counter() - started
            unchanged = exported.encode()
            edited = _confirmed(exported)
            timings_unchanged = []
            for _ in range(2):
                started = time.perf_counter()
                answer = client.put(
                    "/REST/orders/", data=form, files={"file": ("o.csv", unchanged)}
                )
                timings_unchanged.append(time.perf_counter() - started)
                assert answer.status_code == 200, answer.text[:500]
            started = time.perf_counter()
            answer = client.put("/REST/orders/", data=form, files={"file": ("o.csv", edited)})
            upload_seconds = time.perf_counter() - started
            assert answer.status_code == 200, answer.text[:500]
            counts = answer.json()
    finally:
        server.terminate()
        server.wait()
        copy.unlink(missing_ok=True)
    baseline = statistics.median(timings_unchanged)
    print(
        f"dataset: {rows:,} transactions; file {len(edited) / 1e6:.1f} MB (the export's 43 columns)"
    )
    print(f"{'step':<38} {'seconds':>8} {'rows/s':>9}")
    print(f"{'export CSV (HTTP)':<38} {export_seconds:>8.2f} {rows / export_seconds:>9,.0f}")
    print(
        f"{'upload, all rows unchanged (baseline)':<38} {baseline:>8.2f} {rows / baseline:>9,.0f}"
    )
    print(f"{'upload, statuses changed':<38} {upload_seconds:>8.2f} {rows / upload_seconds:>9,.0f}")
    print(f"answer: {counts}; changed/unchanged = {upload_seconds / baseline:.2f}")


if __name__ == "__main__":
    main()
