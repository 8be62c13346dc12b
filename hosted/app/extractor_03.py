"""extractor_sql: copies the confirmed observations of fraud_detection_2_table to a CSV file.

Behaviour (all settings come from the environment, which compose fills from app/.env):
- LOGGER_SQL_URI: the PostgreSQL database (any SQLAlchemy URL works; the tests use SQLite).
- The table fraud_detection_2_table must exist, else the run ends with exit code 3 and says so.
- DEMO_MODE (default on): first give a random fraud_confirmed (0/1) to rows that have none:
  DEBUG_MODE (default on) picks exactly one row, otherwise a quarter of them. So each demo run adds one row.
- Every row whose fraud_confirmed is set is written to OUTPUT_URL (default
  s3://fraud-detection-2-bucket/data/validated.csv, any fsspec URL), with the predicted is_fraud dropped and
  fraud_confirmed renamed is_fraud.
- AWS_ENDPOINT_URL (or S3_ENDPOINT_URL) points s3:// at an S3-compatible server instead of AWS.
Exit codes: 0 done, 2 configuration missing, 3 table missing, 4 database unreachable, 5 output not written.
"""
from __future__ import annotations

import math
import os
import random
import sys

import pandas as pd
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

TABLE_NAME = "fraud_detection_2_table"
DEFAULT_OUTPUT_URL = "s3://fraud-detection-2-bucket/data/validated.csv"
NON_DEBUG_SHARE = 0.25  # share of the unconfirmed rows a non-debug demo run confirms

EXIT_CONFIG, EXIT_NO_TABLE, EXIT_DATABASE, EXIT_OUTPUT = 2, 3, 4, 5


def with_psycopg2(uri: str) -> str:
    """Heroku writes postgres://, which SQLAlchemy 2 refuses, and SQLAlchemy 2.1 maps a bare postgresql:// to
    psycopg 3: name the driver docker/requirements.txt installs. A URL naming its own driver is kept."""
    for scheme in ("postgres://", "postgresql://"):
        if uri.startswith(scheme):
            return "postgresql+psycopg2://" + uri[len(scheme):]
    return uri


def env_flag(name: str, default: bool = True, env: dict | None = None) -> bool:
    value = (os.environ if env is None else env).get(name, "").strip().lower()
    if not value:
        return default
    return value not in ("0", "false", "no", "off")


def table_exists(conn: Connection, table_name: str = TABLE_NAME) -> bool:
    return inspect(conn).has_table(table_name)


def confirm_some(conn: Connection, debug: bool, rng: random.Random) -> int:
    """Demo mode: give a random fraud_confirmed to rows that have none; returns how many were set."""
    ids = conn.execute(text(f"SELECT id FROM {TABLE_NAME} WHERE fraud_confirmed IS NULL ORDER BY id")).scalars().all()
    if not ids:
        return 0
    count = 1 if debug else max(1, math.ceil(len(ids) * NON_DEBUG_SHARE))
    for row_id in rng.sample(list(ids), count):
        conn.execute(text(f"UPDATE {TABLE_NAME} SET fraud_confirmed = :value WHERE id = :id"),
                     {"value": rng.randint(0, 1), "id": row_id})
    return count


def read_validated(conn: Connection) -> pd.DataFrame:
    """The confirmed rows, with the confirmed label as is_fraud (the model's prediction is dropped)."""
    frame = pd.read_sql(text(f"SELECT * FROM {TABLE_NAME} WHERE fraud_confirmed IS NOT NULL ORDER BY id"), conn)
    return frame.drop(columns=["is_fraud"]).rename(columns={"fraud_confirmed": "is_fraud"})


def storage_options(url: str, env: dict | None = None) -> dict | None:
    """fsspec options: an explicit S3 endpoint for S3-compatible servers (MinIO, moto)."""
    env = os.environ if env is None else env
    endpoint = env.get("S3_ENDPOINT_URL") or env.get("AWS_ENDPOINT_URL")
    if url.startswith("s3://") and endpoint:
        return {"client_kwargs": {"endpoint_url": endpoint}}
    return None


def extract(conn: Connection, demo: bool, debug: bool, rng: random.Random) -> pd.DataFrame:
    """The whole transformation, inside one transaction: confirm (demo), then read the validated set."""
    if demo:
        confirmed = confirm_some(conn, debug, rng)
        print(f"Demo mode: {confirmed} more row(s) given a fraud_confirmed value.", flush=True)
    return read_validated(conn)


def fail(code: int, message: str) -> int:
    print(f"extractor_sql: {message}", file=sys.stderr, flush=True)
    return code


def main() -> int:
    uri = os.environ.get("LOGGER_SQL_URI", "").strip()
    if not uri:
        return fail(EXIT_CONFIG, "LOGGER_SQL_URI is not set (compose passes it from app/.env)")
    uri = with_psycopg2(uri)
    output_url = os.environ.get("OUTPUT_URL", "").strip() or DEFAULT_OUTPUT_URL
    demo, debug = env_flag("DEMO_MODE"), env_flag("DEBUG_MODE")
    print(f"extractor_sql: demo mode {'on' if demo else 'off'}, debug mode {'on' if debug else 'off'}", flush=True)

    try:
        engine = create_engine(uri)
        with engine.begin() as conn:
            if not table_exists(conn):
                return fail(EXIT_NO_TABLE, f"table {TABLE_NAME} does not exist in the database")
            print(f"Table {TABLE_NAME} found.", flush=True)
            validated = extract(conn, demo, debug, random.Random())
    except SQLAlchemyError as exc:
        # The message of the driver says what failed (host, authentication); the URL's password is not in it.
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return fail(EXIT_DATABASE, f"cannot use the database: {reason}")

    try:
        validated.to_csv(output_url, index=False, storage_options=storage_options(output_url))
    except Exception as exc:  # fsspec backends raise many types (botocore, OSError, PermissionError...)
        return fail(EXIT_OUTPUT, f"cannot write {output_url}: {type(exc).__name__}: {exc}")
    print(f"The validated dataset contains {len(validated)} observation(s), written to {output_url}.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
