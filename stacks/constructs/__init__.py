"""One construct per capability: storage, pipeline, triggers, read API, notifications, monitoring."""
