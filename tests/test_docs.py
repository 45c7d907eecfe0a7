"""What a fresh clone reads: the API contract in docs/API.md agrees with the app, and the README points only
at files the repository has."""

import importlib.util
import re
from pathlib import Path

from api.main import app

ROOT = Path(__file__).resolve().parents[1]
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}

# Operations the contract names that no code answers yet, each with the work that brings it. Remove a line
# when its route lands (the test below tells which ones already exist).
PENDING: set[tuple[str, str]] = set()  # none since "Round administration" landed (issue 14)


def _api_doc():
    spec = importlib.util.spec_from_file_location("api_doc", ROOT / "scripts" / "api_doc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def _served() -> set[tuple[str, str]]:
    from api.templating import _leaves  # included routers answer through their leaves

    return {(method, _shape(route.path)) for route in _leaves(app)
            for method in (getattr(route, "methods", None) or ())}


def test_the_index_of_operations_in_docs_api_md_is_the_apps_openapi_document():
    api_doc = _api_doc()
    current = api_doc.API_MD.read_text(encoding="utf-8")
    assert current == api_doc.render(current, app.openapi()), "docs/API.md is out of date: run python scripts/api_doc.py"


def test_every_operation_the_contract_names_is_served():
    contract = (ROOT / "docs" / "API.md").read_text(encoding="utf-8").split(_api_doc().MARKER)[0]
    named = {(method, _shape(path)) for method, path in re.findall(r"`(GET|POST|PUT|PATCH|DELETE) (/[^\s`?…]+)", contract)}
    assert len(named) > 40
    missing = named - _served() - PENDING
    assert missing == set(), f"the contract names operations the app does not serve: {sorted(missing)}"
    assert PENDING <= named, "PENDING lists an operation the contract no longer names"


def test_readme_links_only_to_files_of_the_repository():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "../shared" not in readme  # nothing outside the clone (the contract used to live there)
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", readme)
    local = [t for t in targets if not re.match(r"[a-z]+:", t)]
    assert "docs/API.md" in local
    assert [t for t in local if not (ROOT / t).exists()] == []
    # Backticked paths of files the README tells a reader to open exist too.
    quoted = re.findall(r"`((?:docs|scripts|deploy|tests|bench|api|award|judging|templates|static)/[\w./-]+\.\w+)`", readme)
    assert quoted and [q for q in quoted if not (ROOT / q).exists()] == []


def test_the_operations_section_covers_what_an_operator_needs_and_names_real_commands():
    import typer.main

    from api.cli import app as cli

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for heading in ("### First accounts in production", "### Upgrading", "### Backup and restore",
                    "### Several machines (adding an app or worker machine)", "### What to monitor", "## Deployment"):
        assert heading in readme, heading
    group = typer.main.get_command(cli)
    commands = set()
    for name, command in group.commands.items():
        commands.add(name)
        commands.update(f"{name} {sub}" for sub in getattr(command, "commands", {}))
    used = set(re.findall(r"(?:`|^|migrate |&& )award ([a-z]+(?: [a-z-]+)?)", readme, re.M))
    assert {"user create", "backup", "restore", "migrate", "outbox work"} <= {u for u in used}
    unknown = {u for u in used if u not in commands and u.split()[0] not in commands}
    assert unknown == set(), unknown
    for script in re.findall(r"`(scripts/[\w.-]+)", readme):
        assert (ROOT / script).exists(), script


def _settings_rows(readme: str) -> list[tuple[list[str], str]]:
    section = readme[readme.index("## Settings"):readme.index("## Security model")]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) == 3:
            rows.append((re.findall(r"`([A-Z0-9_*]+)`", cells[0]), cells[1]))
    return rows


def _shown(value) -> str:
    from pathlib import PurePath

    if isinstance(value, PurePath):
        return f"./{value}"
    return str(value).lower() if isinstance(value, bool) else str(value).removesuffix(".0")


def test_the_settings_table_lists_every_setting_the_code_reads_with_its_default():
    from api.settings import Settings

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = _settings_rows(readme)
    listed = {name for names, _ in rows for name in names}
    fields = {f"AWARD_{name.upper()}": info.default for name, info in Settings.model_fields.items()}
    caps = {k for k in fields if re.fullmatch(r"AWARD_MAX_\w+_MB", k)}
    assert "AWARD_MAX_*_MB" in listed
    missing = set(fields) - caps - listed
    assert missing == set(), f"settings the code reads but the README does not list: {sorted(missing)}"
    entrypoint = (ROOT / "scripts/docker-entrypoint.sh").read_text()
    for name in listed - set(fields) - {"AWARD_MAX_*_MB", "PROMETHEUS_MULTIPROC_DIR"}:
        assert f"${{{name}" in entrypoint, f"the README lists {name}, which nothing reads"
    derived = {"AWARD_DATABASE_URL", "AWARD_S3_PUBLIC_ENDPOINT", "AWARD_SECRET_KEY"}  # computed or a placeholder
    for names, cell in rows:
        if names == ["AWARD_MAX_*_MB"]:
            shown = [int(n) for n in re.findall(r"\d+", cell)]
            assert shown == [fields[f"AWARD_MAX_{k}_MB"] for k in ("DOCUMENT", "IMAGE", "AUDIO", "VIDEO")]
            continue
        parts = cell.split(", ") if len(names) > 1 else [cell]
        assert len(parts) == len(names), (names, cell)
        for name, part in zip(names, parts):
            if name not in fields or name in derived:
                continue
            value = re.fullmatch(r"`([^`]*)`", part)  # else none, "(none…)", "(real time)"
            default = fields[name]
            if value is None:
                assert default is None, (name, part, default)
            else:
                assert value.group(1) == _shown(default), (name, part, default)
    assert re.search(r"\| `AWARD_WORKERS` \| `2` \|", readme) and "${AWARD_WORKERS:-2}" in entrypoint
    assert re.search(r"\| `AWARD_MIGRATE` \| `1` \|", readme) and "${AWARD_MIGRATE:-1}" in entrypoint


def test_each_figure_appears_once():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    # Request threads and pool sizes live in the settings table only; suggestion speed in the bench table only.
    assert "pool of 20" not in readme and "114 ms" not in readme and "108 s" not in readme
    assert readme.count("| `AWARD_REQUESTS_IN_FLIGHT` | `40` |") == 1


def test_the_readme_says_why_tests_are_deselected_and_how_to_change_the_demo_port():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "deselected" in readme and "tests/security/conftest.py" in readme
    assert "config.hook.pytest_deselected" in (ROOT / "tests/security/conftest.py").read_text()
    assert "make demo PORT=8001" in readme and "make demo PY=python3.11" in readme
