"""Known data for the dashboard pages; the browser fixtures come from ``tests/browser.py``."""

# Known data for the pages comes in through the domains' own test helpers (their real APIs).
from tests.affiliate.conftest import build_network, convert, network  # noqa: F401
from tests.promotions.conftest import make_shop  # noqa: F401
from tests.video.conftest import put_catalog, video_account  # noqa: F401
