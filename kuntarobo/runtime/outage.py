"""Telling an outage of the platform's own database from a bug, and riding it out.

Workers and the scheduler loop for as long as they run; a PostgreSQL restart, a connection cut,
SQLite's write lock held past the busy timeout or a full disk must make them wait and go on,
not end them. Any other database error (a bad query, a constraint) is a bug or bad data and
still surfaces. Only errors raised through Django's own connections count: a robot's driver
for some other system's database raises that driver's exceptions, which are the robot's
application exceptions as before.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import connection
from django.db.utils import DatabaseError, InterfaceError, OperationalError

from kuntarobo.core.backoff import outage_delay_seconds
from kuntarobo.core.masking import mask_identity_codes

# PostgreSQL error classes of an outage: connection exception (08), insufficient resources
# (53: disk full 53100, out of memory, too many connections), operator intervention (57P01
# terminating connection, 57P02 crash, 57P03 "the database system is starting up"), system
# error (58: I/O). Not 57014 (a cancelled statement) nor serialization failures.
_POSTGRES_STATES = ("08", "53", "57P", "58")
# SQLite result codes (extended codes start with these names): busy or locked past the busy
# timeout, disk full, I/O errors, the file unreachable.
_SQLITE_CODES = (
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_FULL",
    "SQLITE_IOERR",
    "SQLITE_CANTOPEN",
    "SQLITE_PROTOCOL",
)
# For errors that carry no code (a driver's own connection failures).
_MESSAGES = (
    "database is locked",
    "database or disk is full",
    "no space left on device",
    "server closed the connection",
    "terminating connection",
    "the database system is",
    "connection refused",
    "connection failed",
    "could not connect",
    "connection already closed",
    "the connection is closed",
    "consuming input failed",
    "disk i/o error",
)

# The first delay after a failure; they double up to KUNTAROBO_DB_RETRY_MAX_SECONDS.
BASE_DELAY_SECONDS = 0.5


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error and those it was raised from or while handling."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen and len(seen) < 20:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _driver_says_outage(error: DatabaseError) -> bool:
    cause = error.__cause__
    sqlite_name = getattr(cause, "sqlite_errorname", None)
    if isinstance(sqlite_name, str) and sqlite_name:
        return sqlite_name.startswith(_SQLITE_CODES)
    state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if isinstance(state, str) and state:
        return state.startswith(_POSTGRES_STATES)
    if isinstance(error, OperationalError) and type(cause).__module__.startswith("psycopg"):
        return True  # no SQLSTATE: the client lost or could not open the connection
    message = str(error).lower()
    return any(text in message for text in _MESSAGES)


def is_outage(error: BaseException) -> bool:
    """Whether the error comes from the platform's database being unreachable, restarting,
    locked or full (wait and try again), rather than from a bug or bad data (surface it)."""
    for link in _chain(error):
        if isinstance(link, InterfaceError):
            return True
        if isinstance(link, DatabaseError) and _driver_says_outage(link):
            return True
    return False


def describe(error: BaseException) -> str:
    """A one-line, masked account of the error for the log."""
    for link in _chain(error):
        if isinstance(link, DatabaseError | InterfaceError):
            error = link
            break
    first_line = (str(error).strip().splitlines() or [""])[0][:200]
    return mask_identity_codes(f"{type(error).__name__}: {first_line}")


def drop_connection() -> None:
    """Close this thread's connection, broken or not: the next query opens a new one."""
    try:
        connection.close()
    except Exception:  # closing a dead connection may fail; it is gone anyway
        logging.getLogger(__name__).debug("closing a broken connection failed", exc_info=True)


class Outage:
    """One loop's view of the database: logs once when it goes, once when it is back, and says
    how long to wait in between."""

    def __init__(
        self,
        who: str,
        log: logging.Logger,
        fraction: Callable[[], float] = random.random,
    ) -> None:
        self.who = who
        self.log = log
        self.fraction = fraction
        self.failures = 0
        self.since = 0.0

    def failed(self, error: BaseException) -> float:
        """Note a failed try (the connection is dropped); the seconds to wait before the next."""
        drop_connection()
        self.failures += 1
        if self.failures == 1:
            self.since = time.monotonic()
            self.log.warning(
                "%s: the database is unavailable (%s); waiting and trying again",
                self.who,
                describe(error),
            )
        else:
            self.log.debug("%s: the database is still unavailable (%s)", self.who, describe(error))
        return outage_delay_seconds(
            self.failures,
            BASE_DELAY_SECONDS,
            max(settings.KUNTAROBO_DB_RETRY_MAX_SECONDS, BASE_DELAY_SECONDS),
            self.fraction(),
        )

    def succeeded(self) -> None:
        if self.failures:
            self.log.warning(
                "%s: the database is back after %.1f s (%d failed tries); going on",
                self.who,
                time.monotonic() - self.since,
                self.failures,
            )
            self.failures = 0

    @property
    def ongoing(self) -> bool:
        return self.failures > 0
