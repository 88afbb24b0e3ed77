"""Registration marks: four ArUco markers, one per corner, each with its own id.

Distinct ids tell the reader which corner is which, so a page scanned
upside down or turned 90 degrees is recognised as such.
"""

from __future__ import annotations

import cv2
import numpy as np

DICTIONARY = "DICT_4X4_50"
CORNERS = ("tl", "tr", "br", "bl")  # marker id i sits in corner CORNERS[i]


def dictionary() -> cv2.aruco.Dictionary:
    return cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, DICTIONARY))


def marker_cells(marker_id: int) -> np.ndarray:
    """The marker as a boolean grid of black cells, its one-cell black border included."""
    d = dictionary()
    cells = d.markerSize + 2
    img = d.generateImageMarker(marker_id, cells, borderBits=1)
    return img == 0
