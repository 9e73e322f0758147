"""People administration: the user list, account actions and the audit-log page."""
