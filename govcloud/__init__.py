"""govcloud: infrastructure as code and 等保 2.0 policy for a municipal 政务云."""

__version__ = "0.1.0"
