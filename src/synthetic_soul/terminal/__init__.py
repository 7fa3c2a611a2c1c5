"""The service seen from a terminal: `soul chat` and `soul status`, clients of the public API."""
