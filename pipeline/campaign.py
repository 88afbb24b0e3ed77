"""A campaign folder: a frozen copy of its layout, its template and its store.

    CAMPAIGN/
      layout.yaml       the layout as it was when the campaign was made
      template.json     the geometry every printed sheet follows
      campaign.sqlite   the store (printed serials, later the scans)
      prints/run-001/   what each `phieu print` wrote, unless --out said otherwise

A campaign shared by several stations keeps its store in PostgreSQL: the folder
then holds `store.url` (the address, never a password, and the campaign's name
in that database) instead of the SQLite file, and the layout, template and plan
live in the database too; each station's folder gets them from there when the
campaign is opened.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from phieu.forms import FormGeometry, Layout, LayoutError, build_geometry, load_layout
from phieu.forms.identity import new_campaign_code
from phieu.forms.layout import frozen_text
from phieu.forms.render import print_pictures
from phieu.forms.template import Template
from phieu.forms.units import plain

from .errors import PhieuError
from .store import Store, StoreError, open_store
from .store.files import get_files, put_file

LAYOUT_FILE = "layout.yaml"
TEMPLATE_FILE = "template.json"
STORE_FILE = "campaign.sqlite"
STORE_URL = "store.url"  # a campaign whose store is in PostgreSQL: its address
PLAN_FILE = "plan.csv"  # the plan the campaign was printed for; the report reads it
SHARED = (LAYOUT_FILE, TEMPLATE_FILE, PLAN_FILE)  # kept in a server's store too
CODE_KEY = "campaign_code"


@dataclass
class Campaign:
    root: Path
    layout: Layout
    store: Store

    @property
    def template_path(self) -> Path:
        return self.root / TEMPLATE_FILE

    @cached_property
    def geometry(self) -> FormGeometry:
        return build_geometry(self.layout)

    @cached_property
    def published_template(self) -> Template:
        return published(self.geometry)

    def template(self) -> Template:
        """The geometry sheets were printed with, and where the print is from the frozen
        layout, which draws the same page (a campaign made before the print was published
        gets it too)."""
        stored = Template.read(self.template_path)
        current = self.geometry.template
        if stored.questions != current.questions or stored.markers != current.markers:
            return stored  # printed by another version of the geometry: keep what it says
        # the picture published with the campaign is of the sheets printed; drawn only when
        # the campaign has none (half a second, before any page is read)
        picture = stored.print_picture or self.published_template.print_picture
        return replace(stored, printed=current.printed, printed_light=current.printed_light,
                       print_picture=picture)

    @property
    def code(self) -> str:
        """The short code every form printed for this campaign carries beside its number, so
        that a form of another campaign of the same layout is told apart; drawn the first
        time it is needed (a campaign made by an earlier release has none until it prints
        again)."""
        return self.store.get_meta(CODE_KEY) or self.store.first_meta(CODE_KEY,
                                                                      new_campaign_code())

    @property
    def plan_path(self) -> Path | None:
        path = self.root / PLAN_FILE
        return path if path.is_file() else None

    def keep_plan(self, plan: Path) -> None:
        """Remember the campaign's plan; the report compares what came back against it."""
        if plan.resolve() != (self.root / PLAN_FILE).resolve():
            shutil.copyfile(plan, self.root / PLAN_FILE)
        self.share(PLAN_FILE)

    @property
    def shared(self) -> bool:
        """The store is on a server, shared by stations."""
        return self.store.dialect != "sqlite"

    def share(self, name: str) -> None:
        """Put one of the campaign's files where the other stations find it."""
        if self.shared:
            put_file(self.store, name, (self.root / name).read_bytes())

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Campaign:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_layout(path: Path) -> Layout:
    try:
        return load_layout(path)
    except LayoutError as e:
        raise PhieuError(str(e)) from e


def published(geometry: FormGeometry) -> Template:
    """The template as `template.json` publishes it: the geometry and a picture of the
    print, drawn here rather than with every geometry (most commands never need it)."""
    return replace(geometry.template, print_picture=print_pictures(geometry))


