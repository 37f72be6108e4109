"""Use cases of the cases service, one module per resource; they raise ``shared.errors`` and never commit."""
