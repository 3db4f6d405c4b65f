"""The project's command-line scripts (`python scripts/<name>.py`), importable as
``scripts.<name>`` for their tests."""
