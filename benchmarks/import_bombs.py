"""Time and peak memory of ``reader import`` on hostile files (issue 11, failure 3).

Each file goes through the real command (``python -m reader import FILE``) in its own
process, so its peak resident memory is that process's alone. A small, ordinary URL
list is run first in the same way as the baseline (start-up cost); the bombs must stay
under 300 MB and 10 s, and each must end with one sentence and exit code 1.

    python benchmarks/import_bombs.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
MEMORY_LIMIT_MB = 300
TIME_LIMIT_S = 10.0


def run(path: Path, home: Path) -> tuple[float, float, int, str]:
    """(seconds, peak MB, exit code, last line of stderr) of one import."""
    # VmHWM: the peak of this process's own memory (ru_maxrss would carry the parent's
    # peak over the fork).
    code = ("import re, sys; from reader.cli import main; rc = main(sys.argv[1:]); "
            "peak = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1]; "
            "sys.stderr.write('\\nMAXRSS %s\\n' % peak); sys.exit(rc)")
    env = {**os.environ, "READER_HOME": str(home)}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, "import", str(path), "--no-images"],
                          capture_output=True, text=True, env=env, timeout=120, cwd=ROOT)
    seconds = time.perf_counter() - start
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    peak_kb = int(lines[-1].split()[1]) if lines and lines[-1].startswith("MAXRSS") else 0
    sentence = next((line for line in lines if line.startswith("reader:")), "")
    return seconds, peak_kb / 1024, done.returncode, sentence


def bombs(folder: Path) -> dict[str, Path]:
    files = {
        "omnivore zip, 302 MB member": HOSTILE / "omnivore-bomb.zip",
        "omnivore zip, understated header": HOSTILE / "omnivore-bomb-small-header.zip",
    }
    nested = folder / "nested.json"
    nested.write_text("[" * 200_000)
    files["JSON '[' x 200,000"] = nested
    nested_zip = folder / "nested.zip"
    with zipfile.ZipFile(nested_zip, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("metadata_0.json", "[" * 200_000)
    files["zip member '[' x 200,000"] = nested_zip
    values = folder / "values.json"
    values.write_text("[" + "0," * 30_000_000 + "0]")  # 60 MB: just under the byte cap
    files["JSON of 30 M zeros (60 MB)"] = values
    lists = folder / "lists.json"
    lists.write_text("[" + "[]," * 490_000 + "[]]")  # under the value cap: parsed
    files["JSON of 490,000 empty lists"] = lists
    links = folder / "links.txt"
    with links.open("w") as handle:  # 50 MB of distinct addresses
        handle.writelines(f"http://e.co/{n}\n" for n in range(3_000_000))
    files["URL list, 3 M lines (50 MB)"] = links
    return files


def main() -> int:
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        baseline_file = folder / "list.txt"
        baseline_file.write_text("https://example.invalid/a\n")
        base_s, base_mb, _, _ = run(baseline_file, folder / "home-baseline")
        print(f"{'baseline (1-line list)':36} {base_s:6.2f} s {base_mb:7.1f} MB")
        for label, path in bombs(folder).items():
            seconds, peak, code, sentence = run(path, folder / f"home-{path.stem}")
            ok = seconds < TIME_LIMIT_S and peak < MEMORY_LIMIT_MB and code == 1
            failed += not ok
            print(f"{label:36} {seconds:6.2f} s {peak:7.1f} MB  x{seconds / base_s:5.1f} time "
                  f"x{peak / base_mb:4.1f} memory  exit {code}  {'ok' if ok else 'OVER'}")
            print(f"{'':36} {sentence[:110]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
