"""Device type of a viewer from a User-Agent string: Mobile, Desktop, Tablet, TV or Other.

The classification is shared with the affiliate tracking (``kit.useragent``); bots are
recognised so that their events are not counted.
"""

from __future__ import annotations

from commerce_stats.kit.useragent import BOT, DEVICE_TYPES, classify

__all__ = ["BOT", "DEVICE_TYPES", "classify"]
