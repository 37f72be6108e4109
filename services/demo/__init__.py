"""The demo (演示): the accounts of the embedded mode (``accounts``) and the demo scenario (演示数据), the district
bureau's reported 2020–2021 year (domain.md §6), reproduced through the services' own APIs and events. ``plan``
decides everything from a seed, ``loader`` drives it over HTTP through the gateway, ``cli`` is ``greenlaw demo load``
and ``startup`` loads it on the first start of the embedded mode."""
