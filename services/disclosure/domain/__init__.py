"""Pure rules of public disclosure: no framework, database or broker imports."""
