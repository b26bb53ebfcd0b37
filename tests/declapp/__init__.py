"""A trivial app that exists only in the test settings: it proves that an app declares its permission,
the roles that get it, its menu entry and its scheduled task in its own files (core.declarations),
without an edit anywhere else. Its page is reachable only under ``tests.declapp.root_urls``."""
