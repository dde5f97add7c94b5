"""Collaboration networks, metrics, maps and charts."""
