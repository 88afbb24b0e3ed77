"""Reporting: the counted answers become the report an office publishes.

`results` computes the numbers (with `estimate`'s intervals); `body` says what the report
holds as `blocks`, which `pdf` and `word` set; `excel` writes the workbook and `charts`
the figures; `write` makes the four files (`phieu report`).
"""
