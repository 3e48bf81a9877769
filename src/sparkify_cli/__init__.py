"""sparkify: JSON song metadata and listening logs into a checked star schema."""

__version__ = "0.1.0"
