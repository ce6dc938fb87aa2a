"""Local development: SQLite and eager Celery unless the environment points at the service stack."""

from .base import *

DEBUG = env.bool("DEBUG", default=True)
