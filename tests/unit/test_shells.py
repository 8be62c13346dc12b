import pytest

from dind_doctor.shells import detect, shell_from_process_name


@pytest.mark.parametrize("name,shell", [("pwsh.exe", "powershell"), ("powershell.exe", "powershell"),
                                        ("cmd.exe", "cmd"), ("bash", "bash"), ("zsh", "bash"),
                                        ("python3", None), ("Code.exe", None)])
def test_process_names(name, shell):
    assert shell_from_process_name(name) == shell


def test_nearest_shell_ancestor_wins():
    assert detect({}, "win32", ["python.exe", "pwsh.exe", "explorer.exe"])[0] == "powershell"
    assert detect({}, "win32", ["python.exe", "cmd.exe", "pwsh.exe"])[0] == "cmd"


def test_git_bash_is_bash_with_msystem():
    shell, reason = detect({"MSYSTEM": "MINGW64"}, "win32", ["python.exe", "bash.exe"])
    assert shell == "gitbash" and "MINGW64" in reason


def test_fallbacks_without_ancestors():
    assert detect({}, "win32", [])[0] == "powershell"
    assert detect({}, "linux", [])[0] == "bash"
    assert detect({"MSYSTEM": "MSYS"}, "win32", [])[0] == "gitbash"
