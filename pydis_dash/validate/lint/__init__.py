"""Lint rules over rendered resources: one rule per ``pd1xx_<name>.py`` module, see :mod:`.base`."""
