"""The tool's own S3 reader: SigV4 against AWS's published example, and the row count pandas would give."""
from __future__ import annotations

import datetime
import io

import pytest

from dind_doctor.reference.rows import RowReader
from dind_doctor.reference.s3_read import count_csv_rows, output_object, sign


def test_signature_matches_the_aws_documentation_example():
    # "Example: GET Object" of the S3 SigV4 documentation (Authenticating Requests: Using the Authorization
    # Header): its keys are AWS's published example keys, its signature is the documented one.
    headers = sign("GET", "examplebucket.s3.amazonaws.com", "/test.txt", region="us-east-1",
                   access_key="AKIAIOSFODNN7EXAMPLE", secret_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                   when=datetime.datetime(2013, 5, 24, tzinfo=datetime.timezone.utc), headers={"Range": "bytes=0-9"})
    assert headers["authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    assert "wJalrXUtnFEMI" not in repr(headers)  # the secret only feeds the HMAC chain


def test_a_session_token_is_signed_too():
    headers = sign("GET", "h", "/b/k", region="eu-west-3", access_key="AK", secret_key="SK", session_token="TOKEN",
                   when=datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc))
    assert headers["x-amz-security-token"] == "TOKEN"
    assert "x-amz-security-token" in headers["authorization"] and "/eu-west-3/s3/" in headers["authorization"]


@pytest.mark.parametrize("text, rows", [
    ("", 0),  # pandas: EmptyDataError, counted as 0
    ("a,b\n", 0),
    ("a,b\n1,2\n3,4\n", 2),
    ("a,b\r\n1,2\r\n\r\n3,4", 2),  # CRLF, a blank line skipped, no final newline
    ('a,b\n1,"two\nlines"\n3,4\n', 2),  # a quoted line break stays in its record
])
def test_rows_counted_as_pandas_reads_them(text, rows):
    assert count_csv_rows(io.BytesIO(text.encode())) == rows


def test_output_object_follows_the_module_settings():
    env = {"AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s", "AWS_ENDPOINT_URL": "http://reference-s3:9000",
           "OUTPUT_URL": "s3://bucket/data/validated.csv"}
    target = output_object(env)
    assert (target.endpoint, target.bucket, target.key, target.path_style) == (
        "http://reference-s3:9000", "bucket", "data/validated.csv", True)
    assert output_object(env, "http://127.0.0.1:5000").endpoint == "http://127.0.0.1:5000"
    aws = output_object({**env, "AWS_ENDPOINT_URL": "", "AWS_DEFAULT_REGION": "eu-west-3"})
    assert (aws.endpoint, aws.path_style, aws.region) == ("https://s3.eu-west-3.amazonaws.com", False, "eu-west-3")
    # What only the module's own reader can read: another scheme, no static keys (a role, a profile).
    assert output_object({**env, "OUTPUT_URL": "gs://b/k.csv"}) is None
    assert output_object({"OUTPUT_URL": "s3://b/k.csv"}) is None


def test_an_unreachable_server_falls_back_to_the_module_read_and_says_why():
    calls = []
    env = {"AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s", "OUTPUT_URL": "s3://b/k.csv"}
    # Port 9 on loopback: nothing listens (refused at once), so the reader gives up after its short grace.
    reader = RowReader(env, lambda create: calls.append(create) or 7, endpoint="http://127.0.0.1:9")
    assert reader.count(create_bucket=True) == 7 and calls == [True]
    assert "module's image" in reader.note and "did not answer" in reader.note
    assert reader.count(create_bucket=False) == 7 and calls == [True, False]  # decided once per run


def test_a_users_endpoint_that_does_not_resolve_here_falls_back_at_once():
    # A name only the module's network resolves (a compose service name): no retries, the module's image reads it.
    env = {"AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s", "OUTPUT_URL": "s3://b/k.csv",
           "AWS_ENDPOINT_URL": "http://minio.invalid:9000"}
    reader = RowReader(env, lambda create: 3)
    assert reader.wait == 0.0
    assert reader.count(create_bucket=False) == 3 and "module's image" in reader.note
