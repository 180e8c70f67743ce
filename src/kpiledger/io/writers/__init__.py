"""One writer per output format, each taking an evaluated report (`ReportResult`)."""
