"""A tiny web system on loopback for the browser robots' tests: a few HTML pages served by
http.server in a thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGES = {
    "/form.html": (
        "<!doctype html><html lang='fi'><head><meta charset='utf-8'><title>Hakemukset</title>"
        "</head><body><h1>Hakemukset</h1><label for='month'>Kuukausi</label>"
        "<input id='month' name='month'><button id='search'>Hae</button>"
        "<p id='result'></p><script>document.getElementById('search').onclick = () => {"
        "document.getElementById('result').textContent = 'Löytyi 3 hakemusta kuukaudelle ' + "
        "document.getElementById('month').value; };</script></body></html>"
    ),
    "/changed.html": (
        "<!doctype html><html lang='fi'><head><meta charset='utf-8'><title>Uusi ilme</title>"
        "</head><body><h1>Tervetuloa uudistettuun palveluun</h1></body></html>"
    ),
    "/no-data.html": (
        "<!doctype html><html lang='fi'><head><meta charset='utf-8'><title>Hakemukset</title>"
        "</head><body><h1>Hakemukset</h1><p class='notice'>Kuukaudelle ei ole tietoja.</p>"
        "</body></html>"
    ),
    "/closed.html": (
        "<!doctype html><html lang='fi'><head><meta charset='utf-8'><title>Hakemukset</title>"
        "</head><body><h1>Hakemukset</h1><p class='service-closed'>Palvelu on suljettu "
        "huoltokatkon ajan.</p></body></html>"
    ),
}


class _Pages(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = PAGES.get(self.path.split("?")[0])
        if body is None:
            self.send_error(404)
            return
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serving() -> Iterator[str]:
    """The pages' base URL, e.g. http://127.0.0.1:PORT."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
