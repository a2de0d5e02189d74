"""The portfolio out: xlsx, csv, pdf, JSON and OC4IDS, one SELECT streamed per format."""
