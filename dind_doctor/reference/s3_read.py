"""validated.csv read by the tool itself over the S3 API: the standard library's http.client and AWS
Signature Version 4, so no container is started per read and no S3 library is imported.

The same client works against the embedded server (through a port published on the engine's loopback) and
against the user's real endpoint from --env-file (AWS, MinIO...): SigV4 is what every S3 server accepts.
Secret values never leave this module: they only feed the HMAC chain, and errors quote the server's error
code and message, never a header.
"""
from __future__ import annotations

import csv
import datetime
import hashlib
import hmac
import io
import re
import time
from ..records import dataclass
from typing import Any, Mapping
from urllib.parse import quote, urlsplit

from .project import DEFAULT_OUTPUT_URL

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNRESERVED = "-_.~"


class S3Error(Exception):
    """The S3 server answered with an error, or could not be reached. `transient`: no answer or a 5xx (a
    server still starting); `refused`: nothing listens there at all."""

    def __init__(self, message: str, transient: bool = False, refused: bool = False) -> None:
        super().__init__(message)
        self.transient, self.refused = transient, refused


@dataclass(frozen=True)
class S3Object:
    endpoint: str  # scheme://host[:port]
    bucket: str
    key: str
    region: str
    access_key: str
    secret_key: str
    session_token: str = ""
    path_style: bool = True  # custom endpoints (MinIO, moto); AWS itself: virtual-hosted style

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def output_object(env: Mapping[str, str], endpoint: str | None = None) -> S3Object | None:
    """The output file the module writes (OUTPUT_URL, else its default), as the module reaches it; None when
    the tool cannot read it itself (not s3://, or no static keys: a role or a profile the module's own
    reader resolves). `endpoint` replaces the one in `env` (the embedded server's published port)."""
    url = env.get("OUTPUT_URL") or DEFAULT_OUTPUT_URL
    access, secret = env.get("AWS_ACCESS_KEY_ID", ""), env.get("AWS_SECRET_ACCESS_KEY", "")
    if not url.startswith("s3://") or not access or not secret:
        return None
    bucket, _, key = url[len("s3://"):].partition("/")
    if not bucket or not key:
        return None
    region = env.get("AWS_DEFAULT_REGION") or env.get("AWS_REGION") or "us-east-1"
    endpoint = endpoint or env.get("S3_ENDPOINT_URL") or env.get("AWS_ENDPOINT_URL") or ""
    path_style = bool(endpoint) or "." in bucket
    if not endpoint:
        endpoint = f"https://s3.{region}.amazonaws.com"
    return S3Object(endpoint.rstrip("/"), bucket, key, region, access, secret,
                    env.get("AWS_SESSION_TOKEN", ""), path_style)


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def sign(method: str, host: str, path: str, *, region: str, access_key: str, secret_key: str, when: datetime.datetime,
         headers: Mapping[str, str] | None = None, payload_sha256: str = EMPTY_SHA256,
         session_token: str = "", service: str = "s3") -> dict[str, str]:
    """The headers of a SigV4-signed request without a query string (Authorization included). `path` is
    the raw path: it is percent-encoded once, as S3 expects (no double encoding)."""
    amz_date = when.strftime("%Y%m%dT%H%M%SZ")
    signed = {"host": host, "x-amz-content-sha256": payload_sha256, "x-amz-date": amz_date,
              **{k.lower(): v for k, v in (headers or {}).items()}}
    if session_token:
        signed["x-amz-security-token"] = session_token
    names = sorted(signed)
    canonical = "\n".join([method, quote(path, safe="/" + UNRESERVED), "",
                           "".join(f"{n}:{' '.join(signed[n].split())}\n" for n in names), ";".join(names),
                           payload_sha256])
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + secret_key).encode("utf-8")
    for part in (amz_date[:8], region, service, "aws4_request"):
        key = _hmac(key, part)
    signature = hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    signed["authorization"] = (f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, "
                               f"SignedHeaders={';'.join(names)}, Signature={signature}")
    return signed


