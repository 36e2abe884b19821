"""The connector as infrastructure: one stack wiring one construct per capability."""
