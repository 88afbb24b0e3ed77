"""The report's charts, drawn with matplotlib in the forms' Vietnamese font."""

from __future__ import annotations

import io
from functools import cache

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from phieu.forms.fonts import BOLD, REGULAR, font_path  # noqa: E402

BLUE, GREY = "#1f5f99", "#9aa5b1"


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


def index_bars(labels: list[str], index: list[float], low: list[float], high: list[float],
               title: str) -> bytes:
    """Horizontal bars of a satisfaction index (%) with its 95 % interval."""
    _font()
    n = len(labels)
    fig, ax = plt.subplots(figsize=(7.2, 0.32 * n + 1.1))
    y = list(range(n))[::-1]
    values = [v * 100 if v == v else 0 for v in index]
    err = [[max(0, (v - lo) * 100) if v == v else 0 for v, lo in zip(index, low, strict=True)],
           [max(0, (hi - v) * 100) if v == v else 0 for v, hi in zip(index, high, strict=True)]]
    ax.barh(y, values, color=BLUE, height=0.62)
    ax.errorbar(values, y, xerr=err, fmt="none", ecolor="#222", elinewidth=0.9, capsize=2.5)
    for yy, v, raw in zip(y, values, index, strict=True):
        ax.text(1, yy, "chưa có phiếu" if raw != raw else f"{v:.1f}%", va="center",
                ha="left", color="white" if raw == raw and v > 12 else "#333", fontsize=7.5)
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 100)
    ax.set_xlabel("Chỉ số hài lòng (%) và khoảng tin cậy 95%")
    ax.set_title(title, loc="left", fontsize=10, fontweight="bold")
    ax.grid(axis="x", color="#ddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return _png(fig)


def criteria_bars(criteria: list[str], series: dict[str, list[float]], title: str) -> bytes:
    """Grouped bars: each criterion's index, one bar per series (a unit, or the city)."""
    _font()
    fig, ax = plt.subplots(figsize=(7.2, 2.8))
    k = len(series)
    width = 0.8 / max(k, 1)
    colours = plt.get_cmap("tab20").colors
    for i, (name, values) in enumerate(series.items()):
        xs = [c + (i - (k - 1) / 2) * width for c in range(len(criteria))]
        ax.bar(xs, [v * 100 if v == v else 0 for v in values], width,
               label=name, color=GREY if name.startswith("Toàn") else colours[i % 20])
    ax.set_xticks(range(len(criteria)), [c if len(c) < 28 else c[:26] + "…" for c in criteria],
                  fontsize=7.5)
    ax.set_ylim(0, 100)
    ax.set_ylabel("Chỉ số hài lòng (%)")
    ax.set_title(title, loc="left", fontsize=10, fontweight="bold")
    ax.grid(axis="y", color="#ddd", linewidth=0.6)
    ax.set_axisbelow(True)
    if k > 1:
        ax.legend(fontsize=6.5, ncol=min(k, 4), frameon=False, loc="upper center",
                  bbox_to_anchor=(0.5, -0.18))
    return _png(fig)
