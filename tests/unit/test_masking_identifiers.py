"""The long-run rule on near misses: identifiers that look random at a glance but have a clear structure stay
readable; credentials, including those that sit next to such identifiers, stay masked; and every value the
project declares secret is masked whatever its shape (the Masker's known values come before any shape).

Sources cited by the rows:
- Airflow (airflow/cli/commands/task_command.py, `_generate_temporary_run_id`): `airflow tasks test` runs
  under `__airflow_temporary_run_{timezone.utcnow().isoformat()}__`; DagRunType ids are `<type>__<ISO date>`
  (`manual__`, `scheduled__`, `dataset_triggered__`), shown in AIRFLOW_CTX_DAG_RUN_ID and log paths.
- dind_doctor/engine/resources.py and levels/walk.py: dind-doctor names what it creates
  `dind-doctor-<run id: 12 hex>-<component or compose key>-<n>`.
- Docker: image ids and digests are `sha256:<64 hex>` content addresses; a container's id (64 hex) names its
  folder in /var/lib/docker/containers/ and its cgroup (`/docker/<id>`, systemd `docker-<id>.scope`).
- `openssl rand -hex 16|32`, `openssl rand -base64 32`, Python's `secrets.token_hex`/`token_urlsafe`, Fernet
  keys (urlsafe base64 of 32 bytes), AWS secret keys (40 characters of base64; AWS's documentation example
  `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`): what generated credentials look like. GitHub webhooks sign
  with `sha256=<hex HMAC>`.
"""
from __future__ import annotations

import base64
import random
import string
from pathlib import Path

import pytest
from test_project_support import make_ctx, write_tree

from dind_doctor.masking import Masker
from dind_doctor.secret_rules import shapes_masked
from dind_doctor.secret_sources import project_masker

HEX64 = "4f1c0d3e9b2a87f6e5d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a2918a0b1"
RUN_ID = "__airflow_temporary_run_2026-11-27T10:00:00.123456+00:00__"

