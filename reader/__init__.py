"""reader: a terminal article reader."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("reader")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.1.0"