def _fresh_folder(root: Path) -> None:
    if (root / STORE_FILE).exists() or (root / STORE_URL).exists():
        raise PhieuError(f"{root}: already a campaign; choose another folder name")
    if root.exists() and any(root.iterdir()):
        raise PhieuError(f"{root}: folder exists and is not empty; choose a new folder")
    root.mkdir(parents=True, exist_ok=True)


def _store(where: str | Path, name: str | None = None, create: bool = False) -> Store:
    try:
        return open_store(where, name, create)
    except StoreError as e:
        raise PhieuError(str(e)) from e


def campaign_name(text: str) -> str:
    """A campaign's name in a database: `Hà Tĩnh 2026` → `ha_tinh_2026`."""
    name = re.sub(r"[^a-z0-9]+", "_", plain(text)).strip("_")[:50]
    if not name or name.startswith("pg_") or name == "information_schema":
        raise PhieuError(f"{text!r} cannot name a campaign in a database; "
                         "give --campaign NAME (letters, digits, _)")
    return name


def read_address(root: Path) -> tuple[str, str | None]:
    """The server address a station's folder keeps, and the campaign's name there."""
    url, *rest = (root / STORE_URL).read_text(encoding="utf-8").split()
    name = rest[1] if rest[:1] == ["campaign"] and len(rest) > 1 else None
    return url, name


def write_address(root: Path, url: str, name: str | None) -> None:
    (root / STORE_URL).write_text(url + "\n" + (f"campaign {name}\n" if name else ""),
                                  encoding="utf-8")


def new_campaign(root: Path, layout_path: Path, store_url: str | None = None,
                 name: str | None = None) -> Campaign:
    """Make a campaign folder with its store and a frozen copy of the layout; with
    `store_url`, the store is the campaign `name` (by default the folder's name) in that
    PostgreSQL database, which must not hold it yet."""
    layout = read_layout(layout_path)
    if store_url:
        name = campaign_name(name or root.resolve().name)
    _fresh_folder(root)
    if store_url:
        store = _store(store_url, name, create=True)
        if store.get_meta("layout_id"):
            store.close()
            root.rmdir()
            raise PhieuError(f"{store_url}: already holds the campaign {name!r}; to scan into "
                             f"it from this station: phieu join {root} --store {store_url} "
                             f"--campaign {name}")
        write_address(root, store_url, name)
    else:
        store = _store(root / STORE_FILE)
    (root / LAYOUT_FILE).write_text(frozen_text(layout_path), encoding="utf-8")
    published(build_geometry(layout)).write(root / TEMPLATE_FILE)
    digest = hashlib.sha256((root / LAYOUT_FILE).read_bytes()).hexdigest()
    store.set_meta(layout_id=layout.id, layout_version=str(layout.version),
                   layout_sha256=digest, layout_source=str(layout_path))
    store.first_meta(CODE_KEY, new_campaign_code())
    campaign = Campaign(root, layout, store)
    for name_ in (LAYOUT_FILE, TEMPLATE_FILE):
        campaign.share(name_)
    return campaign


def held_campaign(store_url: str, name: str | None) -> str:
    """The campaign a station joins: the one named, or the database's only one."""
    if name:
        return campaign_name(name)
    from .store.postgres import list_campaigns  # psycopg only where a server is used

    try:
        held = list_campaigns(store_url)
    except StoreError as e:
        raise PhieuError(str(e)) from e
    if len(held) == 1:
        return held[0]
    if not held:
        raise PhieuError(f"{store_url}: holds no campaign yet; make one with: "
                         "phieu new CAMPAIGN --layout LAYOUT.yaml --store " + store_url)
    raise PhieuError(f"{store_url}: holds {len(held)} campaigns ({', '.join(held)}); "
                     "say which with --campaign NAME")


def join_campaign(root: Path, store_url: str, name: str | None = None) -> Campaign:
    """A station's folder for a campaign that already lives in a PostgreSQL database."""
    name = held_campaign(store_url, name)
    _fresh_folder(root)
    try:
        store = _store(store_url, name)
    except PhieuError:
        root.rmdir()
        raise
    held = store.get_meta("layout_id")
    store.close()
    if not held:
        root.rmdir()
        raise PhieuError(f"{store_url}: the campaign {name!r} is not made yet; make it with: "
                         f"phieu new {root} --layout LAYOUT.yaml --store {store_url} "
                         f"--campaign {name}")
    write_address(root, store_url, name)
    return open_campaign(root)


