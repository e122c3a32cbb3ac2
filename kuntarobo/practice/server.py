"""Harjoituspalkka: a practice system that imitates a municipal payroll system's screens, for
software robots to log in, fill a report form, page through results and download an Excel
export, on loopback, with invented data.

"Another system" on purpose: no Django and nothing of kuntarobo (an import-linter contract),
only the standard library and waitress. Every screen says that it is a practice
system with invented data; it imitates no vendor's product.

Plain WSGI: the screens are small and their ids are a contract with the robots
(docs/practice-system.md). Shared state (sessions, failed logins, counters) is guarded by one
lock, as waitress serves requests from several threads.
"""

from __future__ import annotations

import functools
import hmac
import html
import math
import secrets
import signal
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

from waitress import wasyncore
from waitress.server import create_server

from kuntarobo.practice.data import (
    MonthData,
    current_month,
    generate_month,
    generate_units,
    parse_month,
    shift_month,
)
from kuntarobo.practice.export import (
    REPORTS,
    SCREEN_COLUMNS,
    Selection,
    file_name,
    screen_rows,
    workbook,
)

SYSTEM_NAME = "Harjoituspalkka — harjoitusjärjestelmä"
NOTICE = (
    "Tämä on harjoitusjärjestelmä ohjelmistorobottien kokeiluun. Se ei ole oikea "
    "palkkajärjestelmä, ja kaikki sen tiedot ovat keksittyjä."
)
COOKIE = "harjoitus_istunto"
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
EXPIRED_FLAG = "istunto=vanhentunut"

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
Environ = dict[str, Any]


@dataclass
class PracticeOptions:
    """How the practice system behaves; mutable while it runs (the next request sees it)."""

    units: int = 4
    employees_per_unit: int = 10
    seed: int = 1
    mail_domain: str = "esimerkkila.fi"
    users: dict[str, str] = field(default_factory=lambda: {"robotti": "Harjoitus-2026!"})
    renamed_field: bool = False  # "a new version of the screen": the month field renamed
    lockout_failures: int = 3  # failed logins in a row that lock the account
    lockout_seconds: int = 900
    session_seconds: int = 900  # idle session time-out
    page_size: int = 50
    first_month: str = ""  # earliest month with data ("" = 24 months back)

    @property
    def month_field(self) -> str:
        return "period" if self.renamed_field else "month"


@dataclass
class _Session:
    user: str
    last_seen: float


@dataclass
class _Response:
    status: str
    body: bytes
    headers: list[tuple[str, str]] = field(default_factory=list)


