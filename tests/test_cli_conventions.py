"""What people expect of a command line: help that says what each command does, a
mistyped command named as such, JSON for scripts, completion and a manual page."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reader.cli import COMMANDS, build_parser, main

FIXTURES = Path(__file__).parent / "fixtures"
PAGE = FIXTURES / "ghost-blog-post.html"


def reader(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "reader", *args], capture_output=True,
                          text=True, timeout=60, cwd=cwd)


def test_help_lists_every_command_with_its_description_examples_and_environment() -> None:
    done = reader("--help")
    assert done.returncode == 0
    for name, command in COMMANDS.items():
        assert f"  {name} " in done.stdout
        assert command.summary.split()[0] in done.stdout
    assert "examples:" in done.stdout and "reader dump page.html" in done.stdout
    assert "READER_TUI_HOME" in done.stdout and "READER_TUI_MAX_BYTES" in done.stdout


def test_every_command_in_the_table_is_registered_by_its_module() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) == set(COMMANDS)
    for name in COMMANDS:  # and each can be built alone, as `reader NAME` does
        alone = next(a for a in build_parser([name])._actions if a.dest == "command")
        assert name in alone.choices


def test_format_options_say_what_each_format_is() -> None:
    for command in ("dump", "export"):
        out = reader(command, "--help").stdout
        assert "markdown:" in out and "json:" in out


def test_dump_imports_neither_the_library_nor_the_importers_nor_the_ui() -> None:
    code = ("import sys; from reader.cli import main; main(['dump', sys.argv[1]]); "
            "print(sorted(m for m in sys.modules if m.startswith(('reader.library', "
            "'reader.importers', 'reader.ui', 'textual', 'asyncio', 'sqlite3', 'httpx', "
            "'platformdirs'))), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, str(PAGE)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0
    assert done.stderr.strip() == "[]"


def test_a_mistyped_command_is_named_with_a_suggestion(tmp_path: Path) -> None:
    done = reader("lsit", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == ("reader: error: there is no command or file named 'lsit'; did you "
                           "mean `reader list`?\n")
    assert done.stdout == ""
    (tmp_path / "lsit").write_text("<p>A file that happens to be called lsit.</p>")
    assert "no command" not in reader("dump", "lsit", cwd=tmp_path).stderr


def test_another_programs_verb_is_pointed_at_ours(tmp_path: Path) -> None:
    """`reader config show` (as git and many tools spell it) names `reader paths`, which
    says where the config file is; `reader ls` names `reader list`."""
    done = reader("config", "show", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.endswith("named 'config'; did you mean `reader paths`?\n"), done.stderr
    assert "did you mean `reader list`?" in reader("ls", cwd=tmp_path).stderr


def test_the_width_option_before_the_page_is_not_taken_for_a_command(tmp_path: Path) -> None:
    done = reader("--width", "60", str(PAGE), cwd=tmp_path)
    assert "no command or file named" not in done.stderr
    # Without a terminal the page cannot be shown: the sentence is about that, not about "60".
    assert done.stderr.startswith("reader: error: reader needs a terminal"), done.stderr


def test_a_missing_file_that_looks_like_one_is_still_no_such_file(tmp_path: Path) -> None:
    done = reader("dump", "missing.html", cwd=tmp_path)
    assert done.returncode == 1 and "no command" not in done.stderr


def test_save_rm_and_export_print_json_with_ids_and_paths(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["save", str(PAGE), "--tag", "x", "--json"]) == 0
    saved = json.loads(capsys.readouterr().out)
    assert saved == [{"id": 1, "url": saved[0]["url"], "title": saved[0]["title"],
                      "source": str(PAGE)}]
    assert saved[0]["title"] == "Shipping a Rust CLI without tears"

    assert main(["export", "--all", "--format", "json", "--out", str(tmp_path), "--json"]) == 0
    written = json.loads(capsys.readouterr().out)
    assert [w["id"] for w in written] == [1]
    assert Path(written[0]["path"]).is_file()

    assert main(["rm", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"id": 1, "title": "Shipping a Rust CLI without tears"}]


def test_import_prints_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text("http://127.0.0.1:9/nothing-listens-here\n")
    assert main(["import", str(listing), "--json", "--no-images"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] == 1 and result["imported"] == 0
    assert result["entries"][0]["outcome"] == "failed"
    assert result["entries"][0]["url"] == "http://127.0.0.1:9/nothing-listens-here"
    assert isinstance(result["entries"][0]["id"], int)


def test_paths_says_where_every_file_lives(reader_home: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["paths", "--json"]) == 0
    paths = json.loads(capsys.readouterr().out)["paths"]
    assert paths["config"] == str(reader_home / "config" / "config.toml")
    assert paths["library"] == str(reader_home / "data" / "library.db")
    assert paths["cache"] == str(reader_home / "cache")
    assert main(["paths"]) == 0
    assert "library: " + str(reader_home / "data" / "library.db") in capsys.readouterr().out


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts_name_every_command(shell: str) -> None:
    done = reader("completion", shell)
    assert done.returncode == 0
    for name in COMMANDS:
        assert name in done.stdout
    if shell == "bash":
        checked = subprocess.run(["bash", "-n"], input=done.stdout, text=True,
                                 capture_output=True, timeout=30)
        assert checked.returncode == 0, checked.stderr


def test_the_shipped_man_page_matches_the_parser() -> None:
    from importlib import resources

    from reader.cli.manpage import render

    shipped = resources.files("reader.data").joinpath("reader.1").read_text(encoding="utf-8")
    assert shipped == render(), ("reader/data/reader.1 is stale: run "
                                 "`python -m reader.cli.manpage > reader/data/reader.1`")
    for name in COMMANDS:
        assert f".SS reader {name}" in shipped


# ---------------------------------------------------------------- hostile names and folders


def test_tags_typed_on_the_command_line_are_listed_without_terminal_controls(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["save", str(PAGE), "--tag", "evil\x1b]0;pwned\x07\u202etag"]) == 0
    capsys.readouterr()
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "#evil" in out


def test_export_replaces_a_link_planted_at_its_file_name_instead_of_following_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["save", str(PAGE)]) == 0
    shared, victim = tmp_path / "shared", tmp_path / "victim.txt"
    shared.mkdir()
    victim.write_text("precious")
    planted = shared / "1-shipping-a-rust-cli-without-tears.json"
    planted.symlink_to(victim)
    capsys.readouterr()
    assert main(["export", "1", "--format", "json", "--out", str(shared)]) == 0
    assert victim.read_text() == "precious"
    assert not planted.is_symlink()
    assert json.loads(planted.read_text())["title"] == "Shipping a Rust CLI without tears"


def test_export_into_a_folder_that_cannot_be_entered_is_one_sentence(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import os

    if os.geteuid() == 0:
        pytest.skip("root may enter every folder; this needs an ordinary user")
    assert main(["save", str(PAGE)]) == 0
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o000)
    try:
        capsys.readouterr()
        assert main(["export", "1", "--out", str(locked / "inner")]) == 1
        err = capsys.readouterr().err
        assert err.startswith("reader: error: The folder ") and "permission denied" in err
        assert err.count("\n") == 1
    finally:
        locked.chmod(0o700)


def test_saving_a_long_file_says_so_first_at_a_terminal(tmp_path: Path) -> None:
    """A page of megabytes takes seconds to clean: at a terminal `reader save` says so
    before the wait; a script (standard error not a terminal) gets the result alone."""
    import os
    import pty

    paragraph = "<p>" + "The harbour wall held through the night's storm. " * 40 + "</p>\n"
    page = tmp_path / "long.html"
    page.write_text("<html><head><title>A long report</title></head><body><article>"
                    + paragraph * (2_300_000 // len(paragraph)) + "</article></body></html>")
    env = {**os.environ, "READER_TUI_HOME": str(tmp_path / "home")}
    leader, follower = pty.openpty()
    try:
        done = subprocess.run([sys.executable, "-m", "reader", "save", str(page)], env=env,
                              stdout=subprocess.PIPE, stderr=follower, text=True, timeout=300)
        os.close(follower)
        said = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal's other end is closed: all is read
                break
            if not chunk:
                break
            said += chunk
    finally:
        os.close(leader)
    assert done.returncode == 0 and done.stdout.startswith("Saved 1: A long report")
    assert f"Reading {page} (2.2 MiB): a page this long takes a few seconds" in said.decode()
    quiet = subprocess.run([sys.executable, "-m", "reader", "save", str(page)], env=env,
                           capture_output=True, text=True, timeout=300)
    assert quiet.returncode == 0 and quiet.stderr == ""
