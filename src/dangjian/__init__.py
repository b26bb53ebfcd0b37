"""dangjian — 智慧党建平台."""
__all__ = ["__version__"]
__version__ = "0.1.0"
