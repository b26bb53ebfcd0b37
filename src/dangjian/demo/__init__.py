"""Demo data: a deterministic builder of a realistic enterprise and the ``demo`` / ``setup_demo`` commands."""
