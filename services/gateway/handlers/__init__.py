"""Use cases of the gateway: accounts, their lifecycle, signing in. They flush; the caller commits."""