def open_campaign(root: Path) -> Campaign:
    if (root / STORE_URL).is_file():
        store = _store(*read_address(root))
        for name, content in get_files(store).items():  # what the other stations published
            if name in SHARED and (not (root / name).is_file()
                                   or (root / name).read_bytes() != content):
                (root / name).write_bytes(content)
    elif (root / STORE_FILE).is_file():
        store = None
    else:
        raise PhieuError(f"{root}: not a phieu campaign (no {STORE_FILE}); "
                         f"make one with: phieu new {root} --layout LAYOUT.yaml")
    try:
        layout = read_layout(root / LAYOUT_FILE)
    except PhieuError:
        if store is not None:
            store.close()
        raise
    return Campaign(root, layout, store or _store(root / STORE_FILE))


def check_template(campaign: Campaign) -> None:
    """Refuse to print sheets whose geometry differs from sheets already printed."""
    current = campaign.published_template.to_dict()
    path = campaign.template_path
    stored = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    if stored == current:
        return
    # where the print is was published later than where the bubbles are; it moves nothing
    same = stored is not None and _placed(stored) == _placed(current)
    if stored is not None and not same and campaign.store.printed_count():
        raise PhieuError(
            f"{path}: the form's geometry has changed since sheets were printed (another phieu "
            "version?); print with the version that made the campaign, or start a new campaign")
    campaign.published_template.write(path)
    campaign.share(TEMPLATE_FILE)


def _placed(template: dict) -> dict:
    return {k: v for k, v in template.items()
            if k not in ("printed", "printed_light", "print_picture")}


BEFORE_COPY = {STORE_FILE: "campaign-before-copy.sqlite", STORE_URL: "store-before-copy.url"}


def copy_store_to(root: Path, to: str, name: str | None = None,
                  progress=None) -> tuple[str, dict[str, int]]:
    """Copy the campaign's store to a PostgreSQL database (`to` an address; the campaign
    `name` there, by default the folder's) or back into a SQLite file (`to` = "sqlite"),
    check the copy, and point the folder at it; the store it left is kept (a SQLite file
    renamed, a server's campaign untouched, other stations may still use it).
    Returns where the campaign now is and the rows copied per table."""
    from .store.copy import copy_store

    left = STORE_URL if (root / STORE_URL).is_file() else STORE_FILE  # what it opens
    if to != "sqlite" and left == STORE_FILE and (root / BEFORE_COPY[STORE_FILE]).exists():
        raise PhieuError(f"{root / BEFORE_COPY[STORE_FILE]}: left by an earlier copy; "
                         "move it away first")
    with open_campaign(root) as campaign:
        if to == "sqlite":
            if not campaign.shared:
                raise PhieuError(f"{root}: its store is already a SQLite file")
            if (root / STORE_FILE).exists():
                raise PhieuError(f"{root / STORE_FILE}: already there; move it away first")
            part = root / (STORE_FILE + ".part")
            part.unlink(missing_ok=True)
            target, where = _store(part), str(root / STORE_FILE)
        else:
            name = campaign_name(name or root.resolve().name)
            target, where = _store(to, name, create=True), f"{to} (campaign {name})"
        try:
            counts = copy_store(campaign.store, target, progress)
            if to != "sqlite":
                for file in SHARED:
                    if (root / file).is_file():
                        put_file(target, file, (root / file).read_bytes())
        except StoreError as e:
            raise PhieuError(str(e)) from e
        finally:
            target.close()
    if to == "sqlite":
        (root / STORE_URL).rename(root / BEFORE_COPY[STORE_URL])
        (root / (STORE_FILE + ".part")).rename(root / STORE_FILE)
    else:
        if left == STORE_FILE:
            kept = BEFORE_COPY[STORE_FILE]
            for suffix in ("-wal", "-shm", ""):  # what SQLite left beside it, if anything
                if (root / (STORE_FILE + suffix)).exists():
                    (root / (STORE_FILE + suffix)).rename(root / (kept + suffix))
        write_address(root, to, name)
    return where, counts
