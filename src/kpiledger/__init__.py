"""kpiledger — KPI実績台帳 for Japanese regional-revitalization grant projects."""

__version__ = "0.1.0"
