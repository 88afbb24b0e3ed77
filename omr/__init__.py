"""One page image and a template in, one page result out: `read_page(image, template)`;
and, for whoever shows a page that was read, its pictures and its measures by question.

The package's names are loaded when first asked for, so that its vocabulary (the words a
reading and the rest of phieu share) can be imported without the reader itself.
"""

from __future__ import annotations

from phieu.forms.lazy import lazy_names

_FROM = {"as_grey": "read", "read_page": "read",
         "BLANK": "result", "FOREIGN": "result", "FORM": "result", "PageResult": "result",
         "QuestionReading": "result", "TEXT_INK_MIN": "result", "COARSE_PX_PER_PT": "result",
         "box_picture": "warp", "straighten": "warp",
         "per_question": "measure", "judge_photo": "quality"}

__all__ = sorted(_FROM)

__getattr__ = lazy_names(__name__, _FROM)
