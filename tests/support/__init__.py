"""Helpers the test modules share: a case walked to a stage, referrals, the security tests' system."""
