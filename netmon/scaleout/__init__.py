"""Scale-out across provinces on NATS JetStream (docs/SCALEOUT.md).

Provincial pollers write to a ``nats://`` sink (:mod:`.nats_sink`) on their leaf server; the
hub's central stream sources every province's stream; ``netmon relay`` (:mod:`.relay`) moves
it into InfluxDB; :mod:`.workqueue` carries on-demand jobs the other way.
"""
