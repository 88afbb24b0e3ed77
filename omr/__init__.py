"""One page image and a template in, one page result out: `read_page(image, template)`."""

from .read import as_grey, read_page
from .result import BLANK, FOREIGN, FORM, PageResult, QuestionReading

__all__ = ["BLANK", "FOREIGN", "FORM", "PageResult", "QuestionReading", "as_grey", "read_page"]
