"""pytest fixtures for ecs-image-emulator: see the plugin module and docs/testing.md."""

from .emulator import AdminError, Emulator, EmulatorError, find_binary
from .world import World

__all__ = ["AdminError", "Emulator", "EmulatorError", "World", "find_binary"]
