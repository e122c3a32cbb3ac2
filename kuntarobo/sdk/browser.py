"""Browser robots: drive another web system's screens in this worker's headless Chromium.

See docs/browser-robots.md."""

from kuntarobo.runtime.browser import (
    UnexpectedPage,
    browser_process_ids,
    close_browser,
    in_browser,
)

__all__ = ["UnexpectedPage", "browser_process_ids", "close_browser", "in_browser"]
