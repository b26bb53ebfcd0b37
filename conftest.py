"""Root pytest configuration: app fixtures are plugins (STYLE §14)."""
pytest_plugins = ["tests.fixtures", "dangjian.api.tests.fixtures"]
