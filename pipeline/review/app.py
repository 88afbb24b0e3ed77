"""`phieu review`: a small local web app for the coordinator (Flask).

Who may ask, and how errors are answered, is `served`'s: bound to 127.0.0.1 unless asked
otherwise, behind an access token beyond it, every change a POST with the page's CSRF
token. Pictures come from the store by number, never from a path in the request.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

from flask import Flask, jsonify

from .. import served
from ..campaign import open_campaign
from ..served import StorePool, give_back, is_loopback, store
from ..store import StoreError
from .routes import pages
from .shared import READ_ONLY
from .site import Site

__all__ = ["create_app", "is_loopback", "serve", "start"]


def create_app(campaign_dir: Path, host: str = "127.0.0.1",
               access: str | None = None) -> Flask:
    """The review app for a server bound to `host`; `access`: the token asked of every
    request (required when `host` is not loopback). `serve` sets PHIEU_PORT once bound,
    so the Host's port is checked too."""
    if access is None and not is_loopback(host):
        raise ValueError("a review page bound beyond loopback needs an access token")
    c = open_campaign(campaign_dir)
    here = Path(__file__).parent
    app = Flask(__name__, template_folder=str(here / "templates"),
                static_folder=str(here / "static"), static_url_path="/static")
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    token = secrets.token_urlsafe(32)
    app.extensions["phieu"] = Site(campaign_dir, c.layout, c.geometry.template,
                                   StorePool(c.store), token)
    served.guarded(app, host, access, token, "phieu review")
    app.teardown_request(lambda exc: give_back(exc is not None))
    app.register_error_handler(StoreError, _store_error)
    app.register_blueprint(pages)
    return app


def _store_error(e: StoreError):
    print(f"phieu review: {e}", file=sys.stderr)
    if store().read_only:
        return jsonify(error=READ_ONLY), 503
    return jsonify(error="Không ghi được vào dữ liệu của đợt khảo sát (ổ đĩa đầy, hoặc "
                         "mất kết nối tới máy chủ); những gì đã ghi vẫn còn. Xem thông báo "
                         "trong cửa sổ lệnh."), 503


def start(campaign_dir: Path, host: str = "127.0.0.1", port: int = 8765,
          access: str | None = None, page: str = ""):
    """The review server, bound and ready, and the address to open."""
    return served.start(create_app, campaign_dir, host, port, access, page)


def serve(campaign_dir: Path, host: str = "127.0.0.1", port: int = 8765,
          ready=None, access: str | None = None, page: str = "") -> None:
    """Serve until Ctrl-C; `ready(url)` is called once the port is open, with the address
    of `page` ("": the flagged items; "comments": the transcription queue)."""
    served.serve(create_app, campaign_dir, host, port, ready, access, page)
