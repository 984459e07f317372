"""Planned learning conversations: what a school's improvement strategies depend on, where, when and with whom."""
