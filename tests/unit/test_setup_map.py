"""`dind-doctor map` on the seed, the hosted reference, a true-DinD project, a compose-only outer container
and bad input: what each level's daemon sees, what is lost and where, unknowns marked, nothing invented."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from test_project_support import HOSTED, SEED, make_ctx, write_tree as _write

from dind_doctor.cli import cli
from dind_doctor.setup_map.model import LOST, UNKNOWN, build_map
from dind_doctor.setup_map.render import html_page, mermaid, terminal


def _map(project: Path):
    return build_map(make_ctx(project).project_model)


def test_seed_map_host_outer_modules():
    root = _map(SEED)
    assert root.kind == "host" and [c.kind for c in root.children] == ["outer"]
    outer = root.children[0]
    assert "Docker-out-of-Docker" in outer.daemon and outer.where == "run_host.ps1:3"
    kinds = {(i.kind, i.text.split(" -> ")[-1]) for i in outer.items}
    assert ("socket", "/var/run/docker.sock") in kinds and ("bind", "/home/hosted") in kinds
    assert [c.title.split(" (")[0] for c in outer.children] == ["service extractor_sql", "service first_container"]
    module = outer.children[0]
    assert module.daemon.startswith("the host's daemon")
    volume = next(i for i in module.items if i.kind == "volume")
    assert volume.text == "hosted_extractor_sql_dag_shared_app -> /home/app" and "ONCE" in volume.note
    assert any(i.kind == "env_file" and i.text == "hosted/app/.env" for i in module.items)


def test_terminal_rendering_unicode_and_ascii_fallback():
    root = _map(SEED)
    fancy, plain = terminal(root, unicode=True), terminal(root, unicode=False)
    assert "┌" in fancy and "▼" in fancy and "OUTER CONTAINER: docker run python-dind:3.12-slim" in fancy
    plain.encode("cp1252")  # a cp1252 console prints it without a replacement character
    assert "+----" in plain and "MODULE CONTAINER: service extractor_sql" in plain


def test_mermaid_export():
    text = mermaid(_map(SEED))
    assert text.startswith("flowchart TD") and "n0 --> n1" in text and "n1 --> n2" in text
    assert "->" not in text.replace("-->", "")  # > inside labels is escaped (#gt;)


def test_broken_backtick_loses_the_later_lines_and_invents_nothing(tmp_path: Path):
    project = _write(tmp_path, {"run.ps1": "docker run -it --rm --privileged ` \n"
                                           "    -v //var/run/docker.sock:/var/run/docker.sock `\n    img:1\n"})
    root = _map(project)
    [outer] = root.children
    assert outer.title.startswith("? `docker run` at run.ps1:1") and "unknown" in outer.daemon
    assert not any(i.kind in ("bind", "socket") for i in outer.items)  # the socket never reaches docker run
    lost = [i for i in outer.items if i.state == LOST]
    assert len(lost) == 1 and "from line 2 on" in lost[0].text and "docker.sock" in lost[0].text


def test_true_dind_and_compose_only_outer(tmp_path: Path):
    dind = _write(tmp_path / "dind", {"run.sh": "docker run -d --privileged --name inner docker:dind\n"})
    [outer] = _map(dind).children
    assert outer.daemon == "its own dockerd (Docker-in-Docker)" and "Docker-out-of-Docker" not in outer.daemon
    compose_only = _write(tmp_path / "co", {
        "docker-compose.yml": "services:\n  dind:\n    image: docker:dind\n    privileged: true\n"
                              "  outer:\n    image: docker:cli\n    environment:\n      - DOCKER_HOST=tcp://dind:2376\n"})
    root = _map(compose_only)
    # the compose dind container drives Docker (its own dockerd); the client is a module on the host's daemon
    assert [(c.kind, c.title) for c in root.children] == [("outer", "service dind"),
                                                          ("module", "service outer (docker:cli)")]
    assert "Docker-out-of-Docker" not in terminal(root, unicode=False)


def test_wrong_host_bind_is_drawn_lost(tmp_path: Path):
    project = _write(tmp_path, {
        "run.sh": "docker run --rm -v /var/run/docker.sock:/var/run/docker.sock -v \"$PWD/hosted:/home/hosted\" o:1\n",
        "hosted/docker-compose.yml": "services:\n  app:\n    image: busybox\n    volumes:\n      - ./app:/home/app\n"})
    module = _map(project).children[0].children[0]
    [bind] = [i for i in module.items if i.kind == "bind"]
    assert bind.state == LOST and bind.text == "/home/hosted/app -> /home/app"


def test_unknowns_several_outers_missing_dockerfile_and_unknown_image(tmp_path: Path):
    project = _write(tmp_path, {
        "a.sh": "docker run -v /var/run/docker.sock:/var/run/docker.sock nowhere:1\n",
        "b.sh": "docker run -v /var/run/docker.sock:/var/run/docker.sock elsewhere:2\n",
        "docker-compose.yml": "services:\n  m:\n    build:\n      context: .\n      dockerfile: missing/Dockerfile\n"})
    root = _map(project)
    unknown = [i.text for n in root.walk() for i in n.items if i.state == UNKNOWN]
    assert "nowhere:1" in unknown and "elsewhere:2" in unknown and "several outer containers" in unknown
    assert "missing/Dockerfile" in unknown


def test_map_command_formats_and_masking(tmp_path: Path):
    project = _write(tmp_path, {
        "run.sh": "docker run -e DB_PASSWORD=hunter2hunter2 -v /var/run/docker.sock:/var/run/docker.sock o:1\n"})
    runner = CliRunner()
    for fmt in ("text", "mermaid", "html"):
        result = runner.invoke(cli, ["map", "--project", str(project), "--format", fmt])
        assert result.exit_code == 0, result.output
        assert "DB_PASSWORD" in result.output and "hunter2hunter2" not in result.output
    out = tmp_path / "map.html"
    result = runner.invoke(cli, ["map", "--project", str(project), "--format", "html", "-o", str(out)])
    assert result.exit_code == 0 and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    bad = runner.invoke(cli, ["map", "--project", str(tmp_path / "nope")])
    assert bad.exit_code == 2 and "Traceback" not in bad.output


def test_hosted_reference_and_html_is_standalone():
    page = html_page(_map(HOSTED), "map")
    assert "<script" not in page and "http" not in page.replace("http-equiv", "")
    assert "MODULE CONTAINER" in page and "service extractor_sql" in page



def test_one_run_in_two_shells_is_drawn_once_naming_both_scripts():
    """hosted/run_host.ps1 and run_host.sh (dood mode) start the very same container: one box, both named as
    ways to start it, the module under it once; run_host.sh's dind mode is another run, drawn apart."""
    root = _map(HOSTED)
    outers = [c for c in root.children if c.kind == "outer"]
    assert [[w.split(":")[0] for w in o.places] for o in outers] == [["run_host.ps1", "run_host.sh"], ["run_host.sh"]]
    assert [o.daemon.split(" (")[0] for o in outers] == ["the host's daemon, through the mounted socket",
                                                        "its own dockerd"]
    modules = [n.title for n in root.walk() if n.kind == "module"]
    assert modules == ["service extractor_sql (extractor_sql_dag_img)"] * 2  # once per run, not once per script
    assert not any(i.text == "several outer containers" for n in root.walk() for i in n.items)  # one DooD run
    text = terminal(root, unicode=False)
    assert f"[{outers[0].where} or {outers[0].also[0]}]" in text and text.count("OUTER CONTAINER") == 2
    assert f"{outers[0].where} or {outers[0].also[0]}" in html_page(root, "map")
    # `map --live` finds the box whichever of the two scripts the walk ran
    from dind_doctor.levels.matrix import Cell, Row
    from dind_doctor.setup_map.live import merge_levels

    for script in ("run_host.sh", "run_host.ps1"):
        merged = merge_levels(_map(HOSTED), [Row("s", "sentinel", {"outer": Cell("seen")})], script, "extractor_sql")
        assert [i.text for i in merged.children[0].items if i.kind == "observed"] == ["sentinel: seen"]


