"""shiwan: monthly returns, progress against target and assessment for trade-union campaigns."""

__version__ = "0.1.0"
