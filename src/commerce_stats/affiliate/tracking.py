"""Parameters of the tracking URLs, read from plain mappings (no HTTP objects).

The click URL sets a cookie ``emid_<campaign_id>`` besides handing ``emid`` to
the landing page, so a conversion pixel that omits ``emid`` is still attributed
when the shopper's browser sends the cookie.

No value the database cannot store reaches the group commit: text parameters
are checked here (400 naming the parameter), the turnover, which needs the
campaign's currency, by the service before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping

from commerce_stats.affiliate.errors import InvalidParameterError
from commerce_stats.affiliate.rules import MAX_BIG_ID, as_id
from commerce_stats.affiliate.tracker import ClickInput, ConversionInput, ViewInput

PIXEL_GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00"
    b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
"""A transparent 1x1 GIF."""
NO_CACHE = {"Cache-Control": "no-store, no-cache, must-revalidate", "Pragma": "no-cache"}
COUNTRY_HEADERS = ("cf-ipcountry", "x-country-code", "x-geo-country")


def _bad(message: str) -> InvalidParameterError:
    return InvalidParameterError(message)


def _text(params: Mapping[str, str], name: str) -> str:
    """A text parameter as given; NUL characters are refused (PostgreSQL cannot store them)."""
    value = params.get(name, "")
    if "\x00" in value:
        raise _bad(f"{name} must not contain NUL characters")
    return value


def _int(params: Mapping[str, str], name: str, *, required: bool, default: int = 0) -> int:
    text = params.get(name, "").strip()
    if not text:
        if required:
            raise _bad(f"{name} is required")
        return default
    value = as_id(text)
    if value is None:
        raise _bad(f"{name} must be a whole number")
    return value


def country_of(headers: Mapping[str, str]) -> str:
    """The two-letter country a proxy or CDN reported, else empty."""
    for name in COUNTRY_HEADERS:
        value = headers.get(name, "").strip().upper()
        if len(value) == 2 and value.isascii() and value.isalpha():
            return value
    return ""


def click_cookie(campaign_id: int, click_id: int) -> tuple[str, str]:
    return f"emid_{campaign_id}", str(click_id)


def view_cookie(campaign_id: int, view_id: int) -> tuple[str, str]:
    """The cookie a view pixel sets for postview attribution."""
    return f"emv_{campaign_id}", str(view_id)


COOKIE_DAYS = 30


def click_input(
    params: Mapping[str, str], headers: Mapping[str, str], address: str = ""
) -> ClickInput:
    return ClickInput(
        campaign_id=_int(params, "campaign_id", required=True),
        publisher_id=_int(params, "publisher_id", required=True),
        project_id=_int(params, "project_id", required=False),
        subid=_text(params, "subid"),
        admedia_id=_int(params, "admedia_id", required=False),
        referrer=headers.get("referer", ""),
        user_agent=headers.get("user-agent", ""),
        country=country_of(headers),
        address=address,
    )


def view_input(
    params: Mapping[str, str], headers: Mapping[str, str], address: str = ""
) -> ViewInput:
    """The view pixel's parameters: the click's (``campaign_id``, ``publisher_id``,
    ``project_id``, ``subid``, ``admedia_id``)."""
    return click_input(params, headers, address)


def conversion_input(
    params: Mapping[str, str],
    headers: Mapping[str, str],
    cookies: Mapping[str, str],
    address: str = "",
) -> ConversionInput:
    campaign_id = _int(params, "campaign_id", required=True)
    token = _text(params, "token").strip()
    if not token:
        raise _bad("token (the order id) is required")
    kind = params.get("t", "img").strip().lower() or "img"
    if kind not in {"img", "js"}:
        raise _bad("t must be img or js")
    emid = params.get("emid", "").strip() or cookies.get(f"emid_{campaign_id}", "").strip()
    return ConversionInput(
        campaign_id=campaign_id,
        trigger_id=_int(params, "trigger_id", required=True),
        ordertoken=token,
        turnover=params.get("turnover", "").strip(),
        description=_text(params, "descr"),
        voucher_code=_text(params, "vc"),
        currency=_text(params, "currency"),
        click_id=as_id(emid, MAX_BIG_ID),
        basket_items=_int(params, "basket_items", required=False),
        source=kind,
        user_agent=headers.get("user-agent", ""),
        referrer=headers.get("referer", ""),
        country=country_of(headers),
        view_id=as_id(cookies.get(f"emv_{campaign_id}", "").strip(), MAX_BIG_ID),
        address=address,
    )
