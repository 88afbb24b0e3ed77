"""The report's charts, drawn with matplotlib in the forms' Vietnamese font."""

from __future__ import annotations

import io
import textwrap
from functools import cache

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from phieu.forms.fonts import BOLD, REGULAR, font_path  # noqa: E402

BLUE = "#1f5f99"


@cache
def _font() -> str:
    for name in (REGULAR, BOLD):
        font_manager.fontManager.addfont(str(font_path(name)))
    family = font_manager.FontProperties(fname=str(font_path(REGULAR))).get_name()
    plt.rcParams.update({"font.family": family, "font.size": 9, "axes.spines.top": False,
                         "axes.spines.right": False})
    return family


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _wrap(label: str, width: int) -> str:
    return "\n".join(textwrap.wrap(label, width)) or label


def _comma(v: float) -> str:
    return f"{v:.1f}".replace(".", ",")


def index_bars(labels: list[str], index: list[float], low: list[float], high: list[float],
               census: list[bool], title: str) -> bytes:
    """Horizontal bars of a satisfaction index (%) with its 95 % interval drawn as a whisker
    (none for a full count) and the value written beside each bar."""
    _font()
    n = len(labels)
    fig, ax = plt.subplots(figsize=(7.2, 0.34 * n + 1.2))
    y = list(range(n))[::-1]
    present = [v == v for v in index]
    values = [v * 100 if ok else 0 for v, ok in zip(index, present, strict=True)]
    whisker = [ok and not full and lo == lo and hi == hi
               for ok, full, lo, hi in zip(present, census, low, high, strict=True)]
    ax.barh(y, values, color=BLUE, height=0.62)
    for yy, v, lo, hi, show in zip(y, values, low, high, whisker, strict=True):
        if show:
            ax.errorbar([v], [yy], xerr=[[max(0, v - lo * 100)], [max(0, hi * 100 - v)]],
                        fmt="none", ecolor="#222", elinewidth=0.9, capsize=2.5)
    for yy, v, ok, hi, show in zip(y, values, present, high, whisker, strict=True):
        end = hi * 100 if show else v
        ax.text(min(end + 1.2, 101), yy, _comma(v) if ok else "chưa có phiếu", va="center",
                ha="left", fontsize=7.5, color="#222" if ok else "#777")
    ax.set_yticks(y, [_wrap(x, 34) for x in labels], fontsize=7.5)
    ax.set_xlim(0, 108)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel("Chỉ số hài lòng (%)" + (", vạch đen: khoảng tin cậy 95%" if any(whisker)
                                          else ""))
    ax.set_title(title, loc="left", fontsize=10, fontweight="bold")
    ax.grid(axis="x", color="#ddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return _png(fig)


def criteria_bars(criteria: list[str], values: list[float], title: str) -> bytes:
    """Vertical bars, one per criterion, labelled with its index (%); labels wrapped."""
    _font()
    fig, ax = plt.subplots(figsize=(7.2, 3.0))
    xs = range(len(criteria))
    heights = [v * 100 if v == v else 0 for v in values]
    ax.bar(xs, heights, 0.6, color=BLUE)
    for x, h, v in zip(xs, heights, values, strict=True):
        ax.text(x, h + 1.5, _comma(h) if v == v else "—", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(list(xs), [_wrap(c, max(12, 90 // max(len(criteria), 1)))
                             for c in criteria], fontsize=7.5)
    ax.set_ylim(0, 110)
    ax.set_yticks(range(0, 101, 20))
    ax.set_ylabel("Chỉ số hài lòng (%)")
    ax.set_title(title, loc="left", fontsize=10, fontweight="bold")
    ax.grid(axis="y", color="#ddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return _png(fig)
