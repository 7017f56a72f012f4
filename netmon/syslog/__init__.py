"""Syslog receiver and log audit: UDP/TCP/TLS listeners, RFC 3164/5424 and vendor parsing,
the ``syslog`` measurement, and the hash-chained daily archive (docs/SYSLOG.md)."""

from .archive import Archive, verify
from .parse import Message, Parser
from .service import SyslogService
from .settings import SyslogSettings, load_syslog_settings

__all__ = ["Archive", "Message", "Parser", "SyslogService", "SyslogSettings", "load_syslog_settings", "verify"]
