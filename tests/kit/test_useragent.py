"""User agent → device type, device, browser and OS, parsed once."""

from __future__ import annotations

from commerce_stats.kit.useragent import DeviceFields, device_fields

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
WINDOWS_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Safari/537.36"
)


def test_an_iphone_is_a_mobile_safari_on_ios() -> None:
    assert device_fields(IPHONE) == DeviceFields("Mobile", "iPhone", "Mobile Safari", "iOS")


def test_a_desktop_browser_names_no_device() -> None:
    assert device_fields(WINDOWS_CHROME) == DeviceFields("Desktop", "", "Chrome", "Windows")


def test_a_crawler_is_a_bot() -> None:
    fields = device_fields("Googlebot/2.1 (+http://www.google.com/bot.html)")
    assert (fields.devicetype, fields.browser) == ("bot", "Googlebot")


def test_an_empty_user_agent_is_other_with_no_names() -> None:
    assert device_fields("") == DeviceFields("Other", "", "", "")
