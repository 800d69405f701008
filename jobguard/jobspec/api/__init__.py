"""Helpers for the API-JSON side of the loader (owned with :mod:`jobguard.jobspec.apijson`)."""
