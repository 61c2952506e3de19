"""The offline toolchain: OPA, the Pulumi CLI and its plugins, built from the Go module proxy.

Stdlib only, so `make` can build the tools before the Python environment exists.
"""
