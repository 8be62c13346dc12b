"""TEMPORARY re-export (removed before the engine helper's last landing): use dind_doctor.engine.staleness."""
from ..engine.staleness import *  # noqa: F401,F403
