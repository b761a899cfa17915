"""`python -m cleaner` runs the command-line tool."""

from .cli import main

main()
