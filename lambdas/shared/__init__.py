"""Code shared by every Lambda of the connector: contracts, S3 layout, settings, adapters."""
