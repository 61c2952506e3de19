"""Sub-commands. Each module defines `register(app)`; app.py registers every module found here."""
