"""Synthetic Soul: the backend of a digital mind."""

__version__ = "0.1.0"
API_VERSION = "1.1.0"
API_BASE_PATH = "/v1"
