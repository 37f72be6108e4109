"""HTTP entry points of the monitoring service (``/api/v1/monitoring``, the open data ``/public/v1/monitoring``
and the portal's enterprise pages ``/portal/monitoring``)."""

from __future__ import annotations

from services.monitoring.api.bulletins import router as bulletins
from services.monitoring.api.calculations import router as calculations
from services.monitoring.api.enterprises import router as enterprises
from services.monitoring.api.noise import router as noise
from services.monitoring.api.open_data import router as open_data
from services.monitoring.api.open_enterprises import router as open_enterprises
from services.monitoring.api.portal import router as portal
from services.monitoring.api.readings import router as readings
from services.monitoring.api.review import router as review
from services.monitoring.api.stations import router as stations

ROUTERS = (calculations, stations, readings, review, bulletins, open_data, noise, enterprises, open_enterprises, portal)
