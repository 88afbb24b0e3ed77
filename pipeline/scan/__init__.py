"""Scanning: the files a clerk feeds in become stored pages and papers.

`inputs` opens the files and counts their pages; `reading` reads one page (in a worker);
`papers` tells which paper a page belongs to; `recorded` stores a page's outcome and
updates its paper; `batch` runs a whole batch (`phieu scan`); `summary` prints what it did.
"""
