"""Sources that feed themselves: feeds (and pages linking to one) polled on a schedule."""
