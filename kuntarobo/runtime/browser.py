"""Browser robots: a robot drives another web system's screens in Debian's Chromium, headless.

One Chromium per worker process, launched on first use and reused for every item; relaunched
when it died; closed at the process's exit. Playwright's sync API and the browser live in ONE
dedicated thread of the process: `in_browser` hands the robot's `work` to that thread and waits,
so a robot runs the same from a worker, a command line or a test that has a browser of its own
(a second sync Playwright in one thread fails).

Each call gets a fresh browser context (no cookies or storage carried from one item to the
next), bounded time-outs, and a limit on the whole call. A failure on the page (a selector that
no longer matches, a navigation that fails, `UnexpectedPage`) becomes an `ApplicationException`
(retried with back-off) keeping a screenshot and the page's HTML; a business or application
exception the robot raises itself keeps them too. The runtime masks the vault's secrets in the
documents when it stores them (`execution._masked`).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import queue
import re
import signal
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kuntarobo.core.masking import mask_identity_codes
from kuntarobo.runtime.declarations import (
    ApplicationException,
    BusinessException,
    Document,
    ItemView,
    RunContext,
    message,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright

T = TypeVar("T")

# Like tests/browser/conftest.py: headless, no sandbox (workers run unprivileged in containers),
# nothing phoning home.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
)
# How long a capture (screenshot, HTML) of a failed page may take.
CAPTURE_TIMEOUT_MS = 10_000
# After the whole-call limit the browser is stopped; a `work` that still does not return this
# long after (a robot stuck outside the browser) is left behind with its thread.
ABANDON_GRACE_SECONDS = 5.0
# How much of a Playwright error a message keeps.
_WHAT_LENGTH = 160


class UnexpectedPage(Exception):
    """The page is not what the robot expected (a changed screen): an application exception."""


def in_browser(
    context: RunContext, item: ItemView, work: Callable[[Page], T], *, system: str = ""
) -> T:
    """Run `work(page)` in this process's browser, on a fresh context; return what it returns.

    Failures on the page end as an `ApplicationException` keeping a screenshot and the page's
    HTML; a `BusinessException`/`ApplicationException` of `work` is raised again with them."""
    # A lazy text: every reader of the log and the error sees it in their own language.
    shown: Any = system or _("the web system")
    limit = int(settings.KUNTAROBO_BROWSER_ITEM_SECONDS)
    context.log(
        message(
            _("browser work in %(system)s started (item %(reference)s)"),
            system=shown,
            reference=item.reference,
        )
    )
    started = time.monotonic()
    with _calls:  # one browser work at a time in a process: the limit counts only its own time
        engine = _engine()
        future = engine.submit(lambda: _work_on_a_fresh_page(engine, work, shown))
        try:
            result = future.result(timeout=limit)
        except FutureTimeout:
            engine.stop_browser_now()
            try:
                future.exception(timeout=ABANDON_GRACE_SECONDS)
            except FutureTimeout:
                _abandon(engine)
            context.log(
                message(
                    _("browser work in %(system)s stopped after %(seconds)s s"),
                    system=shown,
                    seconds=limit,
                ),
                "warning",
            )
            raise ApplicationException(
                message(
                    _("%(system)s: the browser work did not end within %(seconds)s s"),
                    system=shown,
                    seconds=limit,
                )
            ) from None
        except BaseException:
            context.log(
                message(
                    _("browser work in %(system)s failed after %(seconds)s s"),
                    system=shown,
                    seconds=round(time.monotonic() - started, 1),
                ),
                "warning",
            )
            raise
    context.log(
        message(
            _("browser work in %(system)s ended in %(seconds)s s"),
            system=shown,
            seconds=round(time.monotonic() - started, 1),
        )
    )
    return result


def close_browser() -> None:
    """Close this process's browser and Playwright (at exit, or to free the memory)."""
    global _current
    with _engine_lock:
        engine, _current = _current, None
    if engine is None or engine.pid != os.getpid() or engine.thread is None:
        return
    future = engine.submit(engine.close)
    with contextlib.suppress(Exception):
        future.result(timeout=30)


