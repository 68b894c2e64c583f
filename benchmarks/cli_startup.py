"""How much ``reader dump`` of a small page costs over readability-lxml alone.

Both are whole processes on the same small page: ``reader dump PAGE`` (the installed
command, as a person runs it; its script next to this Python) against ``python BASELINE
PAGE``, a script that imports readability-lxml, runs ``Document(html).summary()`` and
prints it. ``python -m reader dump PAGE`` is shown too: ``-m`` adds runpy's start-up
(importlib.util and friends, ~10 ms) that the installed command does not pay. The ratio of their
CPU times (user + system, the children's rusage, median of ``--repeat`` alternating
runs) is what the command line adds: its imports, the parser, our extraction's extra
passes. Bytecode is compiled before timing, as an installed program runs. Target: at most
1.2x.

    python benchmarks/cli_startup.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>A small page | Example</title></head><body>
<nav><a href="/">Home</a> <a href="/about">About</a></nav>
<article><h1>A small page</h1><p class="byline">By A. Writer</p>
{paragraphs}
</article><footer>© Example</footer></body></html>"""

BASELINE = """import sys
from readability import Document
html = open(sys.argv[1], encoding="utf-8").read()
sys.stdout.write(Document(html).summary())
"""


def cpu_of(command: list[str], env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env, timeout=120)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    compileall.compile_dir(ROOT / "reader", quiet=1)
    paragraph = ("<p>The harbour town kept its lanterns lit through the winter evenings, "
                 "and the ferry ran twice a day whatever the weather.</p>")
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(PAGE.format(paragraphs=paragraph * 12), encoding="utf-8")
        script = Path(tmp) / "baseline.py"
        script.write_text(BASELINE, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["READER_TUI_HOME"] = tmp
        installed = Path(sys.executable).parent / "reader"
        module = [sys.executable, "-m", "reader", "dump", str(page)]
        ours = [str(installed), "dump", str(page)] if installed.exists() else module
        base = [sys.executable, str(script), str(page)]
        commands = {"reader dump": ours, "python -m reader dump": module,
                    "readability alone": base}
        for command in commands.values():  # warm the file cache and the bytecode
            cpu_of(command, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(max(1, args.repeat)):
            for name, command in commands.items():
                times[name].append(cpu_of(command, env))
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, value in medians.items():
        print(f"{name:<22} {value * 1000:7.1f} ms CPU (median of {args.repeat})")
    for name in ("reader dump", "python -m reader dump"):
        ratio = medians[name] / medians["readability alone"]
        print(f"ratio, {name:<15} {ratio:7.2f}x  (target <= 1.20x for reader dump)")


if __name__ == "__main__":
    main()
