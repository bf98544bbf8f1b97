"""One module per algorithm; each defines ``ALGORITHMS = [...]`` (discovered by the provider)."""
