"""The page a phone opens to capture sheets (Flask), behind `served`'s guard.

The phone sends each photo already shrunk (JPEG, long side about 2,000 px) as the body
of one POST; nothing is stored until the whole photo has arrived, so an upload cut off
halfway stores nothing and the phone sends it again.
"""

from __future__ import annotations

import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    current_app,
    jsonify,
    render_template,
    request,
)

from phieu.omr.vocabulary import QUALITY_VI, VERDICT_VI

from .. import served
from ..campaign import open_campaign
from ..review.shared import ReviewError
from ..served import StorePool, give_back, store
from ..store import StoreError
from ..store.captures import capture_counts, pending_retakes
from ..store.sheets import status_counts
from .taking import PHONE_RE, PhotoError, Taken, Taking, keep, take

MAX_PHOTO = 24 * 1024 * 1024  # a phone's own photo, when its browser cannot shrink it
pages = Blueprint("capture", __name__)


@dataclass(frozen=True)
class CaptureSite:
    taking: Taking
    stores: StorePool
    token: str
    title: str


def _site() -> CaptureSite:
    return current_app.extensions["phieu"]


def create_app(campaign_dir: Path, host: str = "127.0.0.1",
               access: str | None = None) -> Flask:
    """The capture app for a server bound to `host` (`access`: the token beyond
    loopback)."""
    c = open_campaign(campaign_dir)
    here = Path(__file__).parent
    app = Flask(__name__, template_folder=str(here / "templates"),
                static_folder=str(here / "static"), static_url_path="/static")
    app.config["MAX_CONTENT_LENGTH"] = MAX_PHOTO
    token = secrets.token_urlsafe(32)
    taking = Taking(campaign_dir, c.template(), c.layout, c.code)
    app.extensions["phieu"] = CaptureSite(taking, StorePool(c.store), token, c.layout.title)
    served.guarded(app, host, access, token, "phieu capture")
    app.teardown_request(lambda exc: give_back(exc is not None))
    app.register_error_handler(StoreError, _store_error)
    app.register_error_handler(PhotoError, lambda e: (jsonify(error=str(e)), e.status))
    app.register_blueprint(pages)
    return app


def _store_error(e: StoreError):
    print(f"phieu capture: {e}", file=sys.stderr)
    return jsonify(error="Không ghi được vào dữ liệu của đợt khảo sát; ảnh chưa được tính. "
                         "Chụp lại sau ít phút, hoặc báo người quản lý."), 503


PHONE_HEADER = "X-Phone"


def _phone() -> str:
    phone = request.headers.get(PHONE_HEADER, "")
    if not PHONE_RE.fullmatch(phone):
        raise ReviewError(400, "Mã máy chụp không hợp lệ; tải lại trang.")
    return phone


@pages.get("/")
def index() -> str:
    s = _site()
    return render_template("capture.html", token=s.token, title=s.title,
                           campaign=s.taking.campaign_dir.name,
                           words={"verdicts": {v.value: w for v, w in VERDICT_VI.items()},
                                  "problems": {q.value: w for q, w in QUALITY_VI.items()}})


def _counts(phone: str) -> dict:
    db = store()
    mine, every = capture_counts(db, phone), capture_counts(db)
    sheets = status_counts(db)
    return {"phone": mine.__dict__, "all": every.__dict__,
            "sheets": {"ok": sheets.get("ok", 0), "flagged": sheets.get("flagged", 0)},
            "pending": [{"capture": c.capture_id, "sheet": c.sheet_id or "",
                         "problems": [p.value for p in c.problems]}
                        for c in pending_retakes(db, phone)]}


def _answer(t: Taken, phone: str):
    return jsonify(capture=t.capture_id, verdict=t.verdict.value,
                   words=VERDICT_VI[t.verdict], problems=[p.value for p in t.problems],
                   problems_vi=[QUALITY_VI[p] for p in t.problems], sheet=t.sheet_id or "",
                   unit=t.unit, answered=t.answered, doubts=list(t.doubts), again=t.again,
                   page=t.form_page or 0, pages=t.form_pages,
                   seconds=round(t.seconds, 3), counts=_counts(phone))


@pages.post("/api/photo")
def api_photo():
    phone = _phone()
    data = request.get_data(cache=False)  # the whole body, or an error: nothing half-stored
    if not data:
        raise ReviewError(400, "Không nhận được ảnh; chụp lại.")
    return _answer(take(_site().taking, store(), phone, data), phone)


@pages.post("/api/keep")
def api_keep():
    phone = _phone()
    body = request.get_json(silent=True) or {}
    capture = body.get("capture")
    if not isinstance(capture, int):
        raise ReviewError(400, "Thiếu số ảnh.")
    return _answer(keep(_site().taking, store(), capture), phone)


@pages.post("/api/counts")
def api_counts():
    return jsonify(_counts(_phone()))


def start(campaign_dir: Path, host: str = "127.0.0.1", port: int = 8766,
          access: str | None = None):
    return served.start(create_app, campaign_dir, host, port, access)


def serve(campaign_dir: Path, host: str = "127.0.0.1", port: int = 8766, ready=None,
          access: str | None = None) -> None:
    served.serve(create_app, campaign_dir, host, port, ready, access)

