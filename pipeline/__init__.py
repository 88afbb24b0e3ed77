"""Files, campaigns, the store, reports and the phieu command line."""
