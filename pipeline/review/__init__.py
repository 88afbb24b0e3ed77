"""The review page: a local web app where a person settles the flagged sheets."""
