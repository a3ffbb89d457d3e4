"""Pieces every emulator shares: admin API, request counters, fault injection and server runners."""

from emulators._common.app import EmulatorApp, Store, build_emulator_app
from emulators._common.faults import FaultSettings
from emulators._common.server import (
    EmulatorProcess,
    RunningEmulator,
    common_arguments,
    running,
    serve_forever,
    start_in_thread,
    start_process,
)

__all__ = [
    "EmulatorApp",
    "EmulatorProcess",
    "FaultSettings",
    "RunningEmulator",
    "Store",
    "build_emulator_app",
    "common_arguments",
    "running",
    "serve_forever",
    "start_in_thread",
    "start_process",
]
