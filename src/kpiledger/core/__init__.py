"""Pure domain core: dates, numbers, the KPI model, inference and evaluation.

Standard library only: this package never imports Django, I/O libraries or the CLI.
"""
