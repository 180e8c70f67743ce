"""Readers turn published files into core objects; writers turn core objects into files."""
