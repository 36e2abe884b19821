"""Load: store parts, find complete runs, compact, publish to latest/, notify once."""
