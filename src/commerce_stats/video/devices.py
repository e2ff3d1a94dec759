"""Device type of a viewer from a User-Agent string: Mobile, Desktop, Tablet, TV or Other.

ua-parser names the device, OS and browser; the project's own rules turn that
into the five types of the seed. Smart TVs, streaming sticks and game consoles
count as TV; crawlers and other bots are recognised so that they are not counted.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from ua_parser import parse

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
    result = parse(user_agent)
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
