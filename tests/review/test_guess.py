"""A page whose number could not be read: the pages scanned around it say which it is."""

from __future__ import annotations

from phieu.omr.vocabulary import Code, Reason
from phieu.pipeline.review.guess import likely_sheet
from phieu.pipeline.store.pages import NamedPage


def _free(*taken: tuple[str, int]):
    return lambda printed_id, page: (printed_id, page) not in taken


def _printed(serial: int) -> str | None:
    """Serials run on across units: 40-41 for 18073, 42-43 for 18075."""
    return {40: "18073-000040", 41: "18073-000041", 42: "18075-000042",
            43: "18075-000043"}.get(serial)


def test_the_sheet_between_two_read_ones_is_the_one_missing():
    near = [NamedPage(1, "18073-000040", 1, 40), NamedPage(5, "18075-000042", 1, 42)]
    assert likely_sheet(3, near, 1, _printed, _free()) == ("18073-000041", 1)


def test_a_two_page_form_goes_on_with_the_next_page_of_the_same_sheet():
    near = [NamedPage(2, "18073-000040", 1, 40), NamedPage(6, "18073-000041", 1, 41)]
    assert likely_sheet(4, near, 2, _printed, _free()) == ("18073-000040", 2)
    # the last page of a sheet, then the first of the next unit's
    near = [NamedPage(2, "18073-000041", 2, 41), NamedPage(6, "18075-000042", 2, 42)]
    assert likely_sheet(4, near, 2, _printed, _free()) == ("18075-000042", 1)


def test_one_side_alone_is_enough_and_the_edges_of_a_file_are_fine():
    assert likely_sheet(1, [NamedPage(3, "18075-000042", 1, 42)], 1, _printed, _free()) == \
        ("18073-000041", 1)
    assert likely_sheet(9, [NamedPage(7, "18075-000042", 1, 42)], 1, _printed, _free()) == \
        ("18075-000043", 1)
    # no sheet printed with the serial before the first
    assert likely_sheet(1, [NamedPage(3, "18073-000040", 1, 40)], 1, _printed, _free()) is None


def test_no_guess_when_the_neighbours_disagree_or_the_sheet_is_already_in():
    """Papers out of order (two piles mixed) or a sheet already scanned: nothing is
    suggested rather than something wrong."""
    near = [NamedPage(1, "18073-000040", 1, 40), NamedPage(5, "18075-000043", 1, 43)]
    assert likely_sheet(3, near, 1, _printed, _free()) is None
    near = [NamedPage(1, "18073-000040", 1, 40), NamedPage(5, "18075-000042", 1, 42)]
    assert likely_sheet(3, near, 1, _printed, _free(("18073-000041", 1))) is None
    assert likely_sheet(3, [], 1, _printed, _free()) is None


def test_the_review_page_offers_the_guess_for_a_nameless_page(tmp_path):
    """Scanned in a pile: sheet A's page 1, a page whose number is unreadable, the next
    sheet's page 1 (of another unit). On a two-page form, the nameless page is offered as
    A's page 2."""
    from phieu.pipeline.campaign import open_campaign
    from phieu.pipeline.review.items import page_item
    from phieu.pipeline.review.shown import detail
    from phieu.pipeline.scan.reading import PageOutcome
    from phieu.pipeline.scan.recorded import record_page
    from phieu.pipeline.store.pages import add_file
    from phieu.pipeline.store.review import flagged_loose_pages
    from tests.conftest import TWO_PAGE, print_campaign, read_manifest

    out = print_campaign(tmp_path, TWO_PAGE, 1)
    rows = read_manifest(out / "manifest.csv")
    a, b = rows[0]["sheet_id"], rows[2]["sheet_id"]
    assert rows[1]["sheet_id"] == a  # the manifest lists a sheet's pages in a row
    with open_campaign(tmp_path / "c") as c:
        t = c.geometry.template
        page1 = {q.id: "1" for q in t.questions if q.page == 1}
        fid = add_file(c.store, "b" * 64, "pile.pdf", 3, None)
        for n, sid in ((1, a), (3, b)):
            record_page(c.store, fid, PageOutcome(0, n, "form", sid, sid[:-7], 1, 1, "qr", [],
                                                  page1, campaign_code=c.code), t.pages, c.code)
        record_page(c.store, fid, PageOutcome(0, 2, "form", None, None, None, None, "",
                                              [Reason(Code.ID_UNREADABLE)], {}), t.pages,
                    c.code)
        page_id = flagged_loose_pages(c.store.db)[0].page
        shown = detail(c.store, t, c.layout, page_item(page_id))
    assert shown["needs_identity"] and shown["suggested"] == f"{a} 2"
