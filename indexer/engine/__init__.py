"""Search engines behind one protocol; whoosh/ is the embedded default."""
