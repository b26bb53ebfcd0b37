"""Models of member development (filled in by the next commits)."""
