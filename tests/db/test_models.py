"""The schema's one MetaData knows every domain's tables once the models are imported."""

from __future__ import annotations

from commerce_stats.db.metadata import metadata as shared
from commerce_stats.db.models import metadata


def test_models_expose_the_shared_metadata() -> None:
    assert metadata is shared


def test_every_domain_registers_its_tables() -> None:
    names = set(metadata.tables)

    assert {"accounts", "video_videos", "affiliate_campaigns", "promotions"} <= names