class PracticeApp:
    """The WSGI application; its state lives as long as the server."""

    def __init__(self, options: PracticeOptions) -> None:
        self.options = options
        self.lock = threading.Lock()
        self.sessions: dict[str, _Session] = {}
        self.failures: dict[str, int] = {}  # failed logins in a row per user name
        self.locked_until: dict[str, float] = {}
        self.login_attempts: dict[str, int] = {}
        self.requests = 0

    # --- WSGI -----------------------------------------------------------------------------

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        with self.lock:
            self.requests += 1
        try:
            response = self.route(environ)
        except _BadRequest as error:
            response = self.page_response(
                "Virheellinen pyyntö", f"<p>{html.escape(str(error))}</p>", status="400 Bad Request"
            )
        headers = [
            ("Content-Length", str(len(response.body))),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
            *response.headers,
        ]
        start_response(response.status, headers)
        return [response.body]

    def route(self, environ: Environ) -> _Response:
        path = environ.get("PATH_INFO", "/") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/":
            return self.login_post(environ) if method == "POST" else self.login_page(environ)
        if path == "/yllapito/":
            return self.admin(environ, method)
        routes: dict[str, Callable[[Environ, str], _Response]] = {
            "/valikko/": self.menu,
            "/valikko/henkilot/": self.not_in_use,
            "/valikko/palkanlaskenta/": self.not_in_use,
            "/valikko/ohje/": self.help_page,
            "/raportit/": self.report_form,
            "/raportit/tulokset/": self.results,
            "/raportit/lataa/": self.download,
            "/ulos/": self.logout,
        }
        handler = routes.get(path)
        if handler is None:
            return self.page_response(
                "Sivua ei löydy",
                '<p>Sivua ei löydy. <a href="/">Etusivulle</a></p>',
                status="404 Not Found",
            )
        if method not in ("GET", "HEAD"):
            return _Response("405 Method Not Allowed", b"", [("Allow", "GET")])
        user, _, expired = self.session_user(environ)
        if user is None:
            return _redirect("/?" + EXPIRED_FLAG if expired else "/")
        return handler(environ, user)

    # --- sessions and logins ----------------------------------------------------------------

    def session_user(self, environ: Environ) -> tuple[str | None, str, bool]:
        """(user, token, expired): the session's user, None without a valid session; expired
        when the cookie named a session that timed out."""
        token = _cookie(environ)
        if not token:
            return None, "", False
        now = time.monotonic()
        with self.lock:
            session = self.sessions.get(token)
            if session is None:
                return None, token, False
            if now - session.last_seen > self.options.session_seconds:
                del self.sessions[token]
                return None, token, True
            session.last_seen = now
            return session.user, token, False

    def login_page(
        self, environ: Environ, error: str = "", status: str = "200 OK", username: str = ""
    ) -> _Response:
        user, _, expired = self.session_user(environ)
        if user is not None and not error:
            return _redirect("/valikko/")
        query = environ.get("QUERY_STRING", "")
        notices = ""
        if expired or (EXPIRED_FLAG in query and not error):
            notices += (
                '<p id="session-expired" role="status">Istunto on vanhentunut, koska '
                "järjestelmää ei käytetty hetkeen. Kirjaudu uudelleen.</p>"
            )
        notices += error
        body = f"""{notices}
<form method="post" action="/" autocomplete="off">
  <p><label for="username">Käyttäjätunnus</label><br>
  <input id="username" name="username" type="text" value="{html.escape(username)}" required></p>
  <p><label for="password">Salasana</label><br>
  <input id="password" name="password" type="password" required></p>
  <p><button id="login" type="submit">Kirjaudu</button></p>
</form>"""
        return self.page_response("Kirjautuminen", body, status=status)

    def login_post(self, environ: Environ) -> _Response:
        form = _form(environ)
        username = form.get("username", "").strip()
        password = form.get("password", "")
        options = self.options
        now = time.monotonic()
        with self.lock:
            self.login_attempts[username] = self.login_attempts.get(username, 0) + 1
            expected = options.users.get(username)
            right = expected is not None and hmac.compare_digest(
                expected.encode(), password.encode()
            )
            locked = self.locked_until.get(username, 0.0) > now
            if right and not locked:
                self.failures.pop(username, None)
                self.locked_until.pop(username, None)
                token = secrets.token_urlsafe(32)
                self.sessions[token] = _Session(username, now)
            else:
                token = ""
                if not right:
                    failures = self.failures.get(username, 0) + 1
                    self.failures[username] = failures
                    if failures >= options.lockout_failures:
                        self.locked_until[username] = now + options.lockout_seconds
                        locked = True
        if token:
            cookie = f"{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax"
            return _redirect("/valikko/", [("Set-Cookie", cookie)])
        if locked:
            error = (
                '<p id="locked" role="alert">Käyttäjätunnus on lukittu liian monen '
                "epäonnistuneen kirjautumisen vuoksi. Yritä myöhemmin uudelleen tai pyydä "
                "pääkäyttäjää avaamaan lukitus.</p>"
            )
        else:
            error = '<p id="login-error" role="alert">Väärä käyttäjätunnus tai salasana.</p>'
        return self.login_page(environ, error, "401 Unauthorized", username)

    def logout(self, environ: Environ, user: str) -> _Response:
        token = _cookie(environ)
        with self.lock:
            self.sessions.pop(token, None)
        expire = f"{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
        return _redirect("/", [("Set-Cookie", expire)])

    # --- screens ----------------------------------------------------------------------------

    def menu(self, environ: Environ, user: str) -> _Response:
        body = f"""<p>Kirjautunut käyttäjä: <span id="current-user">{html.escape(user)}</span></p>
<nav aria-label="Päävalikko"><ul>
  <li><a id="menu-persons" href="/valikko/henkilot/">Henkilötiedot</a></li>
  <li><a id="menu-payroll" href="/valikko/palkanlaskenta/">Palkanlaskenta</a></li>
  <li><a id="menu-reports" href="/raportit/">Raportit</a></li>
  <li><a id="menu-help" href="/valikko/ohje/">Ohje</a></li>
  <li><a id="logout" href="/ulos/">Kirjaudu ulos</a></li>
</ul></nav>"""
        return self.page_response("Päävalikko", body, user=user)

    def not_in_use(self, environ: Environ, user: str) -> _Response:
        body = (
            '<p id="not-in-use">Tämä toiminto ei ole käytössä harjoitusjärjestelmässä.</p>'
            '<p><a href="/valikko/">Takaisin päävalikkoon</a></p>'
        )
        return self.page_response("Toiminto ei ole käytössä", body, user=user)

    def help_page(self, environ: Environ, user: str) -> _Response:
        body = """<p>Raportit-valikosta valitaan yksikkö, kuukausi ja raportti. Tulokset näytetään
sivuittain, ja koko kuukauden aineiston voi ladata Excel-tiedostona.</p>
<p><a href="/valikko/">Takaisin päävalikkoon</a></p>"""
        return self.page_response("Ohje", body, user=user)

    def report_form(
        self, environ: Environ, user: str, error: str = "", status: str = "200 OK"
    ) -> _Response:
        options = self.options
        query = _query(environ)
        month_field = options.month_field
        month_value = query.get(month_field, shift_month(current_month(), -1))
        unit_value = query.get("unit", "all")
        report_value = query.get("report", "henkilostoaineisto")
        units = generate_units(options.units, options.seed, options.mail_domain)
        unit_options = _option("all", "Kaikki yksiköt", unit_value) + "".join(
            _option(u.unit_id, f"{u.unit_id} {u.name}", unit_value) for u in units
        )
        report_options = "".join(
            _option(value, label, report_value) for value, label in REPORTS.items()
        )
        if options.renamed_field:
            month_input = (
                '<label for="period">Palkkakausi (VVVV-KK)</label><br>'
                f'<input id="period" name="period" type="text" inputmode="numeric" '
                f'pattern="[0-9]{{4}}-[0-9]{{2}}" value="{html.escape(month_value)}" required>'
            )
        else:
            month_input = (
                '<label for="month">Kuukausi (VVVV-KK)</label><br>'
                f'<input id="month" name="month" type="text" inputmode="numeric" '
                f'pattern="[0-9]{{4}}-[0-9]{{2}}" value="{html.escape(month_value)}" required>'
            )
        body = f"""{error}
<form method="get" action="/raportit/tulokset/">
  <p><label for="unit">Yksikkö</label><br><select id="unit" name="unit">{unit_options}</select></p>
  <p>{month_input}</p>
  <p><label for="report">Raportti</label><br>
  <select id="report" name="report">{report_options}</select></p>
  <p><button id="show" type="submit">Näytä</button></p>
</form>
<p><a href="/valikko/">Takaisin päävalikkoon</a></p>"""
        return self.page_response("Raportit", body, user=user, status=status)

    def selection(self, environ: Environ) -> tuple[Selection, str, MonthData | None, str]:
        """(selection, month, the month's data or None without data, error HTML)."""
        options = self.options
        query = _query(environ)
        month = query.get(options.month_field, "").strip()
        report = query.get("report", "henkilostoaineisto")
        unit = query.get("unit", "all")
        selection = Selection(unit, report)
        label = "Palkkakausi" if options.renamed_field else "Kuukausi"
        try:
            parse_month(month)
        except ValueError:
            return selection, month, None, _form_error(f"{label}: anna muodossa VVVV-KK.")
        if report not in REPORTS:
            return selection, month, None, _form_error("Valitse raportti.")
        units = (
            generate_month(
                month, options.units, options.employees_per_unit, options.seed, options.mail_domain
            )
            if self.has_data(month)
            else None
        )
        if units is not None and unit != "all" and unit not in units.unit_by_id:
            return selection, month, None, _form_error("Tuntematon yksikkö.")
        return selection, month, units, ""

    def has_data(self, month: str) -> bool:
        now = current_month()
        first = self.options.first_month or shift_month(now, -24)
        return first <= month <= now

    def results(self, environ: Environ, user: str) -> _Response:
        selection, month, data, error = self.selection(environ)
        if error:
            return self.report_form(environ, user, error, "400 Bad Request")
        if data is None:
            body = (
                '<p id="no-data" role="status">Valitulle kuukaudelle ei ole aineistoa.</p>'
                '<p><a href="/raportit/">Uusi haku</a></p>'
            )
            return self.page_response("Raportin tulokset", body, user=user)
        rows = screen_rows(data, selection)
        size = max(1, self.options.page_size)
        pages = max(1, math.ceil(len(rows) / size))
        try:
            page = min(max(1, int(_query(environ).get("sivu", "1"))), pages)
        except ValueError:
            page = 1
        shown = rows[(page - 1) * size : page * size]
        query = {
            "unit": selection.unit,
            self.options.month_field: month,
            "report": selection.report,
        }
        head = "".join(
            f'<th scope="col">{html.escape(c)}</th>' for c in SCREEN_COLUMNS[selection.report]
        )
        body_rows = "".join(
            "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>"
            for row in shown
        )
        links = []
        if page > 1:
            previous = urllib.parse.urlencode({**query, "sivu": page - 1})
            links.append(
                f'<a rel="prev" id="previous-page" href="/raportit/tulokset/?{previous}">'
                "Edellinen sivu</a>"
            )
        if page < pages:
            following = urllib.parse.urlencode({**query, "sivu": page + 1})
            links.append(
                f'<a rel="next" id="next-page" href="/raportit/tulokset/?{following}">'
                "Seuraava sivu</a>"
            )
        download = urllib.parse.urlencode(query)
        unit_text = (
            "Kaikki yksiköt"
            if selection.unit == "all"
            else f"{selection.unit} {data.unit_by_id[selection.unit].name}"
        )
        body = f"""<p>Raportti: {html.escape(REPORTS[selection.report])}.
Kuukausi: <span id="result-month">{html.escape(month)}</span>.
Yksikkö: {html.escape(unit_text)}.</p>
<p id="row-count">Rivejä: {len(rows)}</p>
<p><a id="download" href="/raportit/lataa/?{download}" download>Lataa Excel</a></p>
<table id="results">
<caption>{html.escape(REPORTS[selection.report])} {html.escape(month)}</caption>
<thead><tr>{head}</tr></thead>
<tbody>{body_rows}</tbody>
</table>
<nav aria-label="Sivutus"><p id="page-info">Sivu {page} / {pages}</p>
<p>{" ".join(links)}</p></nav>
<p><a href="/raportit/">Uusi haku</a></p>"""
        return self.page_response("Raportin tulokset", body, user=user)

    def download(self, environ: Environ, user: str) -> _Response:
        selection, month, data, error = self.selection(environ)
        if error:
            return self.report_form(environ, user, error, "400 Bad Request")
        if data is None:
            body = '<p id="no-data" role="status">Valitulle kuukaudelle ei ole aineistoa.</p>'
            return self.page_response("Lataus", body, user=user, status="404 Not Found")
        options = self.options
        content = _cached_workbook(
            month,
            options.units,
            options.employees_per_unit,
            options.seed,
            options.mail_domain,
            selection,
        )
        name = file_name(month, selection)
        return _Response(
            "200 OK",
            content,
            [
                (
                    "Content-Type",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
                ("Content-Disposition", f'attachment; filename="{name}"'),
            ],
        )

    # --- administration -----------------------------------------------------------------------

    def admin(self, environ: Environ, method: str) -> _Response:
        """Loopback only, without a login: the demo's presenter changes the screen version and
        opens locked accounts here."""
        if environ.get("REMOTE_ADDR", "") not in LOOPBACK:
            return self.page_response(
                "Ylläpito", "<p>Ylläpito vain paikallisesti.</p>", status="403 Forbidden"
            )
        message = ""
        if method == "POST":
            origin = environ.get("HTTP_ORIGIN", "")
            host = environ.get("HTTP_HOST", "")
            if origin and urllib.parse.urlsplit(origin).netloc != host:
                return self.page_response(
                    "Ylläpito", "<p>Pyyntö toiselta sivustolta.</p>", status="403 Forbidden"
                )
            form = _form(environ)
            action = form.get("action", "")
            if action == "renamed_field":
                self.options.renamed_field = form.get("value") == "1"
                message = "Näytön versio vaihdettu."
            elif action == "unlock":
                name = form.get("username", "")
                with self.lock:
                    self.failures.pop(name, None)
                    self.locked_until.pop(name, None)
                message = f"Lukitus avattu: {name}."
            return _redirect("/yllapito/?" + urllib.parse.urlencode({"viesti": message}))
        message = _query(environ).get("viesti", "")
        now = time.monotonic()
        with self.lock:
            locked = sorted(u for u, until in self.locked_until.items() if until > now)
            sessions = len(self.sessions)
        locked_items = "".join(f"<li>{html.escape(u)}</li>" for u in locked) or "<li>ei yhtään</li>"
        version = "uusi (Palkkakausi)" if self.options.renamed_field else "vanha (Kuukausi)"
        target = "0" if self.options.renamed_field else "1"
        body = f"""<p role="status" id="admin-message">{html.escape(message)}</p>
<p>Ylläpitosivu toimii ilman kirjautumista vain paikallisesta koneesta (loopback).</p>
<h2>Raporttilomakkeen versio</h2>
<p>Nyt käytössä: <span id="screen-version">{version}</span></p>
<form method="post" action="/yllapito/">
  <input type="hidden" name="action" value="renamed_field">
  <input type="hidden" name="value" value="{target}">
  <button id="toggle-renamed-field" type="submit">Vaihda lomakkeen versio</button>
</form>
<h2>Lukitut käyttäjätunnukset</h2>
<ul id="locked-users">{locked_items}</ul>
<form method="post" action="/yllapito/">
  <input type="hidden" name="action" value="unlock">
  <p><label for="unlock-username">Käyttäjätunnus</label><br>
  <input id="unlock-username" name="username" type="text" required></p>
  <button id="unlock" type="submit">Avaa lukitus</button>
</form>
<p>Voimassa olevia istuntoja: {sessions}.</p>"""
        return self.page_response("Ylläpito", body)

    # --- the page frame -----------------------------------------------------------------------

    def page_response(
        self, title: str, body: str, user: str = "", status: str = "200 OK"
    ) -> _Response:
        signed_in = (
            f'<p class="user">{html.escape(user)} · <a href="/ulos/">Kirjaudu ulos</a></p>'
            if user
            else ""
        )
        page = f"""<!DOCTYPE html>
<html lang="fi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} – {SYSTEM_NAME}</title>
<style>
body {{ font-family: sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem; }}
#practice-notice {{ background: #fff3c4; border: 2px solid #8a6d00; padding: .5rem 1rem; }}
table {{ border-collapse: collapse; }} th, td {{ border: 1px solid #888; padding: .2rem .5rem; }}
[role=alert] {{ color: #a00000; font-weight: bold; }}
</style>
</head>
<body>
<header>
<p id="system-name"><strong>{SYSTEM_NAME}</strong></p>
<p id="practice-notice" role="note">{NOTICE}</p>
{signed_in}
</header>
<main>
<h1>{html.escape(title)}</h1>
{body}
</main>
</body>
</html>
"""
        return _Response(status, page.encode(), [("Content-Type", "text/html; charset=utf-8")])


@functools.lru_cache(maxsize=8)
def _cached_workbook(
    month: str,
    units: int,
    employees_per_unit: int,
    seed: int,
    mail_domain: str,
    selection: Selection,
) -> bytes:
    """A large month's workbook takes a second to write: a robot downloading it again (or a
    benchmark's many robots) gets the same bytes."""
    data = generate_month(month, units, employees_per_unit, seed, mail_domain)
    return workbook(data, selection)


class _BadRequest(Exception):
    pass


MAX_FORM_BYTES = 10_000


def _form(environ: Environ) -> dict[str, str]:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise _BadRequest("Virheellinen pyyntö.") from None
    if length > MAX_FORM_BYTES:
        raise _BadRequest("Lomake on liian suuri.")
    raw = environ["wsgi.input"].read(length).decode("utf-8", "replace")
    return dict(urllib.parse.parse_qsl(raw, keep_blank_values=True))


def _query(environ: Environ) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))


