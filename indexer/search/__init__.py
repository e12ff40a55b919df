"""Search, engine-free: parameters, the query language, histogram, near-duplicates."""
