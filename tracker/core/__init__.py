"""What every domain shares and nothing in the domain shapes: the clock, how people write values.

Nothing here imports a domain package or the application module (docs/ARCHITECTURE.md, "Layers").
"""
