"""The `csc` command: one entry point (`main.py`) with its subcommands, one module per group."""

from .main import main

__all__ = ["main"]
