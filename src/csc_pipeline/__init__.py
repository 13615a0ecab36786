"""Children's social care reporting pipeline: extract → validate → load → transform → publish."""
