"""Labels on everything dind-doctor creates: only what carries them is ever removed."""

CREATED_BY = "io.dind-doctor.created-by"  # value: the component, e.g. "probe", "run-reference"
RUN_ID = "io.dind-doctor.run"  # value: one id per invocation, so a cleanup never touches another run


def labels(component: str, run_id: str) -> dict[str, str]:
    return {CREATED_BY: component, RUN_ID: run_id}


def selector(run_id: str) -> dict[str, list[str]]:
    """A docker-py `filters` value matching what one invocation created."""
    return {"label": [f"{RUN_ID}={run_id}"]}
