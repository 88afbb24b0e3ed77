"""Survey layouts: YAML files validated into plain dataclasses.

A layout says what a form asks (sections, questions, options, scales,
criteria), for which units it is printed, and how it is printed. Every
error names the file and the place in it, so a survey team can fix a
layout without reading code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .units import DATASET, SCHEMES, UnknownProvince, find_province, pick, source_line

ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
LAYOUT_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
UNIT_CODE_RE = re.compile(r"^[A-Za-z0-9]{1,12}$")
VALUE_RE = re.compile(r"^[A-Za-z0-9]{1,4}$")
KINDS = ("single", "multi", "text")
PAPER_PT = {"A4": (595.28, 841.89)}


class LayoutError(ValueError):
    """A layout file that cannot be used; the message names file and place."""


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Scale:
    id: str
    levels: tuple[Option, ...]
    satisfied: tuple[str, ...]


@dataclass(frozen=True)
class Criterion:
    id: str
    name: str


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    kind: str
    options: tuple[Option, ...] = ()
    scale: str | None = None
    criterion: str | None = None
    breakdown: bool = False
    lines: int = 0


@dataclass(frozen=True)
class Section:
    title: str
    note: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Unit:
    code: str
    name: str


@dataclass(frozen=True)
class PrintSettings:
    paper: str = "A4"
    margin_mm: float = 9.0
    font_size: float = 9.5
    bubble_mm: float = 4.0

    @property
    def page_size_pt(self) -> tuple[float, float]:
        return PAPER_PT[self.paper]


@dataclass(frozen=True)
class ReportInfo:
    """Who issues the report and how it is signed (Nghị định 30/2020/NĐ-CP); every field
    left empty is printed as a blank to fill in by hand."""
    parent: str = ""  # cơ quan chủ quản, above the issuing body
    body: str = ""  # cơ quan ban hành
    code: str = ""  # ký hiệu after the number, e.g. BC-UBND
    place: str = ""  # địa danh of the date line
    authority: str = ""  # e.g. TM. ỦY BAN NHÂN DÂN
    signer_title: str = ""  # e.g. CHỦ TỊCH
    signer_name: str = ""
    recipients: tuple[str, ...] = ()  # Nơi nhận
    subject: str = ""  # trích yếu: what the report is about (service, area, year)
    basis: tuple[str, ...] = ()  # the plans and decisions the survey carries out
    transactions: str = ""  # the period of the transactions people were asked about
    surveyed_by: str = ""  # who handed out and collected the forms
    sampling: str = ""  # how the people asked were chosen


@dataclass(frozen=True)
class Layout:
    id: str
    version: int
    title: str
    subtitle: str
    issuer: tuple[str, ...]
    area: str
    period: str
    intro: str
    closing: str
    sections: tuple[Section, ...]
    scales: dict[str, Scale]
    criteria: tuple[Criterion, ...]
    units: tuple[Unit, ...]
    units_source: str
    print: PrintSettings = field(default_factory=PrintSettings)
    report: ReportInfo = field(default_factory=ReportInfo)
    unit_scheme: str = ""  # vn-2025 | vn-2022 | own (forms.units.SCHEMES); "" not stated
    online_url: str = ""  # the office's online form, {unit_code} and {unit_name} filled in

    @property
    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]

    @property
    def numbers(self) -> dict[str, int]:
        """Each question's number as the form prints it (questions are numbered within their
        section)."""
        return {q.id: i for s in self.sections for i, q in enumerate(s.questions, 1)}

    @property
    def part_numbers(self) -> dict[str, str]:
        """Each question's number with its part's (II.3), unique across the form."""
        roman = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
        numbers = self.numbers
        return {q.id: f"{roman[i]}.{numbers[q.id]}" for i, s in enumerate(self.sections)
                for q in s.questions}

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)

    def options_of(self, q: Question) -> tuple[Option, ...]:
        return self.scales[q.scale].levels if q.scale else q.options

    def unit(self, code: str) -> Unit:
        for u in self.units:
            if u.code == code:
                return u
        raise KeyError(code)


def load_layout(path: str | Path) -> Layout:
    """Read and validate a layout YAML file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise LayoutError(f"{path}: cannot read: {e.strerror}") from e
    except UnicodeDecodeError as e:
        raise LayoutError(f"{path}: not UTF-8 text") from e
    return parse_layout(text, str(path))


def parse_layout(text: str, where: str = "<layout>") -> Layout:
    """Validate layout YAML text; `where` names it in errors."""
    return _Parser(where).layout(_yaml(text, where))


