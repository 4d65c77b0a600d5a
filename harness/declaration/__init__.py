"""The declaration: the typed model of pipeline.toml, the window, the modes and the settings.

Nothing here imports pytest or a warehouse: everything else reads the declaration, never the reverse.
"""