def browser_process_ids() -> list[int]:
    """The Chromium processes of this process's browser: the browser and its descendants
    (renderers, zygotes, utilities), for memory figures. Empty when no browser runs."""
    with _engine_lock:
        engine = _current
    if engine is None or engine.pid != os.getpid() or engine.marker is None:
        return []
    return _processes_marked(engine.marker)


# --- the browser thread ----------------------------------------------------------------------


@dataclass(eq=False)
class _Engine:
    """The browser thread of one process. `playwright` and `browser` are touched only in it."""

    pid: int = field(default_factory=os.getpid)
    tasks: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]] | None] = field(
        default_factory=queue.SimpleQueue
    )
    playwright: Playwright | None = None
    browser: Browser | None = None
    # A switch on the browser's command line by which its processes are found (Chromium
    # ignores switches it does not know).
    marker: str | None = None
    thread: threading.Thread | None = None

    def submit(self, call: Callable[[], T]) -> Future[T]:
        future: Future[T] = Future()
        if self.thread is None:
            # A daemon: atexit handlers run after non-daemon threads are joined, and the
            # handler below still needs this thread to close the browser.
            self.thread = threading.Thread(
                target=self._serve, name="kuntarobo-browser", daemon=True
            )
            self.thread.start()
        self.tasks.put((call, future))
        return future

    def _serve(self) -> None:
        while (task := self.tasks.get()) is not None:
            call, future = task
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(call())
            except BaseException as error:  # handed to the waiting caller
                future.set_exception(error)

    def open_browser(self) -> Browser:
        """The running browser, launched now if there is none or it died."""
        if self.browser is not None and self.browser.is_connected():
            return self.browser
        self._close_quietly()
        from playwright.sync_api import sync_playwright

        self.playwright = sync_playwright().start()
        self.marker = f"--kuntarobo-browser={os.getpid()}-{uuid.uuid4().hex}"
        self.browser = self.playwright.chromium.launch(
            executable_path=str(settings.KUNTAROBO_CHROMIUM),
            headless=True,
            args=[*CHROMIUM_ARGS, self.marker],
        )
        return self.browser

    def forget_browser(self) -> None:
        self._close_quietly()

    def close(self) -> None:
        self._close_quietly()
        self.tasks.put(None)

    def _close_quietly(self) -> None:
        if self.browser is not None:
            with contextlib.suppress(Exception):
                self.browser.close()
        if self.playwright is not None:
            with contextlib.suppress(Exception):
                self.playwright.stop()
        self.browser = self.playwright = None
        self.marker = None

    def stop_browser_now(self) -> None:
        """From another thread: kill the browser, so the work waiting on it fails at once and
        its context is gone; the next call launches a new one."""
        marker = self.marker
        if marker is None:
            return
        for pid in _processes_marked(marker):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


_engine_lock = threading.Lock()
_calls = threading.Lock()
_current: _Engine | None = None


def _engine() -> _Engine:
    """This process's engine; a forked child starts its own (threads do not survive a fork)."""
    global _current
    with _engine_lock:
        if _current is None or _current.pid != os.getpid():
            _current = _Engine()
        return _current


def _abandon(engine: _Engine) -> None:
    """The work is stuck outside the browser: its thread closes what it holds when (if) it
    returns; later calls get a thread of their own."""
    global _current
    with _engine_lock:
        if _current is engine:
            _current = None
    engine.submit(engine.close)


atexit.register(close_browser)