def test_scripts_that_start_containers_differently_stay_apart(tmp_path: Path):
    """Drawn once only when the whole box is the same: a broken backtick in the .ps1 (its later lines lost)
    keeps it apart from the .sh that passes every argument."""
    sock = "-v /var/run/docker.sock:/var/run/docker.sock"
    project = _write(tmp_path, {"run.sh": f"docker run --rm {sock} -e A=1 o:1\n",
                                "run.ps1": f"docker run --rm {sock} -e A=1 o:1\n",
                                "other.ps1": f"docker run --rm {sock} -e A=1 o:1 ` \n  --name x\n"})
    outers = [c for c in _map(project).children if c.kind == "outer"]
    assert sorted(sorted(w.split(":")[0] for w in o.places) for o in outers) == [["other.ps1"], ["run.ps1", "run.sh"]]
    [other] = [o for o in outers if o.where.startswith("other.ps1")]
    assert [i.state for i in other.items if i.kind == "lines"][0] == LOST

def test_live_rows_land_on_their_boxes():
    from dind_doctor.levels.matrix import Cell, Row
    from dind_doctor.setup_map.live import merge_levels

    rows = [Row("sentinel", "sentinel file in app/", {"host": Cell("seen"), "outer": Cell("seen"),
                                                       "module": Cell("missing", "hidden by the named volume")}),
            Row("volume:v", "named volume v", {"host": Cell("seen"), "outer": Cell("n/a"), "module": Cell("stale")})]
    root = merge_levels(_map(SEED), rows, "run_host.ps1", "extractor_sql")
    outer = root.children[0]
    module = outer.children[0]
    observed = lambda node: [(i.text, i.state) for i in node.items if i.kind == "observed"]  # noqa: E731
    assert observed(root) == [("sentinel file in app/: seen", "arrives"), ("named volume v: seen", "arrives")]
    assert observed(outer) == [("sentinel file in app/: seen", "arrives")]  # the n/a cell is left out
    assert observed(module) == [("sentinel file in app/: missing", LOST), ("named volume v: stale", LOST)]
    assert "hidden by the named volume" in next(i.note for i in module.items if i.kind == "observed")
    assert not any(i.kind == "observed" for i in outer.children[1].items)
    assert "✖ observed" in terminal(root, unicode=True)
    # a level the files' map does not draw: the row goes to the host box, saying so
    lone = merge_levels(_map(SEED), rows[:1], "elsewhere.ps1", "nope")
    assert any("does not draw" in i.note for i in lone.items if i.kind == "observed")
