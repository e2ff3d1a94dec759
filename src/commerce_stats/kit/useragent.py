"""What a User-Agent string says: device type, device, browser and operating system.

ua-parser names the device, OS and browser; the project's own rules turn that
into five device types: Mobile, Desktop, Tablet, TV or Other. Smart TVs, streaming
sticks and game consoles count as TV; crawlers and other bots are recognised
(``BOT``) so that a domain can leave them uncounted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from ua_parser import Result, parse

DEVICE_TYPES: Final = ("Mobile", "Desktop", "Tablet", "TV", "Other")
BOT: Final = "bot"
"""The classification of a crawler: its events are dropped, not counted."""

_TV_PATTERN = re.compile(
    r"smart-?tv|smarttv|googletv|android tv|\btv\b|hbbtv|netcast|webos|tizen|roku|"
    r"appletv|apple tv|tvos|aft[a-z]|fire tv|chromecast|crkey|bravia|viera|aquos|"
    r"playstation|xbox|nintendo|ouya|shield|vizio|philipstv|opera tv|sonydtv|dtv",
    re.IGNORECASE,
)
_BOT_PATTERN = re.compile(
    r"bot\b|crawler|spider|slurp|crawl|headlesschrome|phantomjs|curl/|wget/|python-requests|"
    r"httpclient|facebookexternalhit|preview|lighthouse|pingdom",
    re.IGNORECASE,
)
_TABLET_PATTERN = re.compile(r"ipad|tablet|kindle|silk/|playbook|sm-t\d|nexus (7|9|10)", re.I)
_MOBILE_PATTERN = re.compile(
    r"mobile|iphone|ipod|android|windows phone|blackberry|opera mini", re.I
)
_DESKTOP_OS = frozenset({"Windows", "Mac OS X", "Linux", "Ubuntu", "Chrome OS", "Fedora", "macOS"})


@lru_cache(maxsize=8192)
def classify(user_agent: str) -> str:
    """One of ``DEVICE_TYPES``, or ``BOT`` for a crawler; ``Other`` when nothing is known."""
    if not user_agent:
        return "Other"
    if _BOT_PATTERN.search(user_agent):
        return BOT
    if _TV_PATTERN.search(user_agent):
        return "TV"
    return _classify_parsed(user_agent, _parsed(user_agent))


def _classify_parsed(user_agent: str, result: Result) -> str:
    device = result.device
    if device is not None and device.family == "Spider":
        return BOT
    if _TABLET_PATTERN.search(user_agent):
        return "Tablet"
    if "Android" in user_agent and "Mobile" not in user_agent:
        return "Tablet"
    if _MOBILE_PATTERN.search(user_agent):
        return "Mobile"
    os_family = result.os.family if result.os is not None else None
    if os_family in _DESKTOP_OS:
        return "Desktop"
    return "Other"


MAX_NAME = 64
"""Longest device, browser or OS name kept (longer names are cut)."""


@dataclass(frozen=True, slots=True)
class DeviceFields:
    """A user agent parsed once: ``devicetype`` is one of ``DEVICE_TYPES`` or ``BOT``; the
    names are ua-parser's families, empty when unknown."""

    devicetype: str
    device: str
    browser: str
    os: str


@lru_cache(maxsize=8192)
def _parsed(user_agent: str) -> Result:
    return parse(user_agent)


def _family(value: object) -> str:
    family = getattr(value, "family", None)
    if not isinstance(family, str) or family == "Other":
        return ""
    return family[:MAX_NAME]


@lru_cache(maxsize=8192)
def device_fields(user_agent: str) -> DeviceFields:
    """Device type, device, browser and OS of ``user_agent`` (all empty names if unknown)."""
    if not user_agent:
        return DeviceFields("Other", "", "", "")
    result = _parsed(user_agent)
    return DeviceFields(
        devicetype=classify(user_agent),
        device=_family(result.device),
        browser=_family(result.user_agent),
        os=_family(result.os),
    )
