"""The request side shared by every domain's views (see docs/ARCHITECTURE.md, the layer rule)."""
