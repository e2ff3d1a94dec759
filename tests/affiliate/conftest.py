"""A small network built through the admin API, and helpers to track and export."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient


@dataclass
class Network:
    """Ids and credentials of a network: one campaign, two groups, two publishers."""

    account_id: int
    credentials: dict[str, str]
    advertiser_id: int
    campaign_id: int
    sale_trigger: int
    lead_trigger: int
    standard_group: int
    premium_group: int
    publisher_id: int
    publisher_token: str
    project_id: int
    other_publisher_id: int
    other_publisher_token: str
    other_project_id: int

    @property
    def admin(self) -> str:
        return f"/admin/v1/accounts/{self.account_id}/affiliate"

    def export_url(self, name: str = "get-statistic_transactions.csv") -> str:
        token = self.credentials["affiliate_access_token"]
        return f"/api/{token}/admin/{self.account_id}/{name}"


def _post(client: TestClient, headers: dict[str, str], url: str, body: Any) -> dict[str, Any]:
    response = client.post(url, json=body, headers=headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


@pytest.fixture
def build_network(
    client: TestClient,
    admin_headers: dict[str, str],
    make_account: Callable[..., dict[str, Any]],
) -> Callable[..., Network]:
    def build(name: str = "Acme", currency: str = "EUR") -> Network:
        account = make_account(name)
        base = f"/admin/v1/accounts/{account['id']}/affiliate"

        def post(url: str, body: Any) -> dict[str, Any]:
            return _post(client, admin_headers, base + url, body)

        advertiser = post("/advertisers", {"name": "Shop GmbH"})
        campaign = post(
            "/campaigns",
            {
                "advertiser_id": advertiser["id"],
                "title": "Shop Kampagne",
                "target_url": "https://shop.example/landing?ref=aff",
                "currency": currency,
            },
        )
        cid = campaign["id"]
        sale = post(f"/campaigns/{cid}/triggers", {"title": "Sale"})
        lead = post(f"/campaigns/{cid}/triggers", {"title": "Newsletter"})
        standard = post(
            f"/campaigns/{cid}/groups",
            {
                "title": "Standard",
                "default": True,
                "triggers": [
                    {
                        "trigger_id": sale["id"],
                        "trigger_type": "sale_dynamic",
                        "trigger_value": "10",
                    },
                    {
                        "trigger_id": lead["id"],
                        "trigger_type": "lead_fixed",
                        "trigger_value": "2.50",
                    },
                ],
            },
        )
        premium = post(
            f"/campaigns/{cid}/groups",
            {
                "title": "Premium",
                "triggers": [
                    {
                        "trigger_id": sale["id"],
                        "trigger_type": "sale_dynamic",
                        "trigger_value": "15",
                    },
                    {
                        "trigger_id": lead["id"],
                        "trigger_type": "lead_fixed",
                        "trigger_value": "4.00",
                    },
                ],
            },
        )
        publisher = post(
            "/publishers", {"prename": "Anna", "surname": "Berg", "searchtitle": "annas-deals"}
        )
        project = post(f"/publishers/{publisher['id']}/projects", {"title": "Blog"})
        other = post("/publishers", {"prename": "Otto", "surname": "Klein", "searchtitle": ""})
        other_project = post(f"/publishers/{other['id']}/projects", {"title": "Newsletter"})
        response = client.put(
            f"{base}/campaigns/{cid}/publishers/{other['id']}",
            json={"group_id": premium["id"]},
            headers=admin_headers,
        )
        assert response.status_code == 200, response.text
        return Network(
            account_id=account["id"],
            credentials=account["credentials"],
            advertiser_id=advertiser["id"],
            campaign_id=cid,
            sale_trigger=sale["id"],
            lead_trigger=lead["id"],
            standard_group=standard["id"],
            premium_group=premium["id"],
            publisher_id=publisher["id"],
            publisher_token=publisher["access_token"],
            project_id=project["id"],
            other_publisher_id=other["id"],
            other_publisher_token=other["access_token"],
            other_project_id=other_project["id"],
        )

    return build


@pytest.fixture
def network(build_network: Callable[..., Network]) -> Network:
    return build_network()


@pytest.fixture
def convert(client: TestClient) -> Callable[..., int]:
    """Clicks a publisher's link, fires the pixel; returns the click id (emid)."""

    def run(
        net: Network,
        token: str,
        turnover: str = "100.00",
        *,
        other: bool = False,
        trigger: int | None = None,
        subid: str = "",
        descr: str = "",
    ) -> int:
        publisher = net.other_publisher_id if other else net.publisher_id
        project = net.other_project_id if other else net.project_id
        click = client.get(
            "/trck/eclick/",
            params={
                "campaign_id": net.campaign_id,
                "publisher_id": publisher,
                "project_id": project,
                "subid": subid,
            },
            headers={"Referer": "https://blog.example/post", "User-Agent": "TestAgent/1.0"},
            follow_redirects=False,
        )
        assert click.status_code == 302, click.text
        emid = int(click.headers["location"].rsplit("emid=", 1)[1])
        pixel = client.get(
            "/trck/etrack/",
            params={
                "campaign_id": net.campaign_id,
                "trigger_id": trigger or net.sale_trigger,
                "token": token,
                "turnover": turnover,
                "descr": descr,
                "emid": emid,
            },
        )
        assert pixel.status_code == 200, pixel.text
        return emid

    return run
