"""`phieu review`: a small local web app for the coordinator (Flask).

Bound to 127.0.0.1 unless asked otherwise. It answers only requests whose
Host is the address it listens on (a web page that rebinds its own name to
127.0.0.1 gets 400 and no data); bound beyond this computer it asks for an
access token, given once in the URL and then kept in an HttpOnly,
SameSite=Lax cookie. Every state change is a POST carrying the page's
CSRF token; pictures come from the store by number, never from a path in the
request; errors answer with a short message, never a stack trace.
"""

from __future__ import annotations

import logging
import queue
import re
import secrets
import socket
import sys
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from flask import Flask, Response, g, jsonify, redirect, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.serving import make_server

from phieu.forms.fonts import BOLD, REGULAR, font_path
from phieu.omr.vocabulary import WORDS, Code, Reason, for_script

from ..campaign import open_campaign
from ..store import Store, StoreError
from ..store.pages import page_picture, text_picture
from .comments import (
    comment_detail,
    next_comment,
    progress,
    save_comment,
    themes,
    undo_comment,
)
from .decisions import decide
from .items import Item
from .queue import claim, counts, filtered, next_item
from .queue import queue as all_items
from .shared import READ_ONLY, Reviewer, ReviewError
from .shown import detail
from .words import explain

SESSION_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
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


def _same(given: str, wanted: str) -> bool:
    """Whether a token given is the one wanted, in constant time, whatever its characters
    (a token typed with diacritics, a cookie a browser garbled)."""
    return secrets.compare_digest(given.encode("utf-8", "surrogateescape"),
                                  wanted.encode("utf-8", "surrogateescape"))


def is_loopback(host: str) -> bool:
    return host in LOOPBACK


def _names(host: str) -> frozenset[str] | None:
    """Host names a request may carry for a server bound to `host`; None: any (a wildcard
    bind is reached by addresses it cannot know, and always sits behind the token)."""
    if is_loopback(host):
        return frozenset(LOOPBACK)
    if host in WILDCARD:
        return None
    return frozenset({host.strip("[]").lower()})


