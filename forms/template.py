"""The published geometry of a form: what `template.json` holds.

Points (1/72 inch) from the top-left corner of the page, y growing
downwards. The printer draws from these values and the reader reads by
them; nothing else holds a coordinate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TEMPLATE_FORMAT = 1
PICTURE_SAMPLES_PER_PT = 2.0
PICTURE_PAPER, PICTURE_LIGHT, PICTURE_DARK = 0, 1, 2


@dataclass(frozen=True)
class Box:
    x_pt: float
    y_pt: float
    w_pt: float
    h_pt: float

    def to_dict(self) -> dict[str, float]:
        return {"x_pt": self.x_pt, "y_pt": self.y_pt, "w_pt": self.w_pt, "h_pt": self.h_pt}

    def corners(self, grow: float = 0.0) -> list[tuple[float, float]]:
        """Top-left, top-right, bottom-right, bottom-left; grown by `grow` of its size."""
        mx, my = self.w_pt * grow, self.h_pt * grow
        x0, y0 = self.x_pt - mx, self.y_pt - my
        x1, y1 = self.x_pt + self.w_pt + mx, self.y_pt + self.h_pt + my
        return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Box:
        return cls(d["x_pt"], d["y_pt"], d["w_pt"], d["h_pt"])


@dataclass(frozen=True)
class Bubble:
    value: str
    label: str
    x_pt: float  # centre
    y_pt: float
    r_pt: float  # radius; half the side for a square box


@dataclass(frozen=True)
class QuestionGeometry:
    id: str
    page: int  # counting from 1
    kind: str  # single | multi
    text: str
    shape: str  # circle | square
    criterion: str | None
    box: Box  # the question's whole row, for a close-up
    options: tuple[Bubble, ...]
    inner_label: bool = False  # the option's value is printed, light, inside each bubble


@dataclass(frozen=True)
class TextBox:
    id: str
    page: int
    text: str
    box: Box


@dataclass(frozen=True)
class Marker:
    id: int
    corner: str  # tl | tr | br | bl
    box: Box  # the black square, border included


@dataclass(frozen=True)
class Identity:
    qr: Box
    text: Box  # the printed sheet id and page
    unit: Box  # the unit's name


@dataclass(frozen=True)
class Template:
    layout: str
    layout_version: int
    page_size_pt: tuple[float, float]
    pages: int
    marker_dictionary: str
    markers: tuple[Marker, ...]  # the same four on every page
    identity: Identity  # the same place on every page
    questions: tuple[QuestionGeometry, ...]
    text_boxes: tuple[TextBox, ...]
    criteria: tuple[dict[str, Any], ...]
    # per page, boxes around all printed matter (text, rules, bars): anything else the
    # scan shows near a bubble was added by a person
    printed: tuple[tuple[Box, ...], ...] = ()
    # per page, boxes around light rules (grey hairlines): a pen line on them still shows
    printed_light: tuple[tuple[Box, ...], ...] = ()
    # per page, a picture of the print at PICTURE_SAMPLES_PER_PT (PNG, base64): PICTURE_PAPER,
    # PICTURE_LIGHT (a tint, a grey hairline) or PICTURE_DARK per sample; a pen line across
    # printed words shows between the letters
    print_picture: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "layout": self.layout,
            "layout_version": self.layout_version,
            "template_format": TEMPLATE_FORMAT,
            "page_size_pt": list(self.page_size_pt),
            "pages": self.pages,
            "questions": [
                {
                    "id": q.id,
                    "page": q.page,
                    "kind": q.kind,
                    "text": q.text,
                    "shape": q.shape,
                    "criterion": q.criterion,
                    "box": q.box.to_dict(),
                    "inner_label": q.inner_label,
                    "options": [
                        {"value": o.value, "label": o.label,
                         "x_pt": o.x_pt, "y_pt": o.y_pt, "r_pt": o.r_pt}
                        for o in q.options
                    ],
                }
                for q in self.questions
            ],
            "text_boxes": [
                {"id": t.id, "page": t.page, "text": t.text, **t.box.to_dict()}
                for t in self.text_boxes
            ],
            "registration": {
                "kind": "aruco",
                "dictionary": self.marker_dictionary,
                "markers": [
                    {"id": m.id, "corner": m.corner, **m.box.to_dict()} for m in self.markers
                ],
            },
            "identity": {
                "qr": self.identity.qr.to_dict(),
                "text": self.identity.text.to_dict(),
                "unit": self.identity.unit.to_dict(),
            },
            "criteria": list(self.criteria),
            "printed": [[b.to_dict() for b in page] for page in self.printed],
            "printed_light": [[b.to_dict() for b in page] for page in self.printed_light],
            "print_picture": {"samples_per_pt": PICTURE_SAMPLES_PER_PT,
                              "pages": list(self.print_picture)},
        }

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n",
                        encoding="utf-8")

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Template:
        reg = d["registration"]
        ident = d["identity"]
        return cls(
            layout=d["layout"],
            layout_version=d["layout_version"],
            page_size_pt=tuple(d["page_size_pt"]),
            pages=d["pages"],
            marker_dictionary=reg["dictionary"],
            markers=tuple(Marker(m["id"], m["corner"], Box.from_dict(m)) for m in reg["markers"]),
            identity=Identity(Box.from_dict(ident["qr"]), Box.from_dict(ident["text"]),
                              Box.from_dict(ident["unit"])),
            questions=tuple(
                QuestionGeometry(
                    q["id"], q["page"], q["kind"], q.get("text", ""), q.get("shape", "circle"),
                    q.get("criterion"), Box.from_dict(q["box"]),
                    tuple(Bubble(o["value"], o.get("label", ""), o["x_pt"], o["y_pt"], o["r_pt"])
                          for o in q["options"]),
                    q.get("inner_label", False),
                )
                for q in d["questions"]
            ),
            text_boxes=tuple(TextBox(t["id"], t["page"], t.get("text", ""), Box.from_dict(t))
                             for t in d.get("text_boxes", [])),
            criteria=tuple(d.get("criteria", [])),
            printed=tuple(tuple(Box.from_dict(b) for b in page) for page in d.get("printed", [])),
            printed_light=tuple(tuple(Box.from_dict(b) for b in page)
                                for page in d.get("printed_light", [])),
            print_picture=_picture(d.get("print_picture")),
        )

    @classmethod
    def read(cls, path: Path) -> Template:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def _picture(d: dict[str, Any] | None) -> tuple[str, ...]:
    """The pages of a published print picture; none when drawn at another resolution."""
    if not d or d.get("samples_per_pt") != PICTURE_SAMPLES_PER_PT:
        return ()
    return tuple(d.get("pages", []))
