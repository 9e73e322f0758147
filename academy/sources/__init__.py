"""The legal-source index: which modules and questions cite which act and article."""
