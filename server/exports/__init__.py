"""Whole-school exports: everything a school holds, as a zip of CSVs and a manifest."""
