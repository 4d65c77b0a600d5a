"""Load the harness plugin when the package is used from a checkout that is not pip-installed.

Installed, the plugin registers itself through the ``pytest11`` entry point; registering it twice
would declare every option twice.
"""

from importlib.metadata import entry_points

if not any(ep.value == "harness.plugin.hooks" for ep in entry_points(group="pytest11")):
    pytest_plugins = ["harness.plugin.hooks"]
