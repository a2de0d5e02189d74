"""Spreadsheets in: reading an upload safely, its preview, and applying all of it or nothing."""