def _cookie(environ: Environ) -> str:
    cookies: SimpleCookie = SimpleCookie()
    try:
        cookies.load(environ.get("HTTP_COOKIE", ""))
    except Exception:  # a malformed Cookie header is as good as none
        return ""
    morsel = cookies.get(COOKIE)
    return morsel.value if morsel is not None else ""


def _redirect(location: str, headers: list[tuple[str, str]] | None = None) -> _Response:
    return _Response("303 See Other", b"", [("Location", location), *(headers or [])])


def _option(value: str, label: str, selected: str) -> str:
    mark = " selected" if value == selected else ""
    return f'<option value="{html.escape(value)}"{mark}>{html.escape(label)}</option>'


def _form_error(text: str) -> str:
    return f'<p id="form-error" role="alert">{html.escape(text)}</p>'


class PracticeServer:
    """The practice system on a background thread (waitress); port 0 picks a free port."""

    def __init__(
        self, options: PracticeOptions | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.app = PracticeApp(options or PracticeOptions())
        self.host = host
        self.port = port
        self.url = ""
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def options(self) -> PracticeOptions:
        return self.app.options

    @options.setter
    def options(self, value: PracticeOptions) -> None:
        self.app.options = value

    @property
    def login_attempts(self) -> dict[str, int]:
        with self.app.lock:
            return dict(self.app.login_attempts)

    @property
    def requests(self) -> int:
        with self.app.lock:
            return self.app.requests

    def start(self) -> None:
        """Listen, then serve on a daemon thread; returns once the socket is bound."""
        server = create_server(self.app, host=self.host, port=self.port, threads=4)
        self._server = server
        port = int(server.effective_port)  # type: ignore[union-attr]
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.port = port
        self.url = f"http://{host}:{port}/"
        self._thread = threading.Thread(target=server.run, name="practice-system", daemon=True)
        self._thread.start()

    def __enter__(self) -> PracticeServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Close the listening socket and every open connection; the loop then ends."""
        if self._server is not None:
            server = self._server
            server.task_dispatcher.shutdown()
            # Closed on the loop's own thread, woken by its trigger: no wait for a poll timeout.
            server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


def serve(
    options: PracticeOptions,
    host: str,
    port: int,
    ready: Callable[[PracticeServer], None] | None = None,
) -> None:
    """Serve until SIGINT or SIGTERM (blocking, for the command); `ready` is called once the
    server listens."""
    stop = threading.Event()

    def request_stop(signum: int, frame: Any) -> None:
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
    server = PracticeServer(options, host, port)
    server.start()
    try:
        if ready is not None:
            ready(server)
        stop.wait()
    finally:
        server.stop()
