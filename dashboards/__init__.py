"""Grafana dashboards as code for netmon.

- ``dashboards.boards.*``: one module per dashboard (grafana-foundation-sdk builders, InfluxQL targets);
- ``dashboards.catalog``: the dashboards, their stable uids and folders (one per network);
- ``dashboards.render``: JSON for Grafana (``render_all``, ``write_all`` into dashboards/build/);
- ``dashboards.push``: create/update through Grafana's HTTP API (``push``);
- ``build/``: the committed JSON; ``provisioning/``: Grafana datasource and provider files.
"""
