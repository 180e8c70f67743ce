"""The `kpiledger` command line: a thin caller of the core and the readers/writers."""
