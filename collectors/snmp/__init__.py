"""SNMP collector: engines (fast BER/USM and pysnmp), the poller, vendor health profiles."""
