"""What every page phieu serves on the office's network shares (the review page, the
phones' capture page): who may ask, the headers every answer carries, errors without a
stack trace, and binding with the address to give out.

Bound to 127.0.0.1 unless asked otherwise. A page answers only requests whose Host is
the address it listens on (a web page that rebinds its own name to 127.0.0.1 gets 400 and
no data); bound beyond this computer it asks for an access token, given once in the URL
and then kept in an HttpOnly, SameSite=Lax cookie. Every state change is a POST carrying
the page's CSRF token.
"""

from __future__ import annotations

import logging
import queue
import secrets
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlsplit

from flask import Flask, Response, current_app, g, jsonify, redirect, request
from werkzeug.exceptions import HTTPException
from werkzeug.serving import make_server

from phieu.forms.fonts import BOLD, REGULAR, font_path

from .review.shared import ReviewError
from .store import Store

LOOPBACK = ("127.0.0.1", "localhost", "::1")
WILDCARD = ("0.0.0.0", "::", "")
ACCESS_COOKIE = "phieu_access"


class StorePool:
    """Connections to the campaign's store kept between requests (each request runs in a
    thread of its own; a connection to a server costs more than the request itself)."""

    def __init__(self, first: Store, keep: int = 4) -> None:
        self.idle: queue.SimpleQueue[Store] = queue.SimpleQueue()
        self.idle.put(first)
        self.first, self.keep = first, keep

    def take(self) -> Store:
        try:
            return self.idle.get_nowait()
        except queue.Empty:
            return self.first.reopen()

    def give_back(self, store: Store) -> None:
        if self.idle.qsize() < self.keep:
            self.idle.put(store)
        else:
            store.close()


def store() -> Store:
    """The request's store connection (taken from the pool of the app's extension, given
    back after the request)."""
    if "store" not in g:
        g.store = current_app.extensions["phieu"].stores.take()
    return g.store


def give_back(failed: bool) -> None:
    s = g.pop("store", None)
    if s is not None and not failed:
        current_app.extensions["phieu"].stores.give_back(s)
    elif s is not None:  # it may have lost its server: the next request opens another
        s.close()


def _same(given: str, wanted: str) -> bool:
    """Whether a token given is the one wanted, in constant time, whatever its characters
    (a token typed with diacritics, a cookie a browser garbled)."""
    return secrets.compare_digest(given.encode("utf-8", "surrogateescape"),
                                  wanted.encode("utf-8", "surrogateescape"))


def is_loopback(host: str) -> bool:
    return host in LOOPBACK


def host_names(host: str) -> frozenset[str] | None:
    """Host names a request may carry for a server bound to `host`; None: any (a wildcard
    bind is reached by addresses it cannot know, and always sits behind the token)."""
    if is_loopback(host):
        return frozenset(LOOPBACK)
    if host in WILDCARD:
        return None
    return frozenset({host.strip("[]").lower()})


def guard(app: Flask, names: frozenset[str] | None, access: str | None, csrf: str,
          command: str):
    """Every request: to this server's own address, with the access token when asked for,
    and a change only with the page's CSRF token. `command`: the command that printed
    the address, named in the message when the token is missing."""
    try:
        asked = urlsplit("//" + request.host)
        name, port = asked.hostname or "", asked.port or 80
    except ValueError:
        name, port = "", 0
    want_port = app.config.get("PHIEU_PORT")
    if (names is not None and name not in names) or (want_port and port != want_port):
        raise ReviewError(400, "Địa chỉ không đúng (Host); mở trang bằng địa chỉ in trong "
                               "cửa sổ lệnh.")
    if access is not None:
        given = request.args.get("token")
        if given is not None and _same(given, access):
            resp = redirect(request.path, code=303)  # the token leaves the address bar
            # Lax, not Strict: the link is often opened from another site's page (a chat,
            # a mail), and the redirect it starts is a visit from there; every change is
            # a POST that carries the page's CSRF token anyway
            resp.set_cookie(ACCESS_COOKIE, access, httponly=True, samesite="Lax")
            return resp
        if not _same(request.cookies.get(ACCESS_COOKIE, ""), access):
            raise ReviewError(401, "Cần mã truy cập: mở đường dẫn có ?token=… in trong cửa "
                                   f"sổ lệnh khi chạy {command}.")
    if request.method == "POST" and request.headers.get("X-CSRF-Token") != csrf:
        raise ReviewError(403, "Thiếu mã bảo vệ (CSRF); tải lại trang.")
    return None


def guarded(app: Flask, host: str, access: str | None, csrf: str, command: str) -> None:
    """The guard, the headers and the error answers, on every request of `app`; and the
    font its pages are set in."""
    if access is None and not is_loopback(host):
        raise ValueError("a page bound beyond loopback needs an access token")
    names = host_names(host)
    app.before_request(lambda: guard(app, names, access, csrf, command))
    app.after_request(_headers)
    app.register_error_handler(ReviewError, _refused)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, lambda e: _crash(e, command))
    app.add_url_rule("/font/<name>.ttf", "font", _font)


FONTS = {"regular": font_path(REGULAR), "bold": font_path(BOLD)}


def _font(name: str) -> Response:
    """The form's own Vietnamese font, so a page needs none installed."""
    if name not in FONTS:
        raise ReviewError(404, "Không có phông chữ này.")
    return Response(FONTS[name].read_bytes(), mimetype="font/ttf",
                    headers={"Cache-Control": "public, max-age=86400"})


def _refused(e: ReviewError):
    return jsonify(error=e.message), e.status


def _http_error(e: HTTPException):
    return jsonify(error=f"{e.code}: {e.name}"), e.code


def _crash(e: Exception, command: str):
    print(f"{command}: {type(e).__name__}: {e}", file=sys.stderr)
    return jsonify(error="Lỗi máy chủ; xem thông báo trong cửa sổ lệnh."), 500


def _headers(resp: Response) -> Response:
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["X-Frame-Options"] = "DENY"
    resp.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' blob:; style-src 'self'; script-src 'self'; "
        "font-src 'self'")
    resp.headers["Referrer-Policy"] = "no-referrer"
    return resp


def _address_for_others() -> str:
    """This computer's address on its network, for the URL a second device opens (no packet
    is sent: a UDP socket only picks the outgoing interface)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere real
            return probe.getsockname()[0]
        except OSError:
            return socket.gethostname()


AppMaker = Callable[[Path, str, "str | None"], Flask]


def start(make: AppMaker, campaign_dir: Path, host: str = "127.0.0.1", port: int = 8765,
          access: str | None = None, page: str = ""):
    """The server of the app `make` makes, bound and ready to serve, and the address to
    open (with the access token in it when the page is shared beyond this computer)."""
    if access is None and not is_loopback(host):
        access = secrets.token_urlsafe(16)
    app = make(campaign_dir, host, access)
    server = make_server(host, port, app, threaded=True)
    app.config["PHIEU_PORT"] = server.server_port
    shown = _address_for_others() if host in WILDCARD else host
    shown = f"[{shown}]" if ":" in shown else shown
    return server, f"http://{shown}:{server.server_port}/{page}" + (
        f"?token={quote(access, safe='')}" if access else "")


def serve(make: AppMaker, campaign_dir: Path, host: str = "127.0.0.1", port: int = 8765,
          ready=None, access: str | None = None, page: str = "") -> None:
    """Serve until Ctrl-C; `ready(url)` is called once the port is open, with the address
    of `page`."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server, url = start(make, campaign_dir, host, port, access, page)
    if ready:
        ready(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
