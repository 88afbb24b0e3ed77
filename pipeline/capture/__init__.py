"""`phieu capture`: the office's phones photograph the returned sheets, and each photo is
judged and read while the paper is still in hand.

`taking` turns one photo into a verdict and stores what it must; `app` is the page a
phone opens; `address` shows that page's address as a QR code.
"""