def count_csv_rows(stream: Any) -> int:
    """The rows pandas.read_csv would give: records after the header, blank lines skipped, quoted line
    breaks inside a field kept in their record. Streamed: a large file is never held whole."""
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline="")
    records = sum(1 for record in csv.reader(text) if any(field.strip() for field in record))
    return max(0, records - 1)


def _error_text(status: int, body: bytes) -> str:
    text = body[:4000].decode("utf-8", "replace")
    code = re.search(r"<Code>([^<]*)</Code>", text)
    message = re.search(r"<Message>([^<]*)</Message>", text)
    return f"HTTP {status}" + (f" {code.group(1)}" if code else "") + (f": {message.group(1)}" if message else "")


class S3Client:
    """Signed requests to one object's server, each with a socket timeout."""

    def __init__(self, target: S3Object, timeout: float) -> None:
        self.target, self.timeout = target, timeout
        self.region = target.region

    def _request(self, method: str, bucket_only: bool) -> tuple[Any, Any]:
        import http.client

        t = self.target
        parts = urlsplit(t.endpoint)
        host = parts.netloc
        key_path = "" if bucket_only else "/" + t.key
        if t.path_style:
            path = f"{parts.path.rstrip('/')}/{t.bucket}{key_path}"
        else:
            host, path = f"{t.bucket}.{host}", key_path or "/"
        headers = sign(method, host, path, region=self.region, access_key=t.access_key, secret_key=t.secret_key,
                       when=datetime.datetime.now(datetime.timezone.utc), session_token=t.session_token)
        conn_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        conn = conn_class(host, timeout=self.timeout)
        try:
            conn.request(method, quote(path, safe="/" + UNRESERVED), headers=headers)
            response = conn.getresponse()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise S3Error(f"{t.endpoint} did not answer: {type(exc).__name__}: {exc}", transient=True,
                          refused=isinstance(exc, ConnectionRefusedError)) from None
        # AWS names the bucket's region when it is not the one the request was signed for: once, again there.
        region = response.getheader("x-amz-bucket-region")
        if response.status in (301, 400) and region and region != self.region:
            response.read()
            conn.close()
            self.region = region
            return self._request(method, bucket_only)
        return conn, response

    def _answer(self, method: str, bucket_only: bool, what: str, ok: tuple[int, ...]) -> tuple[int, bytes, int]:
        """(status, body, rows): the rows are counted while the body streams when the status is 200 (GET)."""
        conn, response = self._request(method, bucket_only)
        try:
            if response.status == 200 and method == "GET":
                return 200, b"", count_csv_rows(response)
            body = response.read()
        finally:
            conn.close()
        if response.status not in ok:
            raise S3Error(f"{what} failed: {_error_text(response.status, body)}", transient=response.status >= 500)
        return response.status, body, 0

    def create_bucket(self) -> None:
        """The embedded server's bucket (its default region, us-east-1: no location body). 409: it exists."""
        self._answer("PUT", True, f"creating the bucket {self.target.bucket}", (200, 409))

    def count_rows(self) -> int:
        """validated.csv's rows; 0 while the file does not exist (a missing bucket is an error)."""
        status, body, rows = self._answer("GET", False, f"reading {self.target.url}", (200, 404))
        if status == 404 and b"NoSuchBucket" in body:
            raise S3Error(f"reading {self.target.url} failed: {_error_text(status, body)}")
        return rows


def read_rows(target: S3Object, *, create_bucket: bool, timeout: float, wait: float) -> int:
    """Row count of `target`, retrying for `wait` seconds while the server is starting (no answer or a 5xx),
    and for at most 3 s while nothing listens at all (then the server is not where the tool can reach it)."""
    client = S3Client(target, timeout)
    started = time.monotonic()
    while True:
        try:
            if create_bucket:
                client.create_bucket()
            return client.count_rows()
        except S3Error as exc:
            elapsed = time.monotonic() - started
            if not exc.transient or elapsed > wait or (exc.refused and elapsed > 3):
                raise
        time.sleep(0.2)