def create_app(campaign_dir: Path, host: str = "127.0.0.1",
               access: str | None = None) -> Flask:
    """The review app for a server bound to `host`; `access`: the token asked of every
    request (required when `host` is not loopback). `serve` sets PHIEU_PORT once bound,
    so the Host's port is checked too."""
    if access is None and not is_loopback(host):
        raise ValueError("a review page bound beyond loopback needs an access token")
    c = open_campaign(campaign_dir)
    layout, template = c.layout, c.geometry.template
    stores = StorePool(c.store)
    here = Path(__file__).parent
    app = Flask(__name__, template_folder=str(here / "templates"),
                static_folder=str(here / "static"), static_url_path="/static")
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    token = secrets.token_urlsafe(32)
    text_ids = {t.id for t in template.text_boxes}

    def store() -> Store:
        if "store" not in g:
            g.store = stores.take()
        return g.store

    @app.teardown_request
    def _give_back(_exc: BaseException | None) -> None:
        s = g.pop("store", None)
        if s is not None and _exc is None:
            stores.give_back(s)
        elif s is not None:  # it may have lost its server: the next request opens another
            s.close()

    names = _names(host)

    @app.before_request
    def _guard():
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
                                       "sổ lệnh khi chạy phieu review.")
        if request.method == "POST" and request.headers.get("X-CSRF-Token") != token:
            raise ReviewError(403, "Thiếu mã bảo vệ (CSRF); tải lại trang.")
        return None

    def who() -> Reviewer:
        name = unquote(request.headers.get("X-Reviewer", "")).strip()
        session = request.headers.get("X-Session", "")
        if not name or len(name) > 60:
            raise ReviewError(400, "Nhập tên người duyệt (tối đa 60 ký tự).")
        if not SESSION_RE.match(session):
            raise ReviewError(400, "Phiên làm việc không hợp lệ; tải lại trang.")
        return Reviewer(name, session)

    def body() -> dict:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise ReviewError(400, "Yêu cầu phải là một đối tượng JSON.")
        for key, value in data.items():
            if not isinstance(value, str) or len(value) > 4000:
                raise ReviewError(400, f"Trường {key!r} phải là chuỗi ngắn.")
        return data

    def state(item: Item | None, unit: str = "", reason: str = "") -> dict:
        items = filtered(all_items(store().db, reason), unit, reason)
        shown = detail(store(), template, layout, item) if item else None
        if shown:
            shown["reasons_vi"] = [explain(Reason.parse(f), template) for f in shown["flags"]]
        return {"item": shown, "counts": counts(items),
                "all": counts(all_items(store().db))}

    @app.errorhandler(ReviewError)
    def _review_error(e: ReviewError):
        return jsonify(error=e.message), e.status

    @app.errorhandler(StoreError)
    def _store_error(e: StoreError):
        print(f"phieu review: {e}", file=sys.stderr)
        if store().read_only:
            return jsonify(error=READ_ONLY), 503
        return jsonify(error="Không ghi được vào dữ liệu của đợt khảo sát (ổ đĩa đầy, hoặc "
                             "mất kết nối tới máy chủ); những gì đã ghi vẫn còn. Xem thông báo "
                             "trong cửa sổ lệnh."), 503

    @app.errorhandler(HTTPException)
    def _http_error(e: HTTPException):
        return jsonify(error=f"{e.code}: {e.name}"), e.code

    @app.errorhandler(Exception)
    def _crash(e: Exception):
        print(f"phieu review: {type(e).__name__}: {e}", file=sys.stderr)
        return jsonify(error="Lỗi máy chủ; xem thông báo trong cửa sổ lệnh."), 500

    @app.get("/")
    def index() -> str:
        units = [(u.code, u.name) for u in layout.units]
        return render_template("index.html", token=token, title=layout.title,
                               campaign=campaign_dir.name, units=units,
                               reasons={c.value: w.vi for c, w in WORDS.items()
                                        if c != Code.OTHER}, vocabulary=for_script())

    fonts = {"regular": font_path(REGULAR), "bold": font_path(BOLD)}

    @app.get("/font/<name>.ttf")
    def font(name: str) -> Response:
        """The form's own Vietnamese font, so the page needs none installed."""
        if name not in fonts:
            raise ReviewError(404, "Không có phông chữ này.")
        return Response(fonts[name].read_bytes(), mimetype="font/ttf",
                        headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/favicon.ico")
    def favicon() -> Response:
        return Response(status=204)

    @app.get("/api/queue")
    def api_queue():
        unit, reason = request.args.get("unit", ""), request.args.get("reason", "")
        items = filtered(all_items(store().db, reason), unit, reason)
        return jsonify(counts=counts(items), items=items[:1000])

    @app.post("/api/next")
    def api_next():
        data, person = body(), who()
        unit, reason = data.get("unit", ""), data.get("reason", "")
        item = next_item(store(), person, _item_or_none(data.get("after", "")), unit, reason)
        return jsonify(state(item, unit, reason))

    @app.post("/api/open")
    def api_open():
        data, person = body(), who()
        item = Item.parse(data.get("item", ""))
        detail(store(), template, layout, item)  # exists?
        claim(store(), item, person)
        return jsonify(state(item, data.get("unit", ""), data.get("reason", "")))

    @app.post("/api/decide")
    def api_decide():
        data, person = body(), who()
        item = decide(store(), template, layout, Item.parse(data.get("item", "")), person,
                      data.get("action", ""), data.get("question", ""), data.get("value", ""))
        return jsonify(state(item, data.get("unit", ""), data.get("reason", "")))

    @app.get("/comments")
    def comments_page() -> str:
        """The transcription queue: every comment box with ink, typed once."""
        return render_template("comments.html", token=token, title=layout.title,
                               campaign=campaign_dir.name, themes=themes(layout))

    def comment_state(item: Item | None) -> dict:
        shown = comment_detail(store(), template, layout, item) if item else None
        return {"item": shown, "progress": progress(store())}

    @app.post("/api/comments/next")
    def api_comment_next():
        data, person = body(), who()
        return jsonify(comment_state(next_comment(store(), person,
                                                  _item_or_none(data.get("after", "")))))

    @app.post("/api/comments/open")
    def api_comment_open():
        data, person = body(), who()
        item = Item.parse(data.get("item", ""))
        comment_detail(store(), template, layout, item)  # exists?
        claim(store(), item, person)
        return jsonify(comment_state(item))

    @app.post("/api/comments/save")
    def api_comment_save():
        data, person = body(), who()
        item = Item.parse(data.get("item", ""))
        save_comment(store(), template, layout, item, person, data.get("state", ""),
                     data.get("text", ""), data.get("themes", ""))
        return jsonify(comment_state(next_comment(store(), person, item)))

    @app.post("/api/comments/undo")
    def api_comment_undo():
        data, person = body(), who()
        item = Item.parse(data.get("item", ""))
        undo_comment(store(), template, item, person)
        return jsonify(comment_state(item))

    @app.get("/img/page/<int:page_id>.jpg")
    def page_image(page_id: int) -> Response:
        jpeg = page_picture(store(), page_id)
        if jpeg is None:
            raise ReviewError(404, "Không có ảnh cho trang này.")
        return Response(jpeg, mimetype="image/jpeg",
                        headers={"Cache-Control": "private, max-age=3600"})

    @app.get("/img/text/<int:page_id>/<box_id>.png")
    def text_image(page_id: int, box_id: str) -> Response:
        if box_id not in text_ids:
            raise ReviewError(404, "Không có ô ý kiến này.")
        png = text_picture(store(), page_id, box_id)
        if png is None:
            raise ReviewError(404, "Không có ảnh ý kiến cho trang này.")
        return Response(png, mimetype="image/png")

    @app.after_request
    def _headers(resp: Response) -> Response:
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
            "font-src 'self'")
        resp.headers["Referrer-Policy"] = "no-referrer"
        return resp

    return app


def _item_or_none(text: str) -> Item | None:
    """The item a request names, or none when it names none (the first of a queue)."""
    return Item.parse(text) if text else None


def _address_for_others() -> str:
    """This computer's address on its network, for the URL a second laptop opens (no packet
    is sent: a UDP socket only picks the outgoing interface)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere real
            return probe.getsockname()[0]
        except OSError:
            return socket.gethostname()


def start(campaign_dir: Path, host: str = "127.0.0.1", port: int = 8765,
          access: str | None = None, page: str = ""):
    """The server, bound and ready to serve, and the address to open (with the access
    token in it when the page is shared beyond this computer)."""
    if access is None and not is_loopback(host):
        access = secrets.token_urlsafe(16)
    app = create_app(campaign_dir, host, access)
    server = make_server(host, port, app, threaded=True)
    app.config["PHIEU_PORT"] = server.server_port
    shown = _address_for_others() if host in WILDCARD else host
    shown = f"[{shown}]" if ":" in shown else shown
    return server, f"http://{shown}:{server.server_port}/{page}" + (
        f"?token={quote(access, safe='')}" if access else "")


def serve(campaign_dir: Path, host: str = "127.0.0.1", port: int = 8765,
          ready=None, access: str | None = None, page: str = "") -> None:
    """Serve until Ctrl-C; `ready(url)` is called once the port is open, with the address
    of `page` ("": the flagged items; "comments": the transcription queue)."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server, url = start(campaign_dir, host, port, access, page)
    if ready:
        ready(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
