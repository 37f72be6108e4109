"""The gateway: the one entry point in front of the cases, disclosure, referral and monitoring services."""
