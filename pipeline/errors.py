"""Errors the command line reports as "something could not be done" (exit code 1)."""


class PhieuError(Exception):
    """A failure the user can act on; the message names the file (and page or row)."""
