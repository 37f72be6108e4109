"""Use cases and read models of the disclosure service, one module per resource; they never commit."""
