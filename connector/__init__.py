"""randomuser-connector's local twin, offline randomuser stand-in and `connector` CLI."""
