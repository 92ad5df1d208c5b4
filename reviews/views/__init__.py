"""Thin views, one topic per module: parse, check permission, call one service or selector,
render."""