# (id, text, what must stay readable ("" when nothing), what must be masked ("" when nothing), why)
ROWS = [
    ("airflow-temporary-run-id", f"AIRFLOW_CTX_DAG_RUN_ID='{RUN_ID}'", RUN_ID, "",
     "words between underscores and an ISO date-time: Airflow's `tasks test` run id"),
    ("airflow-run-id-in-log-path", f"logs/dag_id=extract/run_id={RUN_ID}/task_id=load", RUN_ID, "",
     "the same id after `=`, in the log folder Airflow writes"),
    ("airflow-dataset-triggered-run-id", "run dataset_triggered__2026-11-27T10:00:00.5+00:00 queued",
     "dataset_triggered__2026-11-27T10:00:00.5+00:00", "", "a DagRunType prefix and a date-time"),
    ("dockerfile-name-words", "built Dockerfile_Extractor_SQL_Server_2019 for extractor",
     "Dockerfile_Extractor_SQL_Server_2019", "", "Capitalized words, an acronym and a year between underscores"),
    ("pascal-case-warning", "AirflowDockerOperatorDeprecationWarning: auto_remove",
     "AirflowDockerOperatorDeprecationWarning", "", "one PascalCase name: words of two letters or more"),
    ("dind-doctor-own-volume", "volume dind-doctor-3f2a9c1b5d6e-Code_Vol2-1 removed",
     "dind-doctor-3f2a9c1b5d6e-Code_Vol2-1", "", "dind-doctor's own name: prefix, run id, compose key"),
    ("image-digest", f"image sha256:{HEX64}", f"sha256:{HEX64}", "", "a content address: public"),
    ("container-folder", f"/var/lib/docker/containers/{HEX64}/hostname", HEX64, "",
     "a container id as the daemon's folder name"),
    ("cgroup-v2-scope", f"0::/system.slice/docker-{HEX64}.scope", HEX64, "", "a container id in its cgroup"),
    ("cgroup-v1-docker", f"12:memory:/docker/{HEX64}", HEX64, "", "a container id in its cgroup"),
    ("hex-key-alone", f"SECRET_KEY is {HEX64}", "SECRET_KEY is", HEX64,
     "64 hex digits with no daemon context: `openssl rand -hex 32`"),
    ("hex-key-after-sha256-equals", f"X-Hub-Signature-256: sha256={HEX64}", "X-Hub-Signature-256", HEX64,
     "`sha256=` (an HMAC signature), not `sha256:` (a content address)"),
    ("hex-128-bit-token", "token 9f86d081884c7d659a2feaa0c55ad015", "token", "9f86d081884c7d659a2feaa0c55ad015",
     "32 hex digits: `openssl rand -hex 16`"),
    ("hex-inside-an-identifier", "run_9f86d081884c7d659a2feaa0c55ad015_Test_2026", "",
     "run_9f86d081884c7d659a2feaa0c55ad015_Test_2026", "a hex key is no word: the run is no identifier"),
    ("hex-inside-a-lowercase-name", "backup_9f86d081884c7d659a2feaa0c55ad015_test", "backup_",
     "9f86d081884c7d659a2feaa0c55ad015", "no mixed case, yet 32 hex digits: masked on their own"),
    ("hex-under-a-non-daemon-folder", f"/run/secrets/{HEX64}", "/run/secrets/", HEX64,
     "a 64-hex name outside the daemon's folders"),
    ("hex-63-under-containers", f"/var/lib/docker/containers/{HEX64[:63]}", "/var/lib/docker/containers/",
     HEX64[:63], "a container id is 64 hex digits exactly"),
    ("random-after-equals", "token=O0SazeF_BWjJN9y3tUEwR81MivgiuuJSwuB9rEOZSAw", "token=",
     "O0SazeF_BWjJN9y3tUEwR81MivgiuuJSwuB9rEOZSAw", "a urlsafe token after `=` (before: never looked at)"),
    ("fernet-key-no-digit", "key=wHCtqYhHKMK-ppDVAcydIZOtLICwurBwjuyGSSptmkk=", "key=",
     "wHCtqYhHKMK-ppDVAcydIZOtLICwurBwjuyGSSptmkk=", "a 44-character Fernet key with no digit (1 in 1,400)"),
    ("base64-segments-mixed", "AbCdEf12-GhIjKl34_MnOpQr56-StUvWx78", "", "AbCdEf12-GhIjKl34_MnOpQr56-StUvWx78",
     "separators, but each segment alternates cases letter by letter: no word in it"),
    ("acronym-glued-to-words-no-digit", "client MyAPIClient_Extractor_Service_Dockerfile", "client ",
     "MyAPIClient_Extractor_Service_Dockerfile", "the price of safety: between separators a camelCase segment needs "
     "words of 3+ lower case letters (`My` is 2 letters); a looser rule let random tokens through"),
    ("windows-profile-path", "see /Users/JohnDoe/OneDrive/Documents/Projects/extractor",
     "/Users/JohnDoe/OneDrive/Documents/Projects/extractor", "", "a path: its folders are names of words"),
    ("project-folder-path", "read 01_model_and_data/03_drafts/06_DinD/hosted/docker-compose.yaml",
     "01_model_and_data/03_drafts/06_DinD/hosted/docker-compose.yaml", "",
     "folders numbered and named (`06_DinD`): the layout of the user's project, issue 15"),
    ("aws-secret-key-slashes-no-plus", "aws wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws ",
     "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS's documented example secret key: parts that are no names"),
    ("base64-with-plus-and-padding", "key rDUXigp/hdQaYttTdvtwmJRJOpEStPfhMCHPHnYxICQ=", "key ",
     "rDUXigp/hdQaYttTdvtwmJRJOpEStPfhMCHPHnYxICQ=", "`openssl rand -base64 32`: the `=` padding, no path has it"),
    ("key-prefix-inside-a-random-run", "x MIIeWeSAxYdmJ_Bev2QOq_hLgNzeV3Zh y", "",
     "MIIeWeSAxYdmJ_Bev2QOq_hLgNzeV3Zh", "the run is masked whole before the `MII` prefix could mask only its head"),
    ("key-prefix-after-a-separator", "x Bh1g_MIIEicBvruRxJ6EVzIraCXxAcV5 y", "",
     "Bh1g_MIIEicBvruRxJ6EVzIraCXxAcV5", "nor only its tail (`Bh1g_` would show)"),
    ("date-time-then-random", "__airflow_run_2026-11-27T10_x9KqZ7vLp2Rw8YtN4mB6", "",
     "__airflow_run_2026-11-27T10_x9KqZ7vLp2Rw8YtN4mB6", "a date-time does not excuse a random segment"),
]


