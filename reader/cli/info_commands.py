"""``reader paths`` and ``reader completion SHELL``: what a person setting reader up asks.

``paths`` says where every file lives (and which environment variables moved them), so
nobody has to guess platformdirs' rules. ``completion`` prints a script generated from the
parser itself (with shtab), so it never falls behind the commands.
"""

from __future__ import annotations

import argparse
import sys

SHELLS = ("bash", "zsh", "fish")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("paths", help="say where reader keeps every file",
                       description="Print where the config file, the library and the cache "
                       "are, and the environment variables that move them.")
    p.add_argument("--json", action="store_true", help="print JSON for programs")
    p.set_defaults(handler=run_paths)

    p = sub.add_parser("completion", help="print shell completion for bash, zsh or fish",
                       description="Print a completion script for SHELL on standard output.",
                       epilog="bash: reader completion bash > "
                       "~/.local/share/bash-completion/completions/reader\n"
                       "zsh:  reader completion zsh > \"${fpath[1]}/_reader\"\n"
                       "fish: reader completion fish > ~/.config/fish/completions/reader.fish",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("shell", choices=SHELLS, metavar="SHELL", help="bash, zsh or fish")
    p.set_defaults(handler=run_completion)


def run_paths(args: argparse.Namespace) -> int:
    from reader import locations
    from reader.cli import print_json

    paths = locations.all_paths()
    if args.data_dir is not None:
        paths["data"] = args.data_dir.expanduser()
        paths["library"] = paths["data"] / "library.db"
    env = {locations.ENV_PREFIX + name: locations.getenv(name) for name in locations.ENVIRONMENT}
    if args.json:
        print_json({"paths": {k: str(v) for k, v in paths.items()},
                    "environment": {k: v for k, v in env.items() if v is not None}})
        return 0
    width = max(map(len, paths)) + 1
    for name, path in paths.items():
        state = "" if path.exists() else "  (not created yet)"
        print(f"{name + ':':<{width}} {path}{state}")
    for name, value in env.items():
        if value is not None:
            print(f"{name}={value}")
    return 0


def run_completion(args: argparse.Namespace) -> int:
    import shtab

    from reader.cli import build_parser

    parser = build_parser()
    sys.stdout.write(shtab.complete(parser, shell=args.shell))
    return 0
