"""The reference module's transformation, on SQLite through the same SQLAlchemy code it runs on PostgreSQL."""
from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import pytest

pd = pytest.importorskip("pandas", reason="the extractor tests need pandas (the `test` extra)")
sqlalchemy = pytest.importorskip("sqlalchemy", reason="the extractor tests need sqlalchemy (the `test` extra)")

EXTRACTOR = Path(__file__).resolve().parents[2] / "hosted" / "app" / "extractor_03.py"


@pytest.fixture(scope="module")
def extractor():
    spec = importlib.util.spec_from_file_location("extractor_03", EXTRACTOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def db_uri(tmp_path):
    uri = f"sqlite:///{tmp_path / 'fraud.db'}"
    engine = sqlalchemy.create_engine(uri)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE fraud_detection_2_table (id INTEGER PRIMARY KEY, amt REAL, merchant TEXT,"
            " is_fraud INTEGER, fraud_confirmed INTEGER)")
        for i in range(1, 21):
            conn.exec_driver_sql("INSERT INTO fraud_detection_2_table VALUES (?, ?, ?, ?, NULL)",
                                 (i, i * 1.5, f"m{i}", i % 2))
    engine.dispose()
    return uri


def run_main(extractor, monkeypatch, env: dict) -> int:
    for name in ("LOGGER_SQL_URI", "OUTPUT_URL", "DEMO_MODE", "DEBUG_MODE", "AWS_ENDPOINT_URL", "S3_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return extractor.main()


def test_each_demo_debug_run_adds_exactly_one_row(extractor, monkeypatch, db_uri, tmp_path):
    out = tmp_path / "validated.csv"
    for expected in (1, 2, 3):
        assert run_main(extractor, monkeypatch, {"LOGGER_SQL_URI": db_uri, "OUTPUT_URL": str(out)}) == 0
        frame = pd.read_csv(out)
        assert len(frame) == expected
    assert list(frame.columns) == ["id", "amt", "merchant", "is_fraud"]  # predicted dropped, confirmed renamed
    assert set(frame["is_fraud"]) <= {0, 1}


def test_confirmed_label_replaces_the_prediction(extractor, db_uri):
    engine = sqlalchemy.create_engine(db_uri)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE fraud_detection_2_table SET fraud_confirmed = 1 - is_fraud WHERE id <= 3")
        frame = extractor.extract(conn, demo=False, debug=True, rng=random.Random(0))
    assert frame["id"].tolist() == [1, 2, 3]
    assert frame["is_fraud"].tolist() == [0, 1, 0]  # the confirmed values, not the predicted 1, 0, 1


def test_non_debug_demo_confirms_a_quarter(extractor, db_uri):
    engine = sqlalchemy.create_engine(db_uri)
    with engine.begin() as conn:
        assert extractor.confirm_some(conn, debug=False, rng=random.Random(1)) == 5  # 25% of 20
        assert len(extractor.read_validated(conn)) == 5


def test_demo_off_only_extracts(extractor, monkeypatch, db_uri, tmp_path):
    out = tmp_path / "validated.csv"
    env = {"LOGGER_SQL_URI": db_uri, "OUTPUT_URL": str(out), "DEMO_MODE": "0"}
    assert run_main(extractor, monkeypatch, env) == 0
    assert len(pd.read_csv(out)) == 0


def test_missing_table_exits_non_zero_with_a_message(extractor, monkeypatch, tmp_path, capsys):
    uri = f"sqlite:///{tmp_path / 'empty.db'}"
    code = run_main(extractor, monkeypatch, {"LOGGER_SQL_URI": uri, "OUTPUT_URL": str(tmp_path / "o.csv")})
    assert code == extractor.EXIT_NO_TABLE
    assert "fraud_detection_2_table does not exist" in capsys.readouterr().err


def test_missing_uri_exits_non_zero(extractor, monkeypatch, capsys):
    assert run_main(extractor, monkeypatch, {}) == extractor.EXIT_CONFIG
    assert "LOGGER_SQL_URI is not set" in capsys.readouterr().err


def test_unreachable_database_is_a_message_not_a_traceback(extractor, monkeypatch, tmp_path, capsys):
    uri = f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}"
    assert run_main(extractor, monkeypatch, {"LOGGER_SQL_URI": uri}) == extractor.EXIT_DATABASE
    assert "cannot use the database" in capsys.readouterr().err


@pytest.mark.parametrize("value, expected", [("", True), ("1", True), ("true", True), ("0", False),
                                             ("false", False), ("OFF", False), ("no", False)])
def test_env_flag(extractor, value, expected):
    assert extractor.env_flag("X", env={"X": value}) is expected


def test_storage_options_only_for_s3_with_an_endpoint(extractor):
    env = {"AWS_ENDPOINT_URL": "http://s3:9000"}
    assert extractor.storage_options("s3://b/k.csv", env) == {"client_kwargs": {"endpoint_url": "http://s3:9000"}}
    assert extractor.storage_options("file:///tmp/k.csv", env) is None
    assert extractor.storage_options("s3://b/k.csv", {}) is None
    assert extractor.storage_options("s3://b/k.csv", {"S3_ENDPOINT_URL": "http://x"})["client_kwargs"] == {
        "endpoint_url": "http://x"}


@pytest.mark.parametrize("uri, expected", [
    ("postgres://u:p@h:5432/d", "postgresql+psycopg2://u:p@h:5432/d"),
    ("postgresql://u:p@h/d", "postgresql+psycopg2://u:p@h/d"),
    ("postgresql+psycopg://u:p@h/d", "postgresql+psycopg://u:p@h/d"),
    ("sqlite:///x.db", "sqlite:///x.db"),
])
def test_postgres_urls_name_the_installed_driver(extractor, uri, expected):
    assert extractor.with_psycopg2(uri) == expected
