from sqlmodel import SQLModel

from services.gateway import tables  # noqa: F401  (registers the tables on the metadata)
from shared.alembic_env import run

run(SQLModel.metadata)
