"""How many rows validated.csv holds: read by the tool itself over the S3 API when it can reach the server
(no container started per read), else with the module's own image (pandas + s3fs, the same .env), which
reads anything the module can write (a role or profile instead of keys, a non-S3 URL, an endpoint only the
module's network resolves)."""
from __future__ import annotations

from typing import Callable, Mapping

from .s3_read import S3Error, output_object, read_rows

READ_TIMEOUT = 15.0  # each S3 request
START_WAIT = 60.0  # the embedded server, still starting: retried this long


class RowReader:
    """One reader per run: the first read decides how (S3 API or the module's image), later reads follow."""

    def __init__(self, env: Mapping[str, str], module_read: Callable[[bool], int], endpoint: str | None = None) -> None:
        self.target = output_object(env, endpoint)
        # The user's own endpoint is up already: one attempt, then the module's image (a name only the
        # module's network resolves must not cost a minute of retries).
        self.wait = START_WAIT if endpoint else 0.0
        self.module_read = module_read  # create_bucket -> rows, with the module's own image
        self.how = "S3 API" if self.target is not None else "the module's image"
        self.why_not = "" if self.target is not None else "no s3:// output with static keys"

    def count(self, create_bucket: bool) -> int:
        if self.target is not None:
            try:
                return read_rows(self.target, create_bucket=create_bucket, timeout=READ_TIMEOUT, wait=self.wait)
            except S3Error as exc:
                # Not reachable from here (a remote engine, dind-doctor itself in a container, a bucket policy
                # bound to the module's network): the module's image reads it as the module writes it, and
                # its error, if any, is the one to report.
                self.target, self.how, self.why_not = None, "the module's image", str(exc)
        return self.module_read(create_bucket)

    def make_bucket(self) -> bool:
        """The embedded server's bucket, created as soon as the server answers; False when the tool cannot
        reach it (the first read then creates it, through the module's image)."""
        if self.target is None:
            return False
        try:
            read_rows(self.target, create_bucket=True, timeout=READ_TIMEOUT, wait=self.wait)
        except S3Error:
            return False
        return True

    @property
    def note(self) -> str:
        return f"read through {self.how}" + (f" ({self.why_not})" if self.why_not else "")
