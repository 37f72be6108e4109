"""Use cases of the monitoring service, one module per resource. Handlers stage changes; entry points commit."""
