"""TEMPORARY re-export (removed before the engine helper's last landing): use dind_doctor.engine.sync."""
from ..engine.sync import *  # noqa: F401,F403
