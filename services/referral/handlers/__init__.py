"""Use cases and read models of the referral service, one module per resource; they never commit."""
