"""本月未报: the projects still without this month's report, per officer and per region."""
