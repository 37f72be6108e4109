"""Pure rules of enforcement cases: no framework, database or broker imports."""
