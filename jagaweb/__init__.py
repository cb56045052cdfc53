"""JagaWeb: keeps government websites alive, current and clean, by their SOPs."""

__version__ = "0.1.0"