def _work_on_a_fresh_page(engine: _Engine, work: Callable[[Page], T], system: Any) -> T:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        browser_context = _new_context(engine.open_browser())
    except PlaywrightError:
        # Died so recently that Playwright has not noticed yet: a new browser.
        engine.forget_browser()
        browser_context = _new_context(engine.open_browser())
    try:
        browser_context.set_default_timeout(int(settings.KUNTAROBO_BROWSER_TIMEOUT_MS))
        browser_context.set_default_navigation_timeout(
            int(settings.KUNTAROBO_BROWSER_NAVIGATION_TIMEOUT_MS)
        )
        page = browser_context.new_page()
        try:
            return work(page)
        except PlaywrightTimeout as error:
            raise ApplicationException(
                _timeout_message(system, error), documents=_capture(page)
            ) from error
        except PlaywrightError as error:
            raise ApplicationException(
                message(
                    _("%(system)s: the browser failed: %(what)s"),
                    system=system,
                    what=_short(error.message.split("Call log:")[0]),
                ),
                documents=_capture(page),
            ) from error
        except UnexpectedPage as error:
            raise ApplicationException(
                message(
                    _("%(system)s: the page was not what the robot expected: %(what)s"),
                    system=system,
                    what=_short(str(error)),
                ),
                documents=_capture(page),
            ) from error
        except (BusinessException, ApplicationException) as error:
            # The same exception, class and arguments, with the page as it was.
            error.documents = [*error.documents, *_capture(page)]
            raise
    finally:
        with contextlib.suppress(Exception):
            browser_context.close()


def _new_context(browser: Browser) -> BrowserContext:
    return browser.new_context(
        accept_downloads=True,
        locale="fi-FI",
        timezone_id="Europe/Helsinki",
        viewport={"width": 1280, "height": 900},
    )


def _timeout_message(system: Any, error: Exception) -> Any:
    text = str(getattr(error, "message", error))
    waited = re.search(r"Timeout (\d+)ms exceeded", text)
    seconds = round(int(waited.group(1)) / 1000, 1) if waited else "?"
    locator = re.search(r"waiting for (locator\(.*?\)|get_by_\w+\(.*?\))(?:$|\s)", text, re.M)
    if locator:
        return message(
            _("%(system)s: %(what)s did not appear within %(seconds)s s"),
            system=system,
            what=_short(locator.group(1)),
            seconds=seconds,
        )
    navigating = re.search(r'navigating to "([^"]*)"', text)
    if navigating:
        return message(
            _("%(system)s: the page %(what)s did not open within %(seconds)s s"),
            system=system,
            what=_short(navigating.group(1)),
            seconds=seconds,
        )
    return message(
        _("%(system)s: the browser waited in vain for %(seconds)s s: %(what)s"),
        system=system,
        what=_short(text.splitlines()[0] if text else ""),
        seconds=seconds,
    )


def _short(text: str) -> str:
    """One line of an error, masked (identity codes and the vault's secrets), bounded."""
    line = mask_identity_codes(" ".join(text.split()))
    return line if len(line) <= _WHAT_LENGTH else line[: _WHAT_LENGTH - 1] + "…"


def _capture(page: Page) -> list[Document]:
    """The page at the moment of failure; what cannot be taken (the browser died) is left out."""
    documents = []
    with contextlib.suppress(Exception):
        png = page.screenshot(full_page=True, type="png", timeout=CAPTURE_TIMEOUT_MS)
        documents.append(Document("screenshot.png", png, "image/png"))
    with contextlib.suppress(Exception):
        html = page.content()
        documents.append(Document("page.html", html.encode("utf-8"), "text/html; charset=utf-8"))
    return documents


def _processes_marked(marker: str) -> list[int]:
    """The process whose command line carries `marker`, and its descendants (Linux /proc)."""
    parents: dict[int, int] = {}
    roots = []
    needle = marker.encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue  # ended meanwhile
        # The parent's id is the second field after the command's name (which is in parens).
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        if needle in command.split(b"\0"):
            roots.append(int(entry.name))
    found = set(roots)
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in found and pid not in found:
                found.add(pid)
                grew = True
    return sorted(found)
