"""The bottom-layer HTTP kit (issue 8): what every app's pages share — the page permission decorator
with its audit hook, form base classes and widgets, the shared template includes, and the panel
registry through which an app shows its data on another (lower) app's page. It imports no domain app."""
