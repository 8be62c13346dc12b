"""TEMPORARY re-export (removed before the engine helper's last landing): use dind_doctor.engine.volumes."""
from ..engine.volumes import *  # noqa: F401,F403
