"""hko-research."""
