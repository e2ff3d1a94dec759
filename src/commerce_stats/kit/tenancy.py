"""The tenant as every domain sees it: an account with its features and time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

MAX_ID = 2**31 - 1
"""The largest id an account (or any 32-bit signed key) may have."""


class Feature(StrEnum):
    VIDEO_ECOMMERCE = "video_ecommerce"
    AFFILIATE = "affiliate"
    PROMOTIONS = "promotions"


ALL_FEATURES: tuple[Feature, ...] = tuple(Feature)


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    name: str
    features: frozenset[Feature]
    timezone: str
    disabled: bool
    created_at: datetime

    def has(self, feature: Feature) -> bool:
        return feature in self.features