def _yaml(text: str, where: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f" line {mark.line + 1}" if mark else ""
        raise LayoutError(f"{where}:{at} not valid YAML: {getattr(e, 'problem', e)}") from e


def frozen_text(path: Path) -> str:
    """The layout as a campaign freezes it: as written, except that units taken from the
    dataset are written out (a later release of the dataset changes nothing in it)."""
    text = path.read_text(encoding="utf-8")
    data = _yaml(text, str(path))
    if not isinstance(data, dict) or not isinstance(data.get("units"), dict):
        return text
    layout = parse_layout(text, str(path))
    data["units_source"] = layout.units_source
    data["unit_scheme"] = layout.unit_scheme
    data["units"] = [{"code": u.code, "name": u.name} for u in layout.units]
    return (f"# {path.name}, its units written out from the dataset when the campaign "
            "was made\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100))


class _Parser:
    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, place: str, message: str) -> LayoutError:
        return LayoutError(f"{self.where}: {place}: {message}" if place
                           else f"{self.where}: {message}")

    def mapping(self, value: Any, place: str) -> dict:
        if not isinstance(value, dict):
            raise self.fail(place, "expected a mapping of keys")
        return value

    def text(self, d: dict, key: str, place: str, required: bool = True) -> str:
        value = d.get(key)
        if value is None:
            if required:
                raise self.fail(place, f"missing '{key}'")
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise self.fail(place, f"'{key}' must be text")
        value = str(value).strip()
        if required and not value:
            raise self.fail(place, f"'{key}' is empty")
        return value

    def unknown_keys(self, d: dict, allowed: set[str], place: str) -> None:
        extra = sorted(set(d) - allowed)
        if extra:
            allowed_keys = ", ".join(sorted(allowed))
            raise self.fail(place, f"unknown key '{extra[0]}' (allowed: {allowed_keys})")

    def options(self, raw: Any, place: str) -> tuple[Option, ...]:
        if not isinstance(raw, list) or not raw:
            raise self.fail(place, "'options' must be a non-empty list")
        seen: set[str] = set()
        out = []
        for i, item in enumerate(raw, 1):
            d = self.mapping(item, f"{place}: option {i}")
            value = self.text(d, "value", f"{place}: option {i}")
            if not VALUE_RE.match(value):
                raise self.fail(place, f'option value "{value}" must be 1-4 letters or digits')
            if value in seen:
                raise self.fail(place, f'option value "{value}" repeated')
            seen.add(value)
            out.append(Option(value, self.text(d, "label", f"{place}: option {value}")))
        return tuple(out)

    def scales(self, raw: Any) -> dict[str, Scale]:
        out: dict[str, Scale] = {}
        for sid, body in self.mapping(raw or {}, "scales").items():
            place = f"scale {sid}"
            if not isinstance(sid, str) or not ID_RE.match(sid):
                raise self.fail(place, "scale id must be lower-case letters, digits and _")
            d = self.mapping(body, place)
            self.unknown_keys(d, {"levels", "satisfied"}, place)
            levels = self.options(d.get("levels"), place)
            values = [o.value for o in levels]
            satisfied = d.get("satisfied")
            if satisfied is None:  # the SIPAS default: the top two levels count as satisfied
                satisfied = values[-2:]
            if not isinstance(satisfied, list) or not satisfied:
                raise self.fail(place, "'satisfied' must be a non-empty list of level values")
            for v in map(str, satisfied):
                if v not in values:
                    raise self.fail(place, f'satisfied value "{v}" is not one of its levels')
            out[sid] = Scale(sid, levels, tuple(map(str, satisfied)))
        return out

    def question(self, raw: Any, place: str, scales: dict, criteria: set[str]) -> Question:
        d = self.mapping(raw, place)
        qid = self.text(d, "id", place)
        place = f"question {qid}"
        if not ID_RE.match(qid):
            raise self.fail(place, "id must start with a letter: lower-case letters, digits, _")
        self.unknown_keys(
            d, {"id", "text", "kind", "options", "scale", "criterion", "breakdown", "lines"}, place
        )
        kind = self.text(d, "kind", place, required=False) or "single"
        if kind not in KINDS:
            raise self.fail(place, f"kind '{kind}' is not one of {', '.join(KINDS)}")
        text = self.text(d, "text", place)
        scale = self.text(d, "scale", place, required=False) or None
        criterion = self.text(d, "criterion", place, required=False) or None
        if criterion and criterion not in criteria:
            raise self.fail(place, f"criterion '{criterion}' is not defined under 'criteria'")
        if kind == "text":
            lines = d.get("lines", 3)
            if not isinstance(lines, int) or not 1 <= lines <= 20:
                raise self.fail(place, "'lines' must be a whole number from 1 to 20")
            if "options" in d or scale:
                raise self.fail(place, "a text question has no options")
            return Question(qid, text, kind, lines=lines)
        if scale:
            if scale not in scales:
                raise self.fail(place, f"scale '{scale}' is not defined under 'scales'")
            if "options" in d:
                raise self.fail(place, "give either 'scale' or 'options', not both")
            if kind != "single":
                raise self.fail(place, "a question on a scale must be of kind single")
            options: tuple[Option, ...] = ()
        else:
            options = self.options(d.get("options"), place)
        if criterion and not scale:
            raise self.fail(place, "only questions on a scale can count toward a criterion")
        breakdown = d.get("breakdown", False)
        if not isinstance(breakdown, bool):
            raise self.fail(place, "'breakdown' must be true or false")
        return Question(qid, text, kind, options, scale, criterion, breakdown)

    def unit_list(self, d: dict) -> tuple[tuple[Unit, ...], str, str]:
        """The units, where they come from, and their code scheme: a list as written, or
        `{dataset: vietnam-provinces, province: 42, only: [...]}` taken from the dataset."""
        raw, scheme = d.get("units"), self.text(d, "unit_scheme", "", required=False)
        if scheme and scheme not in SCHEMES:
            raise self.fail("unit_scheme", f"must be one of {', '.join(SCHEMES)}")
        if not isinstance(raw, dict):
            return self.units(raw), self.text(d, "units_source", "", required=False), scheme
        self.unknown_keys(raw, {"dataset", "province", "only"}, "units")
        if self.text(raw, "dataset", "units") != DATASET:
            raise self.fail("units", f"'dataset' must be {DATASET}")
        if scheme not in ("", "vn-2025"):
            raise self.fail("unit_scheme", f"units from {DATASET} are coded vn-2025")
        only = raw.get("only")
        if only is not None and not isinstance(only, list):
            raise self.fail("units", "'only' must be a list of codes or names")
        try:
            province = find_province(self.text(raw, "province", "units"))
            picked = pick(province, only)
        except UnknownProvince as e:
            raise self.fail("units", str(e)) from e
        units = tuple(Unit(u.code, u.name) for u in picked)
        return units, source_line(province), "vn-2025"

    def online(self, raw: Any) -> str:
        d = self.mapping(raw or {}, "online")
        self.unknown_keys(d, {"url"}, "online")
        url = self.text(d, "url", "online", required=False)
        if not url:
            return ""
        if not url.startswith(("https://", "http://")):
            raise self.fail("online", "'url' must start with https://")
        for name in re.findall(r"{([^{}]*)}", url):
            if name not in ("unit_code", "unit_name"):
                raise self.fail("online", f"'url' may hold {{unit_code}} and {{unit_name}}, "
                                          f"not {{{name}}}")
        return url

    def units(self, raw: Any) -> tuple[Unit, ...]:
        if not isinstance(raw, list) or not raw:
            raise self.fail("units", "must be a non-empty list of {code, name}")
        seen: set[str] = set()
        out = []
        for i, item in enumerate(raw, 1):
            d = self.mapping(item, f"units: item {i}")
            code = self.text(d, "code", f"units: item {i}")
            if not UNIT_CODE_RE.match(code):
                raise self.fail(f"unit {code}", "code must be 1-12 letters or digits")
            if code in seen:
                raise self.fail(f"unit {code}", "code repeated")
            seen.add(code)
            out.append(Unit(code, self.text(d, "name", f"unit {code}")))
        return tuple(out)

    def print_settings(self, raw: Any) -> PrintSettings:
        d = self.mapping(raw or {}, "print")
        self.unknown_keys(d, {"paper", "margin_mm", "font_size", "bubble_mm"}, "print")
        s = PrintSettings(**d)
        if s.paper not in PAPER_PT:
            raise self.fail("print", f"paper '{s.paper}' is not one of {', '.join(PAPER_PT)}")
        for key, lo, hi in (("margin_mm", 5, 25), ("font_size", 7, 14), ("bubble_mm", 3, 7)):
            value = getattr(s, key)
            if not isinstance(value, int | float) or not lo <= value <= hi:
                raise self.fail("print", f"'{key}' must be a number from {lo} to {hi}")
        return s

    def report_info(self, raw: Any) -> ReportInfo:
        d = self.mapping(raw or {}, "report")
        self.unknown_keys(d, {"parent", "body", "code", "place", "signer", "recipients",
                              "subject", "basis", "transactions", "surveyed_by", "sampling"},
                          "report")
        signer = self.mapping(d.get("signer") or {}, "report: signer")
        self.unknown_keys(signer, {"authority", "title", "name"}, "report: signer")
        lists = {k: self.lines(d, k) for k in ("recipients", "basis")}
        return ReportInfo(
            **{k: self.text(d, k, "report", required=False)
               for k in ("parent", "body", "code", "place", "subject", "transactions",
                         "surveyed_by", "sampling")},
            authority=self.text(signer, "authority", "report: signer", required=False),
            signer_title=self.text(signer, "title", "report: signer", required=False),
            signer_name=self.text(signer, "name", "report: signer", required=False),
            recipients=lists["recipients"], basis=lists["basis"])

    def lines(self, d: dict, key: str) -> tuple[str, ...]:
        """A list of text lines under `report`, empty ones left out."""
        value = d.get(key) or []
        if not isinstance(value, list) or not all(isinstance(r, str) for r in value):
            raise self.fail("report", f"'{key}' must be a list of text lines")
        return tuple(r.strip() for r in value if r.strip())

    def layout(self, data: Any) -> Layout:
        d = self.mapping(data, "")
        self.unknown_keys(
            d,
            {"id", "version", "title", "subtitle", "issuer", "area", "period", "intro", "closing",
             "sections", "scales", "criteria", "units", "units_source", "unit_scheme", "online",
             "print", "report"},
            "",
        )
        lid = self.text(d, "id", "")
        if not LAYOUT_ID_RE.match(lid):
            raise self.fail("id", "must be lower-case letters, digits and -, at most 40")
        version = d.get("version", 1)
        if not isinstance(version, int) or version < 1:
            raise self.fail("version", "must be a whole number from 1")
        scales = self.scales(d.get("scales"))
        criteria = []
        for i, item in enumerate(d.get("criteria") or [], 1):
            c = self.mapping(item, f"criteria: item {i}")
            criteria.append(Criterion(self.text(c, "id", f"criteria: item {i}"),
                                      self.text(c, "name", f"criteria: item {i}")))
        crit_ids = {c.id for c in criteria}
        if len(crit_ids) != len(criteria):
            raise self.fail("criteria", "a criterion id is repeated")
        raw_sections = d.get("sections")
        if not isinstance(raw_sections, list) or not raw_sections:
            raise self.fail("sections", "must be a non-empty list")
        sections, seen = [], set()
        for i, item in enumerate(raw_sections, 1):
            s = self.mapping(item, f"section {i}")
            self.unknown_keys(s, {"title", "note", "questions"}, f"section {i}")
            raw_qs = s.get("questions")
            if not isinstance(raw_qs, list) or not raw_qs:
                raise self.fail(f"section {i}", "'questions' must be a non-empty list")
            qs = []
            for j, rq in enumerate(raw_qs, 1):
                q = self.question(rq, f"section {i}: question {j}", scales, crit_ids)
                if q.id in seen:
                    raise self.fail(f"question {q.id}", "id repeated")
                seen.add(q.id)
                qs.append(q)
            sections.append(Section(self.text(s, "title", f"section {i}"),
                                    self.text(s, "note", f"section {i}", required=False),
                                    tuple(qs)))
        for c in criteria:
            if not any(q.criterion == c.id for s in sections for q in s.questions):
                raise self.fail(f"criterion {c.id}", "no question counts toward it")
        issuer = d.get("issuer") or []
        if isinstance(issuer, str):
            issuer = [issuer]
        units, units_source, unit_scheme = self.unit_list(d)
        return Layout(
            id=lid,
            version=version,
            title=self.text(d, "title", ""),
            subtitle=self.text(d, "subtitle", "", required=False),
            issuer=tuple(str(x) for x in issuer),
            area=self.text(d, "area", "", required=False),
            period=self.text(d, "period", "", required=False),
            intro=self.text(d, "intro", "", required=False),
            closing=self.text(d, "closing", "", required=False),
            sections=tuple(sections),
            scales=scales,
            criteria=tuple(criteria),
            units=units,
            units_source=units_source,
            print=self.print_settings(d.get("print")),
            report=self.report_info(d.get("report")),
            unit_scheme=unit_scheme,
            online_url=self.online(d.get("online")),
        )
