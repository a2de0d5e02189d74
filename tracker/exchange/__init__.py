"""Portfolio lists out and in: xlsx, csv, OC4IDS and pdf exports; spreadsheet import."""
