"""Reports for coordinators and trainers: overview, drill-down, transcripts, exports (DESIGN §6)."""
