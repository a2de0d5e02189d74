"""The leaders' dashboard: headline figures, breakdowns, charts, lists and the printed briefing."""
