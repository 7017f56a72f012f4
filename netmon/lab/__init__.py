"""The lab: real simulated devices and real servers on 127.0.0.1, for the demo and the tests.

Each module starts one kind of process (snmpsim, snmpd, influxd, alertmanager, SSH device
simulators, ...) and returns a handle that stops it. Tests use them as pytest fixtures;
``netmon lab up|down|status`` and ``netmon demo`` use them for the built-in lab.
"""
