"""The local twin: moto plays S3/SQS/SNS, pollers play the event source mappings, the real handlers run."""

from connector.twin.twin import LocalTwin, TwinConfig

__all__ = ["LocalTwin", "TwinConfig"]
