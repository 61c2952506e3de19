"""The `govcloud` command line: one entry point, one module per sub-command under commands/."""
