"""Retention and offboarding: erase old notes, pseudonymise a person, delete a whole school."""
