"""reader: a terminal article reader."""

# The one place the version lives: hatchling reads it from here at build time, and the
# app reads it without importlib.metadata, which would cost ~50 ms of every start-up.
__version__ = "0.1.0"
