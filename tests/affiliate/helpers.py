"""Reading exports back in tests."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi.testclient import TestClient


def csv_rows(client: TestClient, url: str, **params: Any) -> list[dict[str, str]]:
    response = client.get(url, params=params)
    assert response.status_code == 200, response.text
    return parse_csv(response.text)


def parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def by_token(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {row["ordertoken"]: row for row in rows}
