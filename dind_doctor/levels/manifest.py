"""TEMPORARY re-export (removed before the engine helper's last landing): use dind_doctor.engine.manifest."""
from ..engine.manifest import *  # noqa: F401,F403
