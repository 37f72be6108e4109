"""The service's data files (standard tables, HJ 212 codes) and their loader (``loader``)."""