@pytest.mark.parametrize("row, text, visible, masked, why", ROWS, ids=[r[0] for r in ROWS])
def test_near_misses(row, text, visible, masked, why):
    shown = Masker()(text)
    assert shapes_masked(text) == shown
    if visible:
        assert visible in shown, (row, why, shown)
    if masked:
        assert masked not in shown and f"***({len(masked)})" in shown, (row, why, shown)
    else:
        assert shown == text, (row, why, shown)


# Values the project declares secret, each shaped like an identifier the rule leaves readable.
DECLARED = {
    "dotenv": "__airflow_temporary_run_2026-11-27T10",
    "dag-private": "Dockerfile_Extractor_SQL_Server_2019",
    "compose": f"sha256:{HEX64}",
    "script": "dind-doctor-3f2a9c1b5d6e-Code_Vol2-1",
}


def test_declared_secrets_stay_masked_whatever_their_shape(tmp_path: Path):
    write_tree(tmp_path, {
        ".env": f"DB_PASSWORD={DECLARED['dotenv']}\n",
        "dags/extract.py": "from airflow.providers.docker.operators.docker import DockerOperator\n"
                           "DockerOperator(task_id='x', image='busybox',\n"
                           f"               private_environment={{'PAYLOAD': '{DECLARED['dag-private']}'}})\n",
        "compose.yaml": f"services:\n  app:\n    image: busybox\n    environment:\n      SIGNING_KEY: \"{DECLARED['compose']}\"\n",
        "run.sh": f"docker run -e API_TOKEN={DECLARED['script']} busybox\n",
    })
    mask = project_masker(make_ctx(tmp_path))
    for source, value in DECLARED.items():
        assert shapes_masked(f"saw {value} here") == f"saw {value} here", source  # the shape alone shows it
        assert value not in mask(f"saw {value} here"), source  # declared: masked
        assert mask(f"saw {value} here") == f"saw ***({len(value)}) here", source


def _draws(rng: random.Random, n: int) -> list[str]:
    """n random credentials of each of six kinds, 32 to 64 characters: token_urlsafe-like (base64url), base62,
    any of base64url's characters, standard base64 of 32 and 48 bytes, AWS-secret-key-like (40 of base64)."""
    base62 = string.ascii_letters + string.digits
    draws: list[str] = []
    for _ in range(n):
        draws.append(base64.urlsafe_b64encode(rng.randbytes(rng.choice([24, 32, 48]))).decode().rstrip("="))
        draws.append("".join(rng.choices(base62, k=rng.choice([32, 40, 64]))))
        draws.append("".join(rng.choices(base62 + "-_", k=rng.choice([32, 43, 64]))))
        draws.append(base64.b64encode(rng.randbytes(32)).decode())
        draws.append(base64.b64encode(rng.randbytes(48)).decode())
        draws.append("".join(rng.choices(base62 + "+/", k=40)))
    return draws


def test_random_credentials_never_pass_as_identifiers():
    """30,000 random credentials (seeded: the same on every run) are each masked whole; none of 6,000,000 drawn
    with other seeds while writing the rule passed either."""
    mask = Masker()
    leaked = [t for t in _draws(random.Random(20261127), 5_000) if mask(f"x {t} y") != f"x ***({len(t)}) y"]
    assert leaked == []


def test_names_are_told_the_same_without_possessive_quantifiers():
    # Python 3.10 compiles the name patterns without them (secret_runs._HOLD): the same segments must match.
    import re

    from dind_doctor import secret_runs

    rng = random.Random(15)
    pieces = ["a", "ab", "abc", "abcd", "Ab", "Abc", "ABC", "AB", "X", "Sql", "Server", "2", "19", "q", "Zz", "SQLServer"]
    letters = string.ascii_letters + string.digits
    for compiled in (secret_runs._SHORT_NAME, secret_runs._LONG_NAME, secret_runs._WORDS_ALONE):
        greedy = re.compile(compiled.pattern.replace("}+", "}").replace("]++", "]+"))
        matched = 0
        for n in range(40_000):
            segment = ("".join(rng.choice(pieces) for _ in range(rng.randint(1, 6))) if n % 2 else
                       "".join(rng.choice(letters) for _ in range(rng.randint(1, 24))))
            held = compiled.fullmatch(segment) is not None
            assert held == (greedy.fullmatch(segment) is not None), (compiled.pattern, segment)
            matched += held
        assert 1_000 < matched < 39_000  # both outcomes were drawn many times
