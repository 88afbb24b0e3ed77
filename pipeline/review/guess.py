"""The sheet a page whose number could not be read most likely is: the papers of one pile
are fed in their order, so the pages scanned just before and after it tell."""

from __future__ import annotations

from collections.abc import Callable

from ..store.pages import NamedPage

REACH = 4  # pages of the file looked at either side (duplex backs lie between sheets)


def _next(page: NamedPage, pages_per_sheet: int, step: int,
          printed: Callable[[int], str | None]) -> tuple[str, int] | None:
    """The page of the form one step after (1) or before (-1) `page` in a pile: the same
    sheet's next page, or the sheet printed with the next serial (serials run on across the
    units of a campaign)."""
    form_page = page.form_page + step
    if 1 <= form_page <= pages_per_sheet:
        return page.printed_id, form_page
    other = printed(page.serial + step)
    return (other, 1 if step > 0 else pages_per_sheet) if other else None


def likely_sheet(page_no: int, near: list[NamedPage], pages_per_sheet: int,
                 printed: Callable[[int], str | None],
                 free: Callable[[str, int], bool]) -> tuple[str, int] | None:
    """(printed id, page of the form) the page at `page_no` of its file most likely is,
    from its neighbours there; None when they disagree or point at no page still missing.
    `printed(serial)`: the sheet printed with that serial; `free(printed_id, form_page)`:
    no scan counts for that page yet."""
    before = [p for p in near if p.page_no < page_no]
    after = [p for p in near if p.page_no > page_no]
    guesses = {g for g in (_next(before[-1], pages_per_sheet, 1, printed) if before else None,
                           _next(after[0], pages_per_sheet, -1, printed) if after else None)
               if g}
    if len(guesses) != 1:
        return None
    guess = guesses.pop()
    return guess if free(*guess) else None


def as_typed(guess: tuple[str, int], pages_per_sheet: int) -> str:
    """A guess as a person types it in the identity field."""
    printed_id, form_page = guess
    return printed_id if pages_per_sheet == 1 else f"{printed_id} {form_page}"
