"""scripts/ensure-test-services.sh waits for another apt/dpkg process instead of failing at once (issue 15,
item 17): an `apt-get` on PATH that answers with each kind of lock message a few times, then succeeds."""

import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "ensure-test-services.sh"
LOCK_MESSAGES = {
    "dpkg frontend": "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (apt-get)\n"
                     "E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?",
    "lists": "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (apt-get)\n"
             "E: Unable to lock directory /var/lib/apt/lists/",
    "dpkg": "E: Could not get lock /var/lib/dpkg/lock. It is held by process 4242 (dpkg)",
}


def fake_apt(tmp_path: Path, message: str, failures: int) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "apt-get").write_text(f"""#!/bin/sh
echo "$@" >> {tmp_path}/calls
n=$(wc -l < {tmp_path}/calls)
if [ "$n" -le {failures} ]; then printf '%s\\n' "{message}" >&2; exit 100; fi
exit 0
""")
    (bin_dir / "apt-get").chmod(0o755)
    return bin_dir


def run(tmp_path: Path, bin_dir: Path, wait: int = 600) -> subprocess.CompletedProcess:
    script = f'source "{SCRIPT}"; SUDO=""; APT_LOCK_WAIT={wait}; APT_LOCK_RETRY_SECONDS=0; apt_install chromium'
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60, check=False,
                          env={"PATH": f"{bin_dir}:/usr/bin:/bin"})


@pytest.mark.parametrize("lock", LOCK_MESSAGES)
def test_apt_waits_for_a_lock_held_by_another_process(tmp_path, lock):
    result = run(tmp_path, fake_apt(tmp_path, LOCK_MESSAGES[lock], failures=3))
    assert result.returncode == 0, result.stderr
    calls = (tmp_path / "calls").read_text().splitlines()
    assert len(calls) == 5  # update: 3 refusals and 1 success, then the install
    assert all("DPkg::Lock::Timeout=600" in call for call in calls)
    assert calls[-1].endswith("install -y -qq --no-install-recommends chromium")
    assert "waiting for another apt/dpkg process" in result.stderr


def test_apt_still_fails_at_once_on_another_error(tmp_path):
    result = run(tmp_path, fake_apt(tmp_path, "E: Unable to locate package chromium", failures=9))
    assert result.returncode == 1
    assert len((tmp_path / "calls").read_text().splitlines()) == 1


def test_apt_gives_up_after_the_wait(tmp_path):
    result = run(tmp_path, fake_apt(tmp_path, LOCK_MESSAGES["dpkg"], failures=99), wait=3)
    assert result.returncode == 1
    assert "still locked by another process after 3s" in result.stderr
