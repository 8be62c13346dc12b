"""TEMPORARY re-export (removed before the engine helper's last landing): use dind_doctor.engine.probes
and dind_doctor.engine.errors."""
from .engine.cleanup import cleanup_run  # noqa: F401
from .engine.errors import ImageUnavailable, ProbeError, daemon_reason  # noqa: F401
from .engine.probes import ProbeResult, ensure_image, labelled_container, run_probe  # noqa: F401
