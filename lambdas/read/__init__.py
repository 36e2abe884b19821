"""getUsers: the read API in front of the published data."""
