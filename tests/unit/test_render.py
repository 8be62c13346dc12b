import json

from dind_doctor.model import Finding, Location, Status, fixes, same_fix
from dind_doctor.render import json_report, table

FINDINGS = [
    Finding("docker-socket", Status.OK, "unix:///var/run/docker.sock answers", evidence={"API version": "1.41"}),
    Finding("port-2375", Status.FAIL, "the Docker API answers without TLS on 0.0.0.0:2375",
            detail="why it matters", fixes=fixes(powershell="Get-NetTCPConnection -LocalPort 2375", bash="ss -ltnp"),
            evidence={"process": "dockerd (pid 1)"}),
    Finding("backtick-continuation", Status.WARN, "space after backtick", location=Location("run host.ps1", 3, 5),
            fixes=same_fix("Delete the space after the backtick.")),
]


def test_json_schema_is_stable():
    report = json.loads(json_report.render(FINDINGS, "host", "bash"))
    assert report["schema"] == 1 and report["tool"]["name"] == "dind-doctor"
    assert report["level"] == "host" and report["shell"] == "bash"
    assert report["counts"] == {"ok": 1, "warn": 1, "fail": 1, "skip": 0, "error": 0}
    f = report["findings"][1]
    # schema 1 only ever gains fields
    assert set(f) >= {"check", "status", "summary", "detail", "location", "fixes", "evidence"}
    assert f["suppression"] is None
    assert f["location"] is None and f["status"] == "fail"
    assert {"shell": "powershell", "text": "Get-NetTCPConnection -LocalPort 2375"} in f["fixes"]
    assert report["findings"][2]["location"] == {"path": "run host.ps1", "line": 3}


def test_table_shows_the_fix_for_the_users_shell_only():
    out = table.render(FINDINGS, shell="powershell", level="host", unicode=True, colour=False)
    assert "Get-NetTCPConnection" in out and "ss -ltnp" not in out
    assert "run host.ps1:3:5: space after backtick" in out
    assert "fix (edit): Delete the space" in out
    assert "✖ fail" in out and "1 ok, 1 warn, 1 fail" in out


def test_table_ascii_fallback_encodes_in_cp1252_and_ascii():
    out = table.render(FINDINGS, shell="bash", level="dood", unicode=False, colour=False)
    out.encode("ascii")
    assert "x fail" in out and "ss -ltnp" in out


def test_can_encode():
    assert table.can_encode("✔⚠", "utf-8")
    assert not table.can_encode("✔⚠", "cp1252")
    assert not table.can_encode("✔", "no-such-codec")
