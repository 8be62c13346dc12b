"""An example third-party check: the project has a compose file at its top."""
from dind_doctor.check import Check
from dind_doctor.model import Status, fixes

NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")


class ComposeFilePresent(Check):
    """Warns when the project folder has no compose file at its top: `docker compose up` run there
    would fail with `no configuration file provided: not found`."""

    id = "compose-file-present"
    title = "A compose file at the top of the project"

    def run(self, ctx):
        found = [n for n in NAMES if (ctx.project / n).is_file()]
        if found:
            return [self.finding(Status.OK, f"{found[0]} found", evidence={"files": found})]
        return [self.finding(Status.WARN, f"no compose file in {ctx.project}",
                             fixes=fixes(powershell="New-Item compose.yaml", cmd="type nul > compose.yaml",
                                         bash="touch compose.yaml"))]
