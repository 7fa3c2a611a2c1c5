"""The soul as an MCP server: one set of tools, reached two ways.

`soul mcp` serves them over stdio to a desktop assistant and reaches the service over HTTP
with the user's API key (`over_http.py`); the service serves the same tools itself at `/mcp`,
calling its use cases for the caller its bearer names (`in_process.py`, `mount.py`). The tools
(`tools.py`) only know the small `Soul` protocol both of those implement (`access.py`).
"""
