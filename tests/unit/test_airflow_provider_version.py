"""Which providers-docker series the project's files resolve to (auto_remove=True fails on 4.x only)."""
from __future__ import annotations

import pytest

from dind_doctor.airflow.provider_version import allows, resolve

STOCK_COMPOSE = ("x-airflow-common:\n  &airflow-common\n"
                 "  image: ${AIRFLOW_IMAGE_NAME:-apache/airflow:2.10.3}\n")
ROWS = [
    # the user's set-up: unpinned requirements, Airflow 2.10.3 image -> 4.x
    ([("requirements.txt", "apache-airflow-providers-docker\ndocker\npython-dotenv\n"),
      ("docker-compose.yaml", STOCK_COMPOSE)], "4.x", "without a version"),
    ([("requirements.txt", "apache-airflow-providers-docker==3.14.1\n")], "3.x", "pins the provider"),
    ([("requirements.txt", "apache-airflow-providers-docker>=4.0,<5\n")], "4.x", "a 4.x"),
    ([("requirements.txt", "apache-airflow-providers-docker<4\n")], "3.x", "a 3.x"),
    ([("requirements.txt", "apache-airflow-providers-docker~=3.10\n")], "3.x", "a 3.x"),
    ([("Dockerfile", "FROM apache/airflow:2.8.4-python3.11\nRUN pip install apache-airflow-providers-docker\n")],
     "3.x", "stays on a 3.x"),
    ([("Dockerfile", "FROM apache/airflow:2.10.3\n"
                     "RUN pip install apache-airflow-providers-docker --constraint "
                     "https://raw.githubusercontent.com/apache/airflow/constraints-2.10.3/constraints-3.12.txt\n")],
     "unknown", "constraints file"),
    ([("requirements.txt", "apache-airflow-providers-docker>=3.0\n"), ("requirements-dev.txt",
                                                                       "apache-airflow==2.10.3\n")],
     "4.x", "Airflow 2.10.3"),
    ([("requirements.txt", "apache-airflow-providers-docker\n")], "unknown", "no Airflow version"),
    ([("docker-compose.yaml", STOCK_COMPOSE)], "unknown", "does not name the provider"),
    ([("requirements.txt", "# apache-airflow-providers-docker==4.4.5\napache_airflow_providers_docker[ssh] == 4.4.5\n")],
     "4.x", "4.4.5"),
]


@pytest.mark.parametrize("sources,series,words", ROWS)
def test_series(sources, series, words):
    result = resolve(sources)
    assert result.series == series and words in result.reasoning, result.reasoning


def test_unpinned_in_airflow_image_names_the_caveat():
    result = resolve(ROWS[0][0])
    assert "pip show apache-airflow-providers-docker" in result.reasoning
    assert {c.rel for c in result.clues} == {"requirements.txt", "docker-compose.yaml"}
    assert all("=" not in c.text or "==" in c.text for c in result.clues)


@pytest.mark.parametrize("spec,version,ok", [
    ("==4.4.5", "4.4.5", True), ("==4.*", "4.1.0", True), ("!=4.*", "4.1.0", False), (">=3,<4", "3.14.1", True),
    (">=3,<4", "4.0.0", False), ("~=4.2", "4.9.0", True), ("~=4.2", "5.0.0", False), ("<=3.9", "3.10.0", False),
])
def test_allows(spec, version, ok):
    assert allows(spec, version) is ok


def test_clues_keep_their_line_numbers():
    """Only the lines holding `airflow` or `constraints-` (in any case, as the patterns fold it) are read:
    the others are skipped, the line numbers are str.splitlines' (a form feed ends a line), and a comment
    line names nothing."""
    from dind_doctor.airflow.provider_version import scan

    text = ("docker\r\n# apache-airflow-providers-docker==3.0\n\x0cAPACHE-AIRFLOW-PROVIDERS-DOCKER >= 4.1\rx\n"
            "FROM apache/airflow:2.9.1 AS a  # and apache-airflow==2.8.0\n"
            "pip install -c https://x/constraints-2.10.3/constraints-3.11.txt\n\n\u0131\n")
    providers, airflows = scan([("f", text)])
    assert [(c.line, c.text, spec) for c, spec in providers] == [(4, "APACHE-AIRFLOW-PROVIDERS-DOCKER >= 4.1", ">= 4.1")]
    assert [(c.line, c.text, v) for c, v in airflows] == [
        (6, "apache/airflow:2.9.1", "2.9.1"), (6, "apache-airflow==2.8.0", "2.8.0"),
        (7, "constraints-2.10.3/constraints", "2.10.3")]
    assert scan([("g", "no clue here\n")]) == ([], [])
    # U+0131 (dotless i) is an `i` to the case-folding patterns, not to str.lower: such a text is searched
    # with the patterns' own folding; an accent elsewhere is not (and changes nothing)
    folded = scan([("f", "caf\u00e9\napache-a\u0131rflow-providers-docker==3.1\n")])
    assert [(c.line, spec) for c, spec in folded[0]] == [(2, "==3.1")]
    assert [(c.line, spec) for c, spec in scan([("f", "caf\u00e9\napache-airflow-providers-docker<4\n")])[0]] == \
        [(2, "<4")]
