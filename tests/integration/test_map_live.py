"""`dind-doctor map --live` on the seed's shape: the levels walk's cells land on the map's boxes."""
from __future__ import annotations

from support import doctor
from test_levels import built_seed_like  # noqa: F401 - the fixture: a built seed-shaped project, removed after


def test_map_live_shows_the_sentinel_lost_at_the_module(docker_client, built_seed_like):  # noqa: F811
    project, env, env_args, _compose = built_seed_like
    args = [a for kv in env_args for a in ("--env", kv)]
    proc = doctor("map", "--live", "--project", str(project), "--format", "mermaid", *args, env=env, timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 1, proc.stderr  # the sentinel never reaches the module: lost, as levels says
    text = proc.stdout
    assert text.startswith("flowchart TD")
    module = next(line for line in text.splitlines() if "MODULE CONTAINER: service extractor_sql" in line)
    assert "✖ observed LOST: sentinel file in app/: missing" in module
    outer = next(line for line in text.splitlines() if "OUTER CONTAINER" in line)
    assert "observed" in outer and "sentinel file in app/: seen" in outer
