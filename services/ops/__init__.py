"""Operator tools across the services: the ``greenlaw`` command (``cli``), the embedded composition (``embedded``),
migrations and the Kafka topic list (``migrate``), backup and restore (``backup``), audit verify (``audit``) and the
merged OpenAPI document (``openapi``). Each walks the services of ``services.catalogue``."""
